module.exports = { ...require('../../jest.preset'), displayName: 'risk', roots: ['<rootDir>/src', '<rootDir>/test'] };
