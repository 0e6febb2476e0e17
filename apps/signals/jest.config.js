module.exports = { ...require('../../jest.preset'), displayName: 'signals', roots: ['<rootDir>/src', '<rootDir>/test'] };
