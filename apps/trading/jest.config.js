module.exports = { ...require('../../jest.preset'), displayName: 'trading', roots: ['<rootDir>/src', '<rootDir>/test'] };
