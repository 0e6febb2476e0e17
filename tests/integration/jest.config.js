// Services run as separate processes from their build output (nx builds them first).
module.exports = { ...require('../../jest.preset'), displayName: 'integration', roots: ['<rootDir>/test'], testTimeout: 90000 };
