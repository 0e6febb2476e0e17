module.exports = { ...require('../../jest.preset'), displayName: 'database', roots: ['<rootDir>/src', '<rootDir>/test'] };
