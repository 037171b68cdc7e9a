import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the failover suite is opt-in: vitest.ha.config.ts
    exclude: [...configDefaults.exclude, 'test/ha/**'],
    globalSetup: ['test/global-setup.ts'],
    // every answer a test receives must match the OpenAPI document, and no secret is logged
    setupFiles: ['test/setup/answers-match-spec.ts', 'test/setup/secrets-not-logged.ts'],
    // Every file gets its own database copied from a migrated template, so files run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', ['../../tooling/summary-reporter.ts', { label: 'backend' }]],
  },
});
