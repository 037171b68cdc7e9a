// The marketers' dashboard: figures overall and per campaign, suspicious activity, and
// the live feed's events. Every figure is aggregated in SQL by the backend.
import { Type, type Static } from '@sinclair/typebox';
import { IdSchema, TimeZoneSchema, TimestampSchema } from './common.ts';
import { RefusedScanOutcomeSchema } from './redemptions.ts';

/** A calendar day, `YYYY-MM-DD`, in the time zone of the request. */
export const LocalDateSchema = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$',
});
export type LocalDate = Static<typeof LocalDateSchema>;

/** The longest day range one request may ask for. */
export const STATS_MAX_DAYS = 366;
/** Without `from`/`to`: the last this many days, today included. */
export const STATS_DEFAULT_DAYS = 30;
/** How many of the latest redemptions the overview carries. */
export const STATS_LATEST_LIMIT = 20;

export const StatsOverviewQuerySchema = Type.Object(
  {
    /** One campaign's figures; without it, every campaign's. */
    campaignId: Type.Optional(IdSchema),
    /** The viewer's time zone: days start and end at its midnight. Default `UTC`. */
    tz: Type.Optional(TimeZoneSchema),
    /** First day, inclusive (default: STATS_DEFAULT_DAYS - 1 days before `to`). */
    from: Type.Optional(LocalDateSchema),
    /** Last day, inclusive (default: today in `tz`). */
    to: Type.Optional(LocalDateSchema),
  },
  { additionalProperties: false },
);
export type StatsOverviewQuery = Static<typeof StatsOverviewQuerySchema>;

export const StatsTotalsSchema = Type.Object({
  /** Coupons issued, voided ones included. */
  issued: Type.Integer(),
  /** Coupons with at least one redemption that stands. */
  redeemed: Type.Integer(),
  voided: Type.Integer(),
  /** Redemptions that stand (multi-use coupons count each one). */
  redemptions: Type.Integer(),
  /** redeemed / issued, 0..1; null when nothing was issued. */
  redemptionRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
});
export type StatsTotals = Static<typeof StatsTotalsSchema>;

export const StatsDaySchema = Type.Object({
  date: LocalDateSchema,
  /** Redemptions made that day (in `tz`), including ones reversed later. */
  redemptions: Type.Integer(),
  /** Reversals made that day. */
  reversals: Type.Integer(),
});
export type StatsDay = Static<typeof StatsDaySchema>;

export const StatsStoreSchema = Type.Object({
  storeId: IdSchema,
  storeCode: Type.String(),
  storeName: Type.String(),
  /** Redemptions in the day range at this store, minus reversals of them. */
  redemptions: Type.Integer(),
});
export type StatsStore = Static<typeof StatsStoreSchema>;

export const StatsRefusalSchema = Type.Object({
  outcome: RefusedScanOutcomeSchema,
  count: Type.Integer(),
});
export type StatsRefusal = Static<typeof StatsRefusalSchema>;

export const RecentRedemptionSchema = Type.Object({
  id: IdSchema,
  createdAt: TimestampSchema,
  couponId: IdSchema,
  displayCode: Type.String(),
  campaignId: IdSchema,
  campaignName: Type.String(),
  storeId: IdSchema,
  storeName: Type.String(),
  userId: IdSchema,
  userName: Type.String(),
  /** Undone since by a reversal. */
  reversed: Type.Boolean(),
});
export type RecentRedemption = Static<typeof RecentRedemptionSchema>;

/** 200 answer of GET /api/stats/overview. */
export const StatsOverviewSchema = Type.Object({
  campaignId: Type.Union([IdSchema, Type.Null()]),
  tz: TimeZoneSchema,
  /** The day range of `perDay`, `perStore` and `refusals` (inclusive, in `tz`). */
  from: LocalDateSchema,
  to: LocalDateSchema,
  /** When the figures were read: events of the live feed after this are not in them. */
  generatedAt: TimestampSchema,
  /** All time, whatever the day range. */
  totals: StatsTotalsSchema,
  /** Every day of the range, oldest first, days without redemptions included with zeros. */
  perDay: Type.Array(StatsDaySchema),
  /** Stores with redemptions in the range, most first. */
  perStore: Type.Array(StatsStoreSchema),
  /**
   * Refused scans in the range by outcome, most first. Overall: every refusal; for a campaign:
   * refusals of its coupons (not_found and invalid_code belong to no campaign).
   */
  refusals: Type.Array(StatsRefusalSchema),
  /** The latest STATS_LATEST_LIMIT redemptions, newest first (all time). */
  latest: Type.Array(RecentRedemptionSchema),
});
export type StatsOverview = Static<typeof StatsOverviewSchema>;

// --- Suspicious activity -------------------------------------------------------------------

