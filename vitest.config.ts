import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // SQLite files and servers are per test file; two workers match the two cores we have.
    pool: 'forks',
    maxWorkers: 2,
  },
});
