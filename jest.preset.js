// Shared Jest settings: SWC transpiles TypeScript with decorator metadata (NestJS needs it),
// and workspace libraries resolve to their sources so tests never run against a stale build.
const path = require('node:path');

const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swcTransform },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@ai-finance/(observability|messaging|testing|database|contracts)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  testTimeout: 30000,
};
