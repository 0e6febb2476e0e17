module.exports = { ...require('../../jest.preset'), displayName: 'audit', roots: ['<rootDir>/src', '<rootDir>/test'] };
