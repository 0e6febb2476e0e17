module.exports = { ...require('../../jest.preset'), displayName: 'messaging', roots: ['<rootDir>/src', '<rootDir>/test'] };