export const SUSPICIOUS_DEFAULTS = {
  /** Look back this many hours. */
  hours: 24,
  /** A burst: at least `minFailures` not_found/invalid_code scans within `burstMinutes`. */
  burstMinutes: 10,
  minFailures: 5,
  /** Refused as already_redeemed at another store within this many minutes of the redemption. */
  reuseMinutes: 60,
} as const;

export const SuspiciousQuerySchema = Type.Object(
  {
    /** Only coupons of this campaign for cross-store reuse (bursts belong to no campaign). */
    campaignId: Type.Optional(IdSchema),
    hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 31 })),
    burstMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60 })),
    minFailures: Type.Optional(Type.Integer({ minimum: 2, maximum: 10_000 })),
    reuseMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 })),
  },
  { additionalProperties: false },
);
export type SuspiciousQuery = Static<typeof SuspiciousQuerySchema>;

/** Someone at a till scanning or typing many codes that do not exist: guessing codes. */
export const FailedScanBurstSchema = Type.Object({
  userId: IdSchema,
  userName: Type.String(),
  userEmail: Type.String(),
  storeId: Type.Union([IdSchema, Type.Null()]),
  storeName: Type.Union([Type.String(), Type.Null()]),
  /** The most failed scans within one `burstMinutes` window. */
  peakFailures: Type.Integer(),
  /** When that window ended (its last failed scan). */
  peakAt: TimestampSchema,
  /** All failed scans of this person at this store in the period. */
  notFound: Type.Integer(),
  invalidCode: Type.Integer(),
  firstAt: TimestampSchema,
  lastAt: TimestampSchema,
});
export type FailedScanBurst = Static<typeof FailedScanBurstSchema>;

/** A redeemed coupon presented again at another store shortly after: a copied code. */
export const CrossStoreReuseSchema = Type.Object({
  couponId: IdSchema,
  displayCode: Type.String(),
  campaignId: IdSchema,
  campaignName: Type.String(),
  redemptionId: IdSchema,
  redeemedAt: TimestampSchema,
  redeemedStoreId: IdSchema,
  redeemedStoreName: Type.String(),
  scanId: IdSchema,
  refusedAt: TimestampSchema,
  refusedStoreId: IdSchema,
  refusedStoreName: Type.String(),
  refusedUserId: IdSchema,
  refusedUserName: Type.String(),
  /** Whole seconds between the redemption and the refused scan. */
  secondsAfter: Type.Integer(),
});
export type CrossStoreReuse = Static<typeof CrossStoreReuseSchema>;

/** 200 answer of GET /api/stats/suspicious; each list is newest first, at most 100 entries. */
export const SuspiciousActivitySchema = Type.Object({
  since: TimestampSchema,
  until: TimestampSchema,
  burstMinutes: Type.Integer(),
  minFailures: Type.Integer(),
  reuseMinutes: Type.Integer(),
  failedScanBursts: Type.Array(FailedScanBurstSchema),
  crossStoreReuse: Type.Array(CrossStoreReuseSchema),
});
export type SuspiciousActivity = Static<typeof SuspiciousActivitySchema>;

// --- Live feed (server-sent events) ----------------------------------------------------------

/** GET /api/stats/stream: optionally only one campaign's events. */
export const StatsStreamQuerySchema = Type.Object(
  { campaignId: Type.Optional(IdSchema) },
  { additionalProperties: false },
);
export type StatsStreamQuery = Static<typeof StatsStreamQuerySchema>;

/**
 * SSE event names. `ready`: the stream is open (data: StreamReady). `ledger`: a committed ledger
 * row (data: LedgerEvent). `resync`: events may have been missed (the server's database listener
 * reconnected); refetch the figures. `ping` (data: `{}`): the heartbeat, every `heartbeatSeconds`
 * (StreamReady; 15 s by default), an event rather than an SSE comment because EventSource never
 * surfaces comments: a client that hears nothing for two heartbeats treats the stream as dead.
 */
export const STREAM_EVENTS = ['ready', 'ledger', 'resync', 'ping'] as const;
export type StreamEventName = (typeof STREAM_EVENTS)[number];
export const STREAM_HEARTBEAT_SECONDS = 15;

export const StreamReadySchema = Type.Object({
  campaignId: Type.Union([IdSchema, Type.Null()]),
  heartbeatSeconds: Type.Integer(),
});
export type StreamReady = Static<typeof StreamReadySchema>;

/** data of a `ledger` event: a redemption or reversal, announced after its transaction commits. */
export const LedgerEventSchema = Type.Object({
  /** The ledger row's id. */
  id: IdSchema,
  kind: Type.Union([Type.Literal('redemption'), Type.Literal('reversal')]),
  couponId: IdSchema,
  campaignId: IdSchema,
  storeId: IdSchema,
  userId: IdSchema,
  createdAt: TimestampSchema,
});
export type LedgerEvent = Static<typeof LedgerEventSchema>;

/** When the stream is down the console polls GET /api/stats/overview this often. */
export const STATS_POLL_SECONDS = 5;
