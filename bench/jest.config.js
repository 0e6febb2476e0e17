// One tiny run of the harness against real processes on 127.0.0.1: it keeps `npm run bench` working
// without being a benchmark itself (no figure is asserted, only that each one was measured).
module.exports = { ...require('../jest.preset'), displayName: 'bench', roots: ['<rootDir>/test'], testTimeout: 180000 };
