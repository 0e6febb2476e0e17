module.exports = { ...require('../../jest.preset'), displayName: 'api-gateway', roots: ['<rootDir>/src', '<rootDir>/test'] };
