import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // SQLite files and servers are per test file; two workers match the two cores we have.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suites', include: ['test/**/*.test.ts'], exclude: ['test/http/pathological.test.ts'] } },
      // The time bounds of issue 8 (/healthz while pathological queries run): measured alone,
      // after every other suite, so no other test file shares the two cores meanwhile.
      { extends: true, test: { name: 'timing', include: ['test/http/pathological.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
