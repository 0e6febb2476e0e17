module.exports = { ...require('../../jest.preset'), displayName: 'uptime-kuma-tools', roots: ['<rootDir>/test'] };
