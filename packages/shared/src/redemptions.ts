import { Type, type Static } from '@sinclair/typebox';
import { DiscountViewSchema } from './campaigns.ts';
import { IdSchema, NonBlankStringSchema, PageQuerySchema, TimestampSchema } from './common.ts';
import { EarlierRedemptionSchema } from './coupons.ts';
import { ProblemSchema, REFUSAL_OUTCOMES, type ScanOutcome } from './errors.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** What a client may use as an Idempotency-Key: a UUID or any 8–255 visible characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{8,255}$/;

/** Declared on POST /api/redemptions; the server checks it with the schema. */
export const IdempotencyKeyHeadersSchema = Type.Object({
  [IDEMPOTENCY_KEY_HEADER]: Type.String({
    pattern: IDEMPOTENCY_KEY_PATTERN.source,
    description: 'A new UUID per attempt, the same on every retry of it (8–255 visible ASCII)',
  }),
});

export const RedeemBodySchema = Type.Object(
  {
    /** As scanned or typed; normalised by the server with the shared rules. */
    code: Type.String({ minLength: 1, maxLength: 300 }),
    /** Staff redeem in their own store and may omit it; admins must name one. */
    storeId: Type.Optional(IdSchema),
  },
  { additionalProperties: false },
);
export type RedeemBody = Static<typeof RedeemBodySchema>;

export const LEDGER_KINDS = ['redemption', 'reversal'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** One row of the append-only ledger. */
export const LedgerEntrySchema = Type.Object({
  id: IdSchema,
  kind: Type.Union(LEDGER_KINDS.map((k) => Type.Literal(k))),
  couponId: IdSchema,
  code: Type.String(),
  displayCode: Type.String(),
  campaignId: IdSchema,
  campaignName: Type.String(),
  storeId: IdSchema,
  storeName: Type.String(),
  userId: IdSchema,
  userName: Type.String(),
  createdAt: TimestampSchema,
  /** On a reversal: the redemption it undoes. */
  reversesId: Type.Union([IdSchema, Type.Null()]),
  /** On a redemption: the reversal that undid it, if any. */
  reversedById: Type.Union([IdSchema, Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  /**
   * On a redemption that stands: until when its staff member may undo it (the server's clock and
   * UNDO_WINDOW_MINUTES); null on reversals and on redemptions already undone.
   */
  undoableUntil: Type.Union([TimestampSchema, Type.Null()]),
});
export type LedgerEntry = Static<typeof LedgerEntrySchema>;

/** 201 answer of POST /api/redemptions. */
export const RedemptionSuccessSchema = Type.Object({
  outcome: Type.Literal('redeemed'),
  redemption: LedgerEntrySchema,
  discount: DiscountViewSchema,
  redemptionsLeft: Type.Integer(),
  /** Until when the redeeming staff member may undo it. */
  undoableUntil: TimestampSchema,
});
export type RedemptionSuccess = Static<typeof RedemptionSuccessSchema>;

/**
 * The outcome of a scan that did not redeem: a refusal of a known coupon (RefusalOutcome, 409),
 * an unknown code (404) or not a code at all (422). Every ScanOutcome but `redeemed`.
 */
export const RefusedScanOutcomeSchema = Type.Union(
  [...REFUSAL_OUTCOMES, 'not_found', 'invalid_code'].map((o) => Type.Literal(o)),
);
export type RefusedScanOutcome = Exclude<ScanOutcome, 'redeemed'>;

/**
 * 404/409/422 answer of POST /api/redemptions: a problem whose `code` equals `outcome`;
 * `earlierRedemptions` is set for already_redeemed, `campaignName`/`discount` for known coupons.
 */
export const RedemptionRefusalSchema = Type.Composite([
  ProblemSchema,
  Type.Object({
    outcome: RefusedScanOutcomeSchema,
    scanId: IdSchema,
    displayCode: Type.Optional(Type.String()),
    campaignName: Type.Optional(Type.String()),
    discount: Type.Optional(DiscountViewSchema),
    /** The campaign's window, for known coupons (expired / not_yet_valid say when). */
    validFrom: Type.Optional(Type.Union([TimestampSchema, Type.Null()])),
    validUntil: Type.Optional(Type.Union([TimestampSchema, Type.Null()])),
    earlierRedemptions: Type.Optional(Type.Array(EarlierRedemptionSchema)),
    /** For wrong_store: the names of the stores where the coupon is valid. */
    validStoreNames: Type.Optional(Type.Array(Type.String())),
  }),
]);
export type RedemptionRefusal = Static<typeof RedemptionRefusalSchema>;

export const ReversalBodySchema = Type.Object(
  { reason: NonBlankStringSchema(500) },
  { additionalProperties: false },
);
export type ReversalBody = Static<typeof ReversalBodySchema>;

export const ListRedemptionsQuerySchema = Type.Composite([
  PageQuerySchema,
  Type.Object({
    campaignId: Type.Optional(IdSchema),
    storeId: Type.Optional(IdSchema),
    /** The staff member (or admin) who made the entry. */
    userId: Type.Optional(IdSchema),
    /** One coupon's entries: its redemptions and reversals. */
    couponId: Type.Optional(IdSchema),
    /** inclusive */
    from: Type.Optional(TimestampSchema),
    /** exclusive */
    to: Type.Optional(TimestampSchema),
    /** Only this user's entries (staff always see only their store). */
    mine: Type.Optional(Type.Boolean()),
  }),
]);
export type ListRedemptionsQuery = Static<typeof ListRedemptionsQuerySchema>;
