// Kysely's view of the tables. Keep in step with migrations/.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** pg returns numeric as a string to keep its precision. */
type Numeric = ColumnType<string, string | number, string | number>;

export interface StoresTable {
  id: Generated<string>;
  code: string;
  name: string;
  /** IANA time zone, default UTC. */
  time_zone: Generated<string>;
  created_at: CreatedAt;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  role: 'admin' | 'marketer' | 'staff';
  store_id: string | null;
  password_hash: string;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  secret_hash: string;
  secret_prefix: string;
  created_by: string | null;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface CampaignsTable {
  id: Generated<string>;
  name: string;
  discount_type: 'percent' | 'fixed_amount' | 'free_item';
  discount_value: Numeric | null;
  discount_currency: string | null;
  discount_description: Generated<string>;
  max_redemptions_per_coupon: Generated<number>;
  valid_from: Timestamp | null;
  valid_until: Timestamp | null;
  /** IANA time zone the validity window's days are read in, default UTC. */
  time_zone: Generated<string>;
  status: Generated<'active' | 'paused' | 'archived'>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CampaignStoresTable {
  campaign_id: string;
  store_id: string;
}

export interface CouponsTable {
  id: Generated<string>;
  campaign_id: string;
  code: string;
  max_redemptions: number;
  /** Read-only for the application: the ledger trigger maintains it. */
  redemption_count: ColumnType<number, never, never>;
  voided_at: Timestamp | null;
  void_reason: string | null;
  voided_by: string | null;
  created_at: CreatedAt;
  /** The batch it was issued or imported in; null when issued one call at a time. */
  batch_id: ColumnType<string | null, string | null | undefined, never>;
}

export interface ScansTable {
  id: Generated<string>;
  coupon_id: string | null;
  code: string;
  outcome: string;
  store_id: string | null;
  user_id: string;
  /** 'lookup': GET /api/coupons/:code; 'redemption': POST /api/redemptions */
  kind: Generated<'redemption' | 'lookup'>;
  created_at: CreatedAt;
}

export interface TransactionsTable {
  id: Generated<string>;
  kind: 'redemption' | 'reversal';
  coupon_id: string;
  store_id: string;
  user_id: string;
  scan_id: string | null;
  reverses_id: string | null;
  reverses_kind: 'redemption' | null;
  reason: string | null;
  created_at: CreatedAt;
  /** The coupon's campaign, set by a trigger on insert. */
  campaign_id: ColumnType<string, never, never>;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  response_status: number | null;
  /** The answer of keys stored before migration 2026_12_01_0000, as jsonb. */
  response_body: ColumnType<unknown, string | null, string | null>;
  /** The answer as it was sent (json text, replayed byte for byte). */
  response_json: ColumnType<unknown, string | null, string | null>;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface BatchesTable {
  id: Generated<string>;
  campaign_id: string;
  source: Generated<'generated' | 'imported'>;
  count: number;
  prefix: string | null;
  status: Generated<'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'>;
  generated: Generated<number>;
  error: string | null;
  created_by: string | null;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface WebhookEndpointsTable {
  id: Generated<string>;
  url: string;
  description: Generated<string>;
  events: string[];
  secret: string;
  enabled: Generated<boolean>;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** The outbox: written by triggers in the transaction that makes the change. */
export interface WebhookEventsTable {
  id: Generated<string>;
  type: string;
  data: ColumnType<unknown, string, never>;
  created_at: CreatedAt;
  dispatched_at: Timestamp | null;
}

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  endpoint_id: string;
  event_id: string;
  status: Generated<'pending' | 'succeeded' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  number: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  created_at: CreatedAt;
}

/** Issued and voided coupons per campaign, kept by triggers on coupons. */
export interface CampaignCouponCountsTable {
  campaign_id: string;
  issued: ColumnType<number, never, never>;
  voided: ColumnType<number, never, never>;
}

/** Issued and voided changes appended by the coupons' triggers, until the job folds them in. */
export interface CampaignCouponCountChangesTable {
  campaign_id: string;
  issued: ColumnType<number, never, never>;
  voided: ColumnType<number, never, never>;
}

/** View: campaign_coupon_counts plus the changes not folded in yet. */
export interface CampaignCouponTotalsView {
  campaign_id: string;
  issued: ColumnType<number, never, never>;
  voided: ColumnType<number, never, never>;
}

/** How far the statistics rollup has got (one row). */
export interface StatsRollupStateTable {
  id: ColumnType<boolean, never, never>;
  watermark: Timestamp;
  rolled_up_at: Timestamp | null;
}

type BucketSpan = 'quarter' | 'day';

/** Ledger rows before the watermark per bucket and campaign (null: every campaign). */
export interface StatsLedgerBucketsTable {
  span: BucketSpan;
  campaign_id: string | null;
  bucket: Date;
  redemptions: number;
  reversals: number;
}

/** Ledger rows before the watermark per bucket, campaign (null: every campaign) and store. */
export interface StatsStoreBucketsTable {
  span: BucketSpan;
  campaign_id: string | null;
  bucket: Date;
  store_id: string;
  redemptions: number;
  reversals: number;
}

/** Refused redemption scans before the watermark per bucket, campaign and outcome. */
export interface StatsRefusalBucketsTable {
  span: BucketSpan;
  campaign_id: string | null;
  bucket: Date;
  outcome: string;
  scans: number;
}

/** Net redemptions and coupons redeemed (net) per campaign, from ledger rows before the watermark. */
export interface StatsCampaignRedemptionsTable {
  campaign_id: string;
  redemptions: number;
  redeemed: number;
}

export interface DB {
  stores: StoresTable;
  users: UsersTable;
  sessions: SessionsTable;
  campaigns: CampaignsTable;
  campaign_stores: CampaignStoresTable;
  coupons: CouponsTable;
  scans: ScansTable;
  transactions: TransactionsTable;
  idempotency_keys: IdempotencyKeysTable;
  batches: BatchesTable;
  api_tokens: ApiTokensTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  campaign_coupon_counts: CampaignCouponCountsTable;
  campaign_coupon_count_changes: CampaignCouponCountChangesTable;
  campaign_coupon_totals: CampaignCouponTotalsView;
  stats_rollup_state: StatsRollupStateTable;
  stats_ledger_buckets: StatsLedgerBucketsTable;
  stats_store_buckets: StatsStoreBucketsTable;
  stats_refusal_buckets: StatsRefusalBucketsTable;
  stats_campaign_redemptions: StatsCampaignRedemptionsTable;
}
