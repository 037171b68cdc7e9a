// Issuing, listing, previewing and voiding coupons.
import { compactCode, generateCouponCode, parseCouponCode } from '@couponscan/shared/code';
import type { Page } from '@couponscan/shared/common';
import type { Coupon, CouponPreview, ListCouponsQuery } from '@couponscan/shared/coupons';
import type { Transaction } from 'kysely';
import type { Database, DB } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { invalidCodeDetail, parseCodeOrThrow } from '../../lib/coupon-code.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { uuidv7Drawer } from '../../lib/uuidv7.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { toDiscount } from '../campaigns/campaigns.mapper.ts';
import { campaignOpenForIssuing } from '../campaigns/campaigns.service.ts';
import { toEarlierRedemption } from '../redemptions/redemptions.mapper.ts';
import { campaignStoreNames, findCampaign } from '../campaigns/campaigns.repository.ts';
import { insertLookupScan, standingRedemptions } from '../redemptions/redemptions.repository.ts';
import { existingStoreIds } from '../stores/stores.repository.ts';
import { toCoupon } from './coupons.mapper.ts';
import {
  findCouponForRedemption,
  insertCodesSkippingTaken,
  listCampaignCoupons,
  voidCouponRow,
} from './coupons.repository.ts';

/** Draws codes until `count` are inserted: a taken code is drawn again, never reported. */
export async function issueCoupons(
  db: Database,
  campaignId: string,
  count: number,
  drawCode: () => string = generateCouponCode,
): Promise<Coupon[]> {
  return transaction(db, (trx) => issueCouponsInTransaction(trx, campaignId, count, drawCode));
}

export async function issueCouponsInTransaction(
  trx: Transaction<DB>,
  campaignId: string,
  count: number,
  drawCode: () => string = generateCouponCode,
): Promise<Coupon[]> {
  const campaign = await campaignOpenForIssuing(trx, campaignId);
  const target = { campaignId, maxRedemptions: campaign.max_redemptions_per_coupon, batchId: null };
  const drawId = uuidv7Drawer();
  const issued: Coupon[] = [];
  for (let attempt = 0; issued.length < count; attempt++) {
    if (attempt > 20) throw new Error('could not draw free codes: is the random source broken?');
    const codes = new Set<string>();
    while (codes.size < count - issued.length) codes.add(drawCode());
    const rows = await insertCodesSkippingTaken(
      trx,
      target,
      [...codes],
      [...codes].map(() => drawId()),
    )
      .returningAll()
      .execute();
    issued.push(...rows.map(toCoupon));
  }
  return issued;
}

export async function listCoupons(
  db: Database,
  campaignId: string,
  query: ListCouponsQuery,
): Promise<Page<Coupon>> {
  if ((await findCampaign(db, campaignId)) === undefined)
    throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
  const limit = query.limit ?? 50;
  const rows = await listCampaignCoupons(
    db,
    campaignId,
    query.status,
    decodeCursor(query.cursor),
    limit,
    codeSearchPrefixes(query.q),
  );
  return toPage(rows, limit, toCoupon);
}

/**
 * What a code search matches: the start of the stored (compact, upper-case) code as typed, and
 * read with Crockford's rules (O as 0, I and L as 1) for generated codes; imported codes may hold
 * those letters, so both are tried.
 */
export function codeSearchPrefixes(q: string | undefined): string[] {
  if (q === undefined) return [];
  const compact = compactCode(q.trim());
  if (compact === '') return [];
  if (!/^[0-9A-Z]+$/.test(compact)) {
    throw new HttpProblem(422, 'validation_failed', 'a code has only letters and digits', {}, [
      { pointer: '/querystring/q', message: 'may hold only letters, digits, spaces and dashes' },
    ]);
  }
  const folded = compact.replace(/O/g, '0').replace(/[IL]/g, '1');
  return folded === compact ? [compact] : [compact, folded];
}

export async function previewCoupon(
  db: Database,
  user: AuthUser,
  raw: string,
  storeId: string | undefined,
): Promise<CouponPreview> {
  if (user.role === 'staff' && storeId !== undefined && storeId !== user.storeId) {
    throw new HttpProblem(403, 'forbidden', 'Staff see coupons only for their own store.');
  }
  const judgedStore = user.role === 'staff' ? user.storeId : (storeId ?? null);
  // the look-up's scan names the store: an unknown one is the caller's mistake, not a foreign-key error
  if (
    user.role !== 'staff' &&
    storeId !== undefined &&
    !(await existingStoreIds(db, [storeId])).has(storeId)
  ) {
    throw new HttpProblem(422, 'validation_failed', 'There is no such store.', {}, [
      { pointer: '/querystring/storeId', message: 'names no store' },
    ]);
  }
  // An invalid code is looked up too (it can match nothing: imports refuse such codes), so a
  // guess that is malformed and one that is merely unknown cost the same work and leave the
  // same audit row; neither answer tells anything about which codes exist.
  const parsed = parseCouponCode(raw);
  const code = parsed.ok ? parsed.code : compactCode(raw).slice(0, 300);
  const coupon = await findCouponForRedemption(db, code, judgedStore).executeTakeFirst();
  if (coupon === undefined) {
    const outcome = parsed.ok ? 'not_found' : 'invalid_code';
    const scanId = await insertLookupScan(db, {
      couponId: null,
      code,
      outcome,
      storeId: judgedStore,
      userId: user.id,
    });
    throw parsed.ok
      ? new HttpProblem(404, 'not_found', 'No coupon has this code.', { outcome, scanId })
      : new HttpProblem(422, 'invalid_code', invalidCodeDetail(parsed.reason), { outcome, scanId });
  }
  const reason = coupon.refusal;
  await insertLookupScan(db, {
    couponId: coupon.id,
    code: coupon.code,
    outcome: reason ?? 'redeemable',
    storeId: judgedStore,
    userId: user.id,
  });
  return {
    coupon: toCoupon(coupon),
    campaign: {
      id: coupon.campaign_id,
      name: coupon.campaign_name,
      discount: toDiscount(coupon),
      status: coupon.campaign_status,
      validFrom: coupon.valid_from?.toISOString() ?? null,
      validUntil: coupon.valid_until?.toISOString() ?? null,
    },
    redemptionsLeft: Math.max(0, coupon.max_redemptions - coupon.redemption_count),
    redeemable: reason === null && user.role !== 'marketer' && judgedStore !== null,
    reason,
    redemptions: (await standingRedemptions(db, coupon.id)).map(toEarlierRedemption),
    ...(reason === 'wrong_store'
      ? { validStoreNames: await campaignStoreNames(db, coupon.campaign_id) }
      : {}),
  };
}

export async function voidCoupon(
  db: Database,
  user: AuthUser,
  raw: string,
  reason: string,
): Promise<Coupon> {
  const code = parseCodeOrThrow(raw);
  return transaction(db, async (trx) => {
    const found = await findCouponForRedemption(trx, code, null).executeTakeFirst();
    if (found === undefined) throw new HttpProblem(404, 'not_found', 'No coupon has this code.');
    // No lock of its own: the UPDATE locks the coupon's row, so a void waits for a redemption,
    // undo or void of this coupon in flight (they lock the row first) and then judges the
    // committed row (`voided_at is null`: a second void finds nothing to change).
    const voided = await voidCouponRow(trx, found.id, reason.trim(), user.id);
    if (voided === undefined)
      throw new HttpProblem(409, 'conflict', 'This coupon is voided already.');
    return toCoupon(voided);
  });
}
