// All Kysely for coupons.
import type { RefusalOutcome } from '@couponscan/shared/errors';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

/** Where new coupons go: their campaign, its redemption limit, and the batch that issues them. */
export interface CouponTarget {
  campaignId: string;
  maxRedemptions: number;
  batchId: string | null;
}

/**
 * The one coupon insert, for in-request issuing and batches alike: the codes that are free, in
 * one statement (INSERT … SELECT FROM unnest). A code that exists already, or twice in `codes`,
 * is skipped by the unique index, so the caller draws again. `ids` (time-ordered, one per code)
 * become the coupons' ids. Returned unexecuted: `.returningAll()` for the rows, or the count.
 */
export function insertCodesSkippingTaken(
  db: Database,
  target: CouponTarget,
  codes: readonly string[],
  ids: readonly string[],
) {
  if (ids.length !== codes.length) throw new Error('one id per code');
  return db
    .insertInto('coupons')
    .columns(['id', 'campaign_id', 'code', 'max_redemptions', 'batch_id'])
    .expression(
      db
        .selectFrom(
          sql<{
            id: string;
            code: string;
          }>`(select unnest(${sql.val(ids)}::uuid[]) as id, unnest(${sql.val(codes)}::text[]) as code)`.as(
            'drawn',
          ),
        )
        .select([
          'drawn.id',
          sql.val(target.campaignId).as('campaign_id'),
          'drawn.code',
          sql.val(target.maxRedemptions).as('max_redemptions'),
          sql.val(target.batchId).as('batch_id'),
        ]),
    )
    .onConflict((oc) => oc.column('code').doNothing());
}

/**
 * The codes that start with `prefix` are those in [from, below) byte by byte: `below` is the
 * prefix with its last character raised by one. Codes are upper-case ASCII letters and digits.
 */
export function prefixRange(prefix: string): { from: string; below: string } {
  const last = prefix.charCodeAt(prefix.length - 1);
  return { from: prefix, below: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

export type CouponStatusFilter = 'active' | 'redeemed' | 'voided';

export function listCampaignCoupons(
  db: Database,
  campaignId: string,
  status: CouponStatusFilter | undefined,
  after: Position | null,
  limit: number,
  codePrefixes: readonly string[] = [],
) {
  let query = db
    .selectFrom('coupons')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (status === 'voided') query = query.where('voided_at', 'is not', null);
  if (status === 'redeemed') {
    query = query
      .where('voided_at', 'is', null)
      .whereRef('redemption_count', '>=', 'max_redemptions');
  }
  if (status === 'active') {
    query = query
      .where('voided_at', 'is', null)
      .whereRef('redemption_count', '<', 'max_redemptions');
  }
  if (codePrefixes.length > 0) {
    // A prefix as a byte range, which coupons_campaign_code_prefix_idx (text_pattern_ops) reads
    // directly, in any database collation.
    query = query.where((eb) =>
      eb.or(
        codePrefixes.map((prefix) => {
          const { from, below } = prefixRange(prefix);
          return eb.and([eb('code', sql`~>=~`, from), eb('code', sql`~<~`, below)]);
        }),
      ),
    );
  }
  if (after !== null) query = query.where(olderThan('coupons', 'coupons', after));

  return query.execute();
}

/**
 * The coupon with its campaign and why it may not be redeemed now (`refusal`, by the database's
 * rules in redemption_refusal(): the redemption itself judges by the same function). A null
 * `storeId` judges without a store (a marketer's preview).
 */
export function findCouponForRedemption(db: Database, code: string, storeId: string | null) {
  return db
    .selectFrom('coupons')
    .innerJoin('campaigns', 'campaigns.id', 'coupons.campaign_id')
    .selectAll('coupons')
    .select([
      'campaigns.name as campaign_name',
      'campaigns.status as campaign_status',
      'campaigns.valid_from',
      'campaigns.valid_until',
      'campaigns.discount_type',
      'campaigns.discount_value',
      'campaigns.discount_currency',
      'campaigns.discount_description',
      (eb) => {
        const storeAllowed =
          storeId === null
            ? sql<boolean | null>`null`
            : eb.or([
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('campaign_stores')
                      .whereRef('campaign_stores.campaign_id', '=', 'campaigns.id')
                      .select(sql.lit(1).as('one')),
                  ),
                ),
                eb.exists(
                  eb
                    .selectFrom('campaign_stores')
                    .whereRef('campaign_stores.campaign_id', '=', 'campaigns.id')
                    .where('campaign_stores.store_id', '=', storeId)
                    .select(sql.lit(1).as('one')),
                ),
              ]);
        // the rules judge the coupon's and the campaign's rows, as in redeem_coupon()
        return sql<RefusalOutcome | null>`redemption_refusal(coupons, campaigns, ${storeAllowed}, now())`.as(
          'refusal',
        );
      },
    ])
    .where('coupons.code', '=', code);
}
export type CouponForRedemption = Awaited<
  ReturnType<ReturnType<typeof findCouponForRedemption>['executeTakeFirstOrThrow']>
>;

export function lockCouponById(db: Database, couponId: string) {
  return db
    .selectFrom('coupons')
    .selectAll()
    .where('id', '=', couponId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Voids a coupon not voided yet (undefined otherwise). The UPDATE takes the row's lock itself, so
 * it waits for whoever holds the coupon (a redemption, an undo) and judges the committed row.
 */
export function voidCouponRow(db: Database, couponId: string, reason: string, userId: string) {
  return db
    .updateTable('coupons')
    .set({ voided_at: sql<Date>`clock_timestamp()`, void_reason: reason, voided_by: userId })
    .where('id', '=', couponId)
    .where('voided_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export function couponExists(db: Database, code: string) {
  return db.selectFrom('coupons').select('id').where('code', '=', code).executeTakeFirst();
}

/** The planner's estimate of how many coupons exist: an O(1) upper bound for the guess rule. */
export async function estimateCouponCount(db: Database): Promise<number> {
  const row = await db
    .selectFrom(sql<{ reltuples: number }>`pg_class`.as('c'))
    .select(sql<number>`greatest(reltuples, 0)::float8`.as('estimate'))
    .where(sql`oid`, '=', sql`'coupons'::regclass`)
    .executeTakeFirst();
  return row?.estimate ?? 0;
}

/** One slice of a batch's coupons in code order, for the printable sheet. */
export function listBatchCoupons(db: Database, batchId: string, afterCode: string, limit: number) {
  return db
    .selectFrom('coupons')
    .select(['code'])
    .where('batch_id', '=', batchId)
    .where('code', '>', afterCode)
    .orderBy('code')
    .limit(limit)
    .execute();
}

/** The code just before the `offset`-th coupon of the batch, in code order ('' for the first). */
export async function batchCodeBefore(
  db: Database,
  batchId: string,
  offset: number,
): Promise<string | null> {
  if (offset === 0) return '';
  const row = await db
    .selectFrom('coupons')
    .select('code')
    .where('batch_id', '=', batchId)
    .orderBy('code')
    .offset(offset - 1)
    .limit(1)
    .executeTakeFirst();
  return row?.code ?? null;
}
