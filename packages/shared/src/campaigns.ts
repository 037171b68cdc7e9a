import { Type, type Static } from '@sinclair/typebox';
import {
  IdSchema,
  NonBlankStringSchema,
  PageQuerySchema,
  TimeZoneSchema,
  TimestampSchema,
} from './common.ts';

export const DISCOUNT_TYPES = ['percent', 'fixed_amount', 'free_item'] as const;
export type DiscountType = (typeof DISCOUNT_TYPES)[number];

/**
 * percent: `value` above 0 and at most 100; fixed_amount: `value` in major units (e.g. 5.5) with
 * an ISO 4217 `currency`; both with at most two decimals. free_item: `description` names the item.
 * `description` is shown to staff.
 */
export const DiscountSchema = Type.Object(
  {
    type: Type.Union(DISCOUNT_TYPES.map((type) => Type.Literal(type))),
    value: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }), Type.Null()]),
    ),
    currency: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]{3}$' }), Type.Null()])),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type DiscountInput = Static<typeof DiscountSchema>;

export const DiscountViewSchema = Type.Object({
  type: Type.Union(DISCOUNT_TYPES.map((type) => Type.Literal(type))),
  value: Type.Union([Type.Number(), Type.Null()]),
  currency: Type.Union([Type.String(), Type.Null()]),
  description: Type.String(),
});
export type Discount = Static<typeof DiscountViewSchema>;

export const CAMPAIGN_STATUSES = ['active', 'paused', 'archived'] as const;
export const CampaignStatusSchema = Type.Union(CAMPAIGN_STATUSES.map((s) => Type.Literal(s)));
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const CampaignCountsSchema = Type.Object({
  /** coupons issued (including voided ones) */
  issued: Type.Integer(),
  /** coupons redeemed at least once and not fully reversed */
  redeemed: Type.Integer(),
  voided: Type.Integer(),
  /** redemptions that stand (redemptions minus reversals) */
  redemptions: Type.Integer(),
});

export const CampaignSchema = Type.Object({
  id: IdSchema,
  name: Type.String(),
  discount: DiscountViewSchema,
  maxRedemptionsPerCoupon: Type.Integer(),
  validFrom: Type.Union([TimestampSchema, Type.Null()]),
  validUntil: Type.Union([TimestampSchema, Type.Null()]),
  /**
   * IANA time zone the validity window's calendar days are meant in, e.g. `Europe/Berlin`:
   * "valid until 31 Dec" is the `validUntil` instant 31 Dec ends there. The window itself is
   * stored as instants; the zone is how the console shows and enters them.
   */
  timeZone: TimeZoneSchema,
  /** Stores where the campaign's coupons may be redeemed; empty means every store. */
  storeIds: Type.Array(IdSchema),
  status: CampaignStatusSchema,
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Campaign = Static<typeof CampaignSchema>;

export const CampaignDetailSchema = Type.Composite([
  CampaignSchema,
  Type.Object({ counts: CampaignCountsSchema }),
]);
export type CampaignDetail = Static<typeof CampaignDetailSchema>;

export const CreateCampaignBodySchema = Type.Object(
  {
    name: NonBlankStringSchema(200),
    discount: DiscountSchema,
    maxRedemptionsPerCoupon: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
    ),
    validFrom: Type.Optional(Type.Union([TimestampSchema, Type.Null()])),
    validUntil: Type.Optional(Type.Union([TimestampSchema, Type.Null()])),
    /** Default `UTC`; a zone that does not exist is `422 validation_failed` at `/body/timeZone`. */
    timeZone: Type.Optional(TimeZoneSchema),
    storeIds: Type.Optional(Type.Array(IdSchema, { maxItems: 10_000, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type CreateCampaignBody = Static<typeof CreateCampaignBodySchema>;

export const UpdateCampaignBodySchema = Type.Object(
  {
    name: Type.Optional(NonBlankStringSchema(200)),
    discount: Type.Optional(DiscountSchema),
    validFrom: Type.Optional(Type.Union([TimestampSchema, Type.Null()])),
    validUntil: Type.Optional(Type.Union([TimestampSchema, Type.Null()])),
    /** Changing it moves no instant: send `validFrom`/`validUntil` again to keep their days. */
    timeZone: Type.Optional(TimeZoneSchema),
    storeIds: Type.Optional(Type.Array(IdSchema, { maxItems: 10_000, uniqueItems: true })),
    status: Type.Optional(CampaignStatusSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateCampaignBody = Static<typeof UpdateCampaignBodySchema>;

/** An item of GET /api/campaigns: the campaign with its figures. */
export const CampaignListItemSchema = Type.Composite([
  CampaignSchema,
  Type.Object({
    counts: CampaignCountsSchema,
    /** counts.redeemed / counts.issued, 0..1; null when nothing was issued. */
    redemptionRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  }),
]);
export type CampaignListItem = Static<typeof CampaignListItemSchema>;

export const ListCampaignsQuerySchema = Type.Composite([
  PageQuerySchema,
  Type.Object({
    status: Type.Optional(CampaignStatusSchema),
    /** Campaigns whose name contains this, ignoring case. */
    q: Type.Optional(Type.String({ maxLength: 200 })),
  }),
]);
export type ListCampaignsQuery = Static<typeof ListCampaignsQuerySchema>;
