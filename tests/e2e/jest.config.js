// The end-to-end alert test (`npm run test:e2e`): one long file that runs the whole stack as processes.
// Its target is `e2e`, not `test`, so `npm test` leaves it out; CI runs both.
module.exports = { ...require('../../jest.preset'), displayName: 'e2e', roots: ['<rootDir>/test'], testTimeout: 300000 };
