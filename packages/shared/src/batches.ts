// Issuing at scale: batches of generated or imported coupons, their progress, the
// code-space rule, and the printable sheet's limits.
import { Type, type Static } from '@sinclair/typebox';
import { RANDOM_LENGTH } from './code.ts';
import { IdSchema, TimestampSchema } from './common.ts';

export const BATCH_MAX_COUNT = 1_000_000;
/** Up to this many coupons are issued within the request; more run as a background job. */
export const BATCH_INLINE_MAX_COUNT = 10_000;
/** Coupons per printable PDF; a larger batch is printed in parts (`?part=`). */
export const SHEET_MAX_COUPONS = 10_000;

export const BATCH_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
export const BatchStatusSchema = Type.Union(BATCH_STATUSES.map((s) => Type.Literal(s)));

/** generated: drawn by us (with a check character); imported: uploaded from another system. */
export const BATCH_SOURCES = ['generated', 'imported'] as const;
export type BatchSource = (typeof BATCH_SOURCES)[number];

export const CreateBatchBodySchema = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: BATCH_MAX_COUNT }),
    /** 2–8 characters of the code alphabet, put before every code of the batch. */
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  },
  { additionalProperties: false },
);
export type CreateBatchBody = Static<typeof CreateBatchBodySchema>;

export const BatchSchema = Type.Object({
  id: IdSchema,
  campaignId: IdSchema,
  source: Type.Union(BATCH_SOURCES.map((s) => Type.Literal(s))),
  count: Type.Integer(),
  prefix: Type.Union([Type.String(), Type.Null()]),
  status: BatchStatusSchema,
  /** Coupons drawn so far; they become visible all at once when the batch succeeds. */
  generated: Type.Integer(),
  /** Why the batch failed, if it did. */
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampSchema,
  startedAt: Type.Union([TimestampSchema, Type.Null()]),
  finishedAt: Type.Union([TimestampSchema, Type.Null()]),
});
export type Batch = Static<typeof BatchSchema>;

/** GET /api/batches: batches of every campaign, newest first; e.g. `?status=queued,running`. */
export const ListBatchesQuerySchema = Type.Object(
  {
    campaignId: Type.Optional(IdSchema),
    /** One status or several, comma-separated. */
    status: Type.Optional(
      Type.String({
        pattern: `^(${BATCH_STATUSES.join('|')})(,(${BATCH_STATUSES.join('|')}))*$`,
      }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export type ListBatchesQuery = Static<typeof ListBatchesQuerySchema>;

/** An item of GET /api/batches: the batch and its campaign's name. */
export const BatchListItemSchema = Type.Composite([
  BatchSchema,
  Type.Object({ campaignName: Type.String() }),
]);
export type BatchListItem = Static<typeof BatchListItemSchema>;

export const SheetQuerySchema = Type.Object({
  /** Which slice of SHEET_MAX_COUPONS coupons to print, from 1; needed above that many. */
  part: Type.Optional(Type.Integer({ minimum: 1, maximum: BATCH_MAX_COUNT / SHEET_MAX_COUPONS })),
});
export type SheetQuery = Static<typeof SheetQuerySchema>;

/** The highest chance we accept that one random guess of a well-formed code hits a valid one. */
export const MAX_GUESS_PROBABILITY = 1e-9;

/**
 * The chance that one random guess hits one of `validCodes` codes that share a prefix and have
 * `randomLength` random characters. The check character is no secret (Luhn is public), so a
 * guesser computes it and it adds nothing: the guess space is 32^randomLength, not 32^(n+1).
 * With today's 19 random characters (2^95) even a million codes give about 2.5e-23.
 */
export function guessProbability(validCodes: number, randomLength: number = RANDOM_LENGTH): number {
  return validCodes / 32 ** randomLength;
}
