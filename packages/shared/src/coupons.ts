import { Type, type Static } from '@sinclair/typebox';
import { CampaignStatusSchema, DiscountViewSchema } from './campaigns.ts';
import { IdSchema, NonBlankStringSchema, PageQuerySchema, TimestampSchema } from './common.ts';
import { REFUSAL_OUTCOMES } from './errors.ts';

export const COUPON_STATUSES = ['active', 'redeemed', 'voided'] as const;
/** active: redemptions left; redeemed: none left; voided: cancelled by a marketer. */
export const CouponStatusSchema = Type.Union(COUPON_STATUSES.map((s) => Type.Literal(s)));
export type CouponStatus = (typeof COUPON_STATUSES)[number];

export const CouponSchema = Type.Object({
  id: IdSchema,
  /** Normalised form: upper-case, no dashes. */
  code: Type.String(),
  /** How people read it: generated codes in groups of four. */
  displayCode: Type.String(),
  campaignId: IdSchema,
  status: CouponStatusSchema,
  redemptionCount: Type.Integer(),
  maxRedemptions: Type.Integer(),
  createdAt: TimestampSchema,
  voidedAt: Type.Union([TimestampSchema, Type.Null()]),
  voidReason: Type.Union([Type.String(), Type.Null()]),
});
export type Coupon = Static<typeof CouponSchema>;

export const CodeParamsSchema = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 300 }),
});

export const IssueCouponsBodySchema = Type.Object(
  { count: Type.Integer({ minimum: 1, maximum: 10_000 }) },
  { additionalProperties: false },
);
export type IssueCouponsBody = Static<typeof IssueCouponsBodySchema>;

export const IssueCouponsResponseSchema = Type.Object({ items: Type.Array(CouponSchema) });

export const ListCouponsQuerySchema = Type.Composite([
  PageQuerySchema,
  Type.Object({
    status: Type.Optional(CouponStatusSchema),
    /**
     * Code search: coupons whose normalised code starts with this, read like any code (case,
     * dashes and spaces do not matter; O reads as 0, I and L as 1).
     */
    q: Type.Optional(Type.String({ maxLength: 300 })),
  }),
]);
export type ListCouponsQuery = Static<typeof ListCouponsQuerySchema>;

export const EarlierRedemptionSchema = Type.Object({
  redemptionId: IdSchema,
  redeemedAt: TimestampSchema,
  storeId: IdSchema,
  storeName: Type.String(),
  userId: IdSchema,
  userName: Type.String(),
});
export type EarlierRedemption = Static<typeof EarlierRedemptionSchema>;

export const CouponPreviewSchema = Type.Object({
  coupon: CouponSchema,
  campaign: Type.Object({
    id: IdSchema,
    name: Type.String(),
    discount: DiscountViewSchema,
    status: CampaignStatusSchema,
    validFrom: Type.Union([TimestampSchema, Type.Null()]),
    validUntil: Type.Union([TimestampSchema, Type.Null()]),
  }),
  redemptionsLeft: Type.Integer(),
  /** Whether the caller could redeem it here and now. */
  redeemable: Type.Boolean(),
  /** Why not, when `redeemable` is false. */
  reason: Type.Union([Type.Union(REFUSAL_OUTCOMES.map((o) => Type.Literal(o))), Type.Null()]),
  /** Redemptions that stand, newest first. */
  redemptions: Type.Array(EarlierRedemptionSchema),
  /** When `reason` is wrong_store: the names of the stores where the coupon is valid. */
  validStoreNames: Type.Optional(Type.Array(Type.String())),
});
export type CouponPreview = Static<typeof CouponPreviewSchema>;

export const PreviewQuerySchema = Type.Object({
  /** For admins, who belong to no store: the store to judge `redeemable` for. */
  storeId: Type.Optional(IdSchema),
});

export const VoidCouponBodySchema = Type.Object(
  { reason: NonBlankStringSchema(500) },
  { additionalProperties: false },
);
export type VoidCouponBody = Static<typeof VoidCouponBodySchema>;
