// End to end: the production build, served by the real backend on a real (embedded) PostgreSQL,
// driven in Debian's Chromium with a QR code fed as the fake camera. See e2e/global-setup.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    environment: 'node',
    globalSetup: ['e2e/global-setup.ts'],
    // one browser at a time on a two-core machine
    fileParallelism: false,
    // deadlines for a starved machine, not expectations of speed
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default', ['../../tooling/summary-reporter.ts', { label: 'scanner-e2e' }]],
  },
});
