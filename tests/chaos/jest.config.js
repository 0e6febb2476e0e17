// The fault test (`npm run test:chaos`): all ten services under traffic while PostgreSQL, Redis and
// RabbitMQ are taken away and services are killed. Its target is `chaos`, not `test`, so `npm test`
// leaves it out; CI runs it after the end-to-end test.
module.exports = { ...require('../../jest.preset'), displayName: 'chaos', roots: ['<rootDir>/test'], testTimeout: 180000 };
