module.exports = { ...require('../../jest.preset'), displayName: 'monitoring-tools', roots: ['<rootDir>/test'] };
