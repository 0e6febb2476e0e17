module.exports = { ...require('../../jest.preset'), displayName: 'user-management', roots: ['<rootDir>/src', '<rootDir>/test'] };
