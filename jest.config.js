import { availableParallelism } from 'node:os';

/** Jest runs in native ESM mode (NODE_OPTIONS=--experimental-vm-modules); swc strips types. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2023',
    },
    module: { type: 'es6' },
  },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^nestjs-dynamo-es$': '<rootDir>/lib/index.ts',
    '^nestjs-dynamo-es/core$': '<rootDir>/lib/framework-free.ts',
    '^nestjs-dynamo-es/testing$': '<rootDir>/lib/testing/index.ts',
    '^nestjs-dynamo-es/projections$': '<rootDir>/lib/projections/index.ts',
    '^nestjs-dynamo-es/lambda$': '<rootDir>/lib/lambda/index.ts',
    '^nestjs-dynamo-es/health$': '<rootDir>/lib/health/index.ts',
    '^nestjs-dynamo-es/stream-runner$': '<rootDir>/lib/stream-runner.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testTimeout: 30000,
  // Most suites wait on the local endpoint or on child processes rather than compute: jest's default of one worker
  // fewer than the cores leaves a 2-core machine with a single worker.
  maxWorkers: Math.max(2, availableParallelism() - 1),
};
