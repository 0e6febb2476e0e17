// The stack's tests run the real script: the local stack end to end, and the compose path against a
// stand-in `docker`. They start processes and listen on ports, so they run one file at a time.
module.exports = { ...require('../../jest.preset'), displayName: 'stack-tools', roots: ['<rootDir>/test'], testTimeout: 60000 };
