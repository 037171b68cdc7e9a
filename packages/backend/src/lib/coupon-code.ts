// Reading a coupon code from a request, with the one error every route gives for a bad one.
import { parseCouponCode, type ParsedCode } from '@couponscan/shared/code';
import { HttpProblem } from './http-problem.ts';

export function invalidCodeDetail(reason: Extract<ParsedCode, { ok: false }>['reason']): string {
  return reason === 'check_failed'
    ? 'The check character does not match: the code was mistyped or misread.'
    : 'A coupon code has 4 to 64 letters and digits.';
}

/** The normalised code, or 422 invalid_code. */
export function parseCodeOrThrow(raw: string): string {
  const parsed = parseCouponCode(raw);
  if (!parsed.ok) throw new HttpProblem(422, 'invalid_code', invalidCodeDetail(parsed.reason));
  return parsed.code;
}
