module.exports = { ...require('../../jest.preset'), displayName: 'market-data', roots: ['<rootDir>/src', '<rootDir>/test'] };
