// Component tests: jsdom, Testing Library and MSW (see test/). The e2e suite has its own config.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    setupFiles: ['test/setup.ts'],
    // two cores: a second worker helps, more only thrash
    maxWorkers: 2,
    // a deadline, not a timing assertion: on a loaded machine a test may take far longer than
    // alone, and nothing waits for a timer anyway
    testTimeout: 60_000,
    reporters: ['default', ['../../tooling/summary-reporter.ts', { label: 'scanner' }]],
  },
});
