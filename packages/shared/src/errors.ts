// One error model end to end: the backend answers RFC 9457 problem+json with a stable `code`
// from this list, and the scanner switches on that code. https://www.rfc-editor.org/rfc/rfc9457
import { Type, type Static } from '@sinclair/typebox';

/** Why a known coupon was not redeemed. Each is also an error code (409). */
export const REFUSAL_OUTCOMES = [
  'already_redeemed',
  'voided',
  'expired',
  'not_yet_valid',
  'campaign_paused',
  'wrong_store',
] as const;
export type RefusalOutcome = (typeof REFUSAL_OUTCOMES)[number];

/** Every outcome a scan can have; each scan row records one. */
export const SCAN_OUTCOMES = [
  'redeemed',
  ...REFUSAL_OUTCOMES,
  'not_found',
  'invalid_code',
] as const;
export type ScanOutcome = (typeof SCAN_OUTCOMES)[number];

export const ERROR_CODES = [
  // 400: the request cannot be read (malformed HTTP, JSON or percent-encoding);
  // 422: it does not match the schema or breaks a rule (`errors` points at what)
  'malformed_request',
  'validation_failed',
  'invalid_code',
  'idempotency_key_required',
  'idempotency_key_reused',
  'code_space_too_small',
  // 401 / 403
  'unauthenticated',
  'invalid_credentials',
  'forbidden',
  // 404 / 409
  'not_found',
  'conflict',
  'idempotency_request_in_progress',
  'undo_window_passed',
  'already_reversed',
  ...REFUSAL_OUTCOMES,
  // 413 / 415 / 429
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  // 5xx: never with details
  'internal_error',
  'service_unavailable',
  // faults: 503 with Retry-After; retry with the same Idempotency-Key
  'database_unavailable',
  'database_busy',
  // issuing at scale: 422 a CSV import with bad lines (each listed), 422 a PDF sheet
  // asked for more coupons than one sheet holds
  'import_invalid',
  'sheet_too_large',
  // hostile input: 431 headers over Node's limit; 403 a cookie-authenticated change
  // from another site; 409 the last active admin cannot be demoted or disabled
  'header_too_large',
  'cross_site_request',
  'last_admin',
  // 422: a webhook URL that resolves to a loopback or private address, in production
  'webhook_url_refused',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorCodeSchema = Type.Union(ERROR_CODES.map((code) => Type.Literal(code)));

export const FieldErrorSchema = Type.Object({
  /** JSON pointer into the request, e.g. `/body/count` */
  pointer: Type.String(),
  message: Type.String(),
});
export type FieldError = Static<typeof FieldErrorSchema>;

/** RFC 9457 problem details, with our stable `code` and optional extension members. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: ErrorCodeSchema,
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { additionalProperties: true },
);
export type Problem = Static<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `type` URI of a problem: stable, one per code, documented in docs/errors.md. */
export function problemType(code: ErrorCode): string {
  return `https://couponscan.dev/problems/${code.replaceAll('_', '-')}`;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function isRefusalOutcome(value: unknown): value is RefusalOutcome {
  return typeof value === 'string' && (REFUSAL_OUTCOMES as readonly string[]).includes(value);
}
