module.exports = { ...require('../../jest.preset'), displayName: 'portfolio', roots: ['<rootDir>/src', '<rootDir>/test'] };
