// How a route declares its answers, so the OpenAPI document (plugins/openapi.ts) lists every one:
//   schema: { response: { 200: ok(ThingSchema, 'The thing'), ...problemResponses(401, 403, 404) } }
// Every refusal is a Problem (problem+json, one shared component); the codes a status can carry
// are listed in its description and narrow `code` in the schema, so the spec says which to expect.
import { PROBLEM_CONTENT_TYPE, type ErrorCode } from '@couponscan/shared/errors';
import type { TSchema } from '@sinclair/typebox';

/** The `$id` the shared Problem schema is registered under (see plugins/openapi.ts). */
export const PROBLEM_SCHEMA_ID = 'Problem';

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/** What a status means when a route does not list its codes. */
const DEFAULT_CODES: Record<ProblemStatus, readonly ErrorCode[]> = {
  400: ['malformed_request'],
  401: ['unauthenticated'],
  403: ['forbidden'],
  404: ['not_found'],
  409: ['conflict'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
  422: ['validation_failed'],
  429: ['rate_limited'],
  500: ['internal_error'],
  503: ['service_unavailable', 'database_unavailable', 'database_busy'],
};

/** Any route that touches the database may answer these (503 with Retry-After). */
const DATABASE_FAULTS: readonly ErrorCode[] = ['database_unavailable', 'database_busy'];

const DESCRIPTIONS: Record<ProblemStatus, string> = {
  400: 'The request cannot be read (malformed HTTP, JSON or percent-encoding)',
  401: 'No valid session',
  403: 'The role or store does not allow this',
  404: 'Not found',
  409: 'Refused: the current state does not allow this',
  413: 'The body is too large',
  415: 'Unsupported content type',
  422: 'The request does not match the schema or breaks a rule',
  429: 'Too many requests',
  500: 'A bug on our side; the request changed nothing',
  503: 'The database cannot answer just now; retry after Retry-After (the same Idempotency-Key never redeems twice)',
};

export interface ProblemResponse {
  description: string;
  headers?: Record<string, TSchema>;
  content: Record<typeof PROBLEM_CONTENT_TYPE, { schema: TSchema }>;
}

/**
 * One problem+json answer whose `code` is one of `codes`; `members` describes extension members
 * some of these problems carry (e.g. a redemption refusal's `outcome` and `scanId`).
 */
export function problemResponse(
  status: ProblemStatus,
  codes: readonly ErrorCode[] = DEFAULT_CODES[status],
  description: string = DESCRIPTIONS[status],
  members?: TSchema,
): ProblemResponse {
  // a Problem whose `code` is narrowed to this status's codes
  const schema = {
    type: 'object',
    allOf: [{ $ref: `${PROBLEM_SCHEMA_ID}#` }, ...(members === undefined ? [] : [members])],
    properties: { code: { type: 'string', enum: [...codes] } },
    required: ['code'],
  } as unknown as TSchema;
  return {
    description: `${description}: ${codes.map((code) => `\`${code}\``).join(', ')}`,
    ...(status === 503 || status === 429 ? { headers: RETRY_AFTER_HEADERS } : {}),
    content: { [PROBLEM_CONTENT_TYPE]: { schema } },
  };
}

const RETRY_AFTER_HEADERS = {
  'retry-after': {
    type: 'string',
    pattern: '^[0-9]+$',
    description: 'Seconds to wait before retrying',
  } as unknown as TSchema,
};

/**
 * The refusals a route can give. A status alone uses its usual code (`401` → `unauthenticated`,
 * `403` → `forbidden`, …); `{ 409: ['already_redeemed', 'voided'] }` lists the codes instead.
 * `500 internal_error` is always included: any route can fail; and so is 503 with the database's
 * bad days (`database_unavailable`, `database_busy`: plugins/errors.ts, docs/scaling.md).
 */
export function problemResponses(
  ...statuses: (ProblemStatus | Partial<Record<ProblemStatus, readonly ErrorCode[]>>)[]
): Partial<Record<ProblemStatus, ProblemResponse>> {
  const codes = new Map<ProblemStatus, Set<ErrorCode>>();
  const add = (status: ProblemStatus, list: readonly ErrorCode[]) => {
    const set = codes.get(status) ?? new Set<ErrorCode>();
    for (const code of list) set.add(code);
    codes.set(status, set);
  };
  for (const entry of [...statuses, 500 as const, { 503: DATABASE_FAULTS }]) {
    if (typeof entry === 'number') add(entry, DEFAULT_CODES[entry]);
    else {
      for (const [status, list] of Object.entries(entry)) {
        add(Number(status) as ProblemStatus, list);
      }
    }
  }
  const responses: Partial<Record<ProblemStatus, ProblemResponse>> = {};
  for (const [status, set] of [...codes].sort(([a], [b]) => a - b)) {
    responses[status] = problemResponse(status, [...set]);
  }
  return responses;
}

/** The refusals of a route behind `app.authorize`: no session, wrong role. */
export const SIGNED_IN = [401, 403] as const;

/** A success answer with a description (OpenAPI requires one) and the headers it sets. */
export function ok<T extends TSchema>(
  schema: T,
  description: string,
  headers?: Record<string, TSchema>,
): T {
  return { ...schema, description, ...(headers === undefined ? {} : { headers }) };
}

/** A 204: no body. */
export function noContent(description: string) {
  return { type: 'null', description } as const;
}

/** A success answer that is a file (CSV, PDF, image) rather than JSON. */
export function file(contentType: string, description: string, headers?: Record<string, TSchema>) {
  const text = contentType.startsWith('text/') || contentType === 'image/svg+xml';
  return {
    description,
    ...(headers === undefined ? {} : { headers }),
    content: {
      [contentType]: {
        schema: text ? { type: 'string' } : { type: 'string', contentMediaType: contentType },
      },
    },
  };
}

/** `Content-Disposition: attachment; filename="…"` on a download. */
export const ATTACHMENT_HEADERS = {
  'content-disposition': {
    type: 'string',
    description: 'attachment; filename="…"',
  } as unknown as TSchema,
};
