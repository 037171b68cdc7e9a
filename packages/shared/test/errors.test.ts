import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, REFUSAL_OUTCOMES, SCAN_OUTCOMES, problemType } from '../src/errors.ts';

const docs = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/errors.md'), 'utf8');

describe('error codes', () => {
  it('every error code is documented in docs/errors.md', () => {
    const undocumented = ERROR_CODES.filter((code) => !docs.includes(`\`${code}\``));
    expect(undocumented).toEqual([]);
  });

  it('codes are unique snake_case and every refusal outcome is also an error code', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    for (const outcome of REFUSAL_OUTCOMES) expect(ERROR_CODES).toContain(outcome);
    for (const outcome of SCAN_OUTCOMES.filter((o) => o !== 'redeemed')) {
      expect(ERROR_CODES).toContain(outcome);
    }
  });

  it('each code has its own stable problem type URI', () => {
    expect(problemType('already_redeemed')).toBe(
      'https://couponscan.dev/problems/already-redeemed',
    );
    expect(new Set(ERROR_CODES.map(problemType)).size).toBe(ERROR_CODES.length);
  });
});
