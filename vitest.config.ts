import { defineConfig } from 'vitest/config';

/**
 * Four projects: unit (pure domain, microseconds), infra (CDK assertions on the synthesized
 * template), integration (handlers against DynamoDB Local and fauxqs, started once per run) and
 * e2e (the local runtime as a child process, driven over HTTP).
 */
export default defineConfig({
  test: {
    // `npm run test:coverage` (run by .ci/run): the pure domain must stay covered by its unit tests.
    coverage: {
      provider: 'v8',
      include: ['shared/domain/**/*.ts'],
      reporter: ['text-summary'],
      thresholds: { statements: 90, branches: 82, functions: 84, lines: 92 },
    },
    projects: [
      // Microseconds each, but the whole machine is shared: a timeout here is load, not a hang.
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/emulators-global-setup.ts'],
          setupFiles: ['test/support/emulators-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One emulator pair serves every file, and several files drain the same queues: in
          // parallel one file's drain took another's messages (a flaky "queued for audit").
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
