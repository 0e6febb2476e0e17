// Unit tests, the command lines, and one file against the real platform (ten service processes): that
// one starts processes and listens on ports, so the files run one at a time.
module.exports = { ...require('../../jest.preset'), displayName: 'traffic-tools', roots: ['<rootDir>/test'], testTimeout: 120000 };
