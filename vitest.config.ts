import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // SQLite files and servers are per test file; two workers match the two cores we have.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suites', include: ['test/**/*.test.ts'], exclude: ['test/fault/**', 'test/http/pathological.test.ts'] } },
      // The time bounds of issue 8 (/healthz while pathological queries run): measured alone,
      // after every other suite, so no other test file shares the two cores meanwhile.
      { extends: true, test: { name: 'timing', include: ['test/http/pathological.test.ts'], sequence: { groupOrder: 1 } } },
      // The fault suite kills servers and runs an Elasticsearch node of its own: it runs after the
      // others, so that its load does not make their timings flake (nor theirs its).
      { extends: true, test: { name: 'fault', include: ['test/fault/**/*.test.ts'], sequence: { groupOrder: 2 } } },
    ],
  },
});
