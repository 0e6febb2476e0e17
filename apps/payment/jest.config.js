module.exports = { ...require('../../jest.preset'), displayName: 'payment', roots: ['<rootDir>/src', '<rootDir>/test'] };
