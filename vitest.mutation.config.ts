import { defineConfig } from 'vitest/config';

/** The tests Stryker runs against each mutant (`npm run mutation`): the domain's unit tests. */
export default defineConfig({
  test: { include: ['test/unit/domain/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
});
