// The failover suite (test/ha): opt-in, `pnpm --filter @couponscan/backend test:ha`. It starts
// its own etcd, Patroni and HAProxy, so it needs neither the embedded PostgreSQL nor the others.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/ha/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 420_000,
    hookTimeout: 300_000,
    reporters: ['default', ['../../tooling/summary-reporter.ts', { label: 'backend-ha' }]],
  },
});
