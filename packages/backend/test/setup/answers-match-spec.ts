// After every test file: the answers it received match the OpenAPI document (helpers/answers.ts).
import { afterAll } from 'vitest';
import { answersNotMatchingSpec } from '../helpers/answers.ts';

afterAll(() => {
  const mismatches = answersNotMatchingSpec();
  if (mismatches.length > 0) {
    throw new Error(
      `answers that the OpenAPI document does not declare:\n${mismatches.map((m) => `  - ${m}`).join('\n')}`,
    );
  }
});
