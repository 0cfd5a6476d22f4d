import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // SQLite files and servers are per test file; two workers match the two cores we have.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suites', include: ['test/**/*.test.ts'], exclude: ['test/fault/**'] } },
      // The fault suite kills servers and runs an Elasticsearch node of its own: it runs after the
      // others, so that its load does not make their timings flake (nor theirs its).
      { extends: true, test: { name: 'fault', include: ['test/fault/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
