// After every test file: nothing the apps logged contains a secret (helpers/log-secrets.ts).
import { afterAll } from 'vitest';
import { secretsInLogs } from '../helpers/log-secrets.ts';

afterAll(() => {
  const found = secretsInLogs();
  if (found.length > 0) {
    throw new Error(`secrets in the logs:\n${found.map((f) => `  - ${f}`).join('\n')}`);
  }
});
