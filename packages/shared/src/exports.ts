// CSV exports: streamed from PostgreSQL, UTF-8, RFC 4180 quoting, a header row.
import { Type, type Static } from '@sinclair/typebox';
import { IdSchema, TimestampSchema } from './common.ts';
import { COUPON_STATUSES } from './coupons.ts';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** `unused`: never redeemed and not voided (what a shop can still hand out). */
export const COUPON_EXPORT_FILTERS = [...COUPON_STATUSES, 'unused'] as const;
export type CouponExportFilter = (typeof COUPON_EXPORT_FILTERS)[number];

export const CouponsCsvQuerySchema = Type.Object(
  { status: Type.Optional(Type.Union(COUPON_EXPORT_FILTERS.map((s) => Type.Literal(s)))) },
  { additionalProperties: false },
);
export type CouponsCsvQuery = Static<typeof CouponsCsvQuerySchema>;

export const COUPONS_CSV_COLUMNS = [
  'code',
  'display_code',
  'status',
  'redemption_count',
  'max_redemptions',
  'batch_id',
  'created_at',
  'voided_at',
] as const;

export const RedemptionsCsvQuerySchema = Type.Object(
  {
    campaignId: Type.Optional(IdSchema),
    storeId: Type.Optional(IdSchema),
    /** The staff member (or admin) who made the entry. */
    userId: Type.Optional(IdSchema),
    /** inclusive */
    from: Type.Optional(TimestampSchema),
    /** exclusive */
    to: Type.Optional(TimestampSchema),
  },
  { additionalProperties: false },
);
export type RedemptionsCsvQuery = Static<typeof RedemptionsCsvQuerySchema>;

export const REDEMPTIONS_CSV_COLUMNS = [
  'id',
  'kind',
  'created_at',
  'code',
  'campaign_id',
  'campaign_name',
  'store_code',
  'store_name',
  'staff_name',
  'staff_email',
  'reverses_id',
  'reversed_by_id',
  'reason',
] as const;
