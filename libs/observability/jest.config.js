module.exports = { ...require('../../jest.preset'), displayName: 'observability', roots: ['<rootDir>/src', '<rootDir>/test'] };
