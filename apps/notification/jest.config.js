module.exports = { ...require('../../jest.preset'), displayName: 'notification', roots: ['<rootDir>/src', '<rootDir>/test'] };
