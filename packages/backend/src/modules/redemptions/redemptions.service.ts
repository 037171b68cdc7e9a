// Redeeming and reversing coupons. The seed's locked transaction, kept whole: claim the
// idempotency key, lock the coupon row (SELECT … FOR UPDATE), check the rules, write the scan and
// the ledger row, store the answer, commit. The database's constraints back every step.
import { createHash } from 'node:crypto';
import { formatCouponCode, parseCouponCode } from '@couponscan/shared/code';
import type { Page } from '@couponscan/shared/common';
import type { ErrorCode, Problem, RefusalOutcome } from '@couponscan/shared/errors';
import type {
  LedgerEntry,
  ListRedemptionsQuery,
  RedeemBody,
  RedemptionSuccess,
} from '@couponscan/shared/redemptions';
import type { Transaction } from 'kysely';
import type { Database, DB } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { invalidCodeDetail } from '../../lib/coupon-code.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { HttpProblem, problemBody } from '../../plugins/errors.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { toDiscount } from '../campaigns/campaigns.mapper.ts';
import {
  findCouponForRedemption,
  lockCouponById,
  type CouponForRedemption,
} from '../coupons/coupons.repository.ts';
import { refusalFor } from './redemption.rules.ts';
import { toEarlierRedemption, toLedgerEntry } from './redemptions.mapper.ts';
import {
  campaignStoreNames,
  claimIdempotencyKey,
  findIdempotencyKey,
  findLedgerEntry,
  findStore,
  insertRedemption,
  insertReversal,
  insertScan,
  listLedger,
  standingRedemptions,
  storeIdempotentResponse,
  type LedgerRow,
} from './redemptions.repository.ts';

export const IDEMPOTENCY_TTL_HOURS = 24;

export interface RedemptionAnswer {
  status: number;
  body: RedemptionSuccess | Problem;
  /** true when the answer is a stored one, replayed for a retried Idempotency-Key */
  replayed: boolean;
}

interface Store {
  id: string;
  name: string;
}

/** The store a redemption happens in: staff redeem in their own; admins name one. */
export async function redemptionStore(
  db: Database,
  user: AuthUser,
  requested: string | undefined,
): Promise<Store> {
  if (user.role === 'staff') {
    if (user.storeId === null || user.storeName === null)
      throw new HttpProblem(403, 'forbidden', 'You belong to no store.');
    if (requested !== undefined && requested !== user.storeId) {
      throw new HttpProblem(403, 'forbidden', 'Staff redeem only in their own store.');
    }
    return { id: user.storeId, name: user.storeName };
  }
  if (requested === undefined) {
    throw new HttpProblem(422, 'validation_failed', 'Name the store to redeem in.', {}, [
      { pointer: '/body/storeId', message: 'is required for admins' },
    ]);
  }
  const store = await findStore(db, requested);
  if (store === undefined) {
    throw new HttpProblem(422, 'validation_failed', 'There is no such store.', {}, [
      { pointer: '/body/storeId', message: 'names no store' },
    ]);
  }
  return store;
}

function describeRefusal(
  outcome: RefusalOutcome,
  coupon: CouponForRedemption,
  store: Store,
): string {
  switch (outcome) {
    case 'already_redeemed':
      return coupon.max_redemptions === 1
        ? 'This coupon has already been used.'
        : `This coupon has been used ${coupon.max_redemptions} times, its limit.`;
    case 'voided':
      return `This coupon was cancelled${coupon.void_reason === null ? '' : `: ${coupon.void_reason}`}.`;
    case 'expired':
      return coupon.campaign_status === 'archived'
        ? `The campaign ${coupon.campaign_name} has ended.`
        : `This coupon expired on ${coupon.valid_until?.toISOString() ?? 'an earlier date'}.`;
    case 'not_yet_valid':
      return `This coupon is valid from ${coupon.valid_from?.toISOString() ?? 'a later date'}.`;
    case 'campaign_paused':
      return `The campaign ${coupon.campaign_name} is paused.`;
    case 'wrong_store':
      return `This coupon is not valid in ${store.name}.`;
  }
}

async function attemptRedemption(
  trx: Transaction<DB>,
  user: AuthUser,
  store: Store,
  rawCode: string,
  undoWindowMinutes: number,
): Promise<{ status: number; body: RedemptionSuccess | Problem }> {
  const parsed = parseCouponCode(rawCode);
  if (!parsed.ok) {
    const scanId = await insertScan(trx, {
      couponId: null,
      code: rawCode,
      outcome: 'invalid_code',
      storeId: store.id,
      userId: user.id,
    });
    const detail = invalidCodeDetail(parsed.reason);
    return {
      status: 422,
      body: problemBody(422, 'invalid_code', detail, { outcome: 'invalid_code', scanId }),
    };
  }

  // The lock: a concurrent redemption, reversal or void of this coupon waits here until we commit.
  const coupon = await findCouponForRedemption(trx, parsed.code, store.id)
    .forUpdate('coupons')
    .executeTakeFirst();
  if (coupon === undefined) {
    const scanId = await insertScan(trx, {
      couponId: null,
      code: parsed.code,
      outcome: 'not_found',
      storeId: store.id,
      userId: user.id,
    });
    return {
      status: 404,
      body: problemBody(404, 'not_found', 'No coupon has this code.', {
        outcome: 'not_found',
        scanId,
      }),
    };
  }

  const refusal = refusalFor({
    voidedAt: coupon.voided_at,
    redemptionCount: coupon.redemption_count,
    maxRedemptions: coupon.max_redemptions,
    campaignStatus: coupon.campaign_status,
    validFrom: coupon.valid_from,
    validUntil: coupon.valid_until,
    storeAllowed: coupon.store_allowed,
    now: coupon.now,
  });
  const known = {
    displayCode: formatCouponCode(parsed.code),
    campaignName: coupon.campaign_name,
    discount: toDiscount(coupon),
    validFrom: coupon.valid_from?.toISOString() ?? null,
    validUntil: coupon.valid_until?.toISOString() ?? null,
  };
  if (refusal !== null) {
    const scanId = await insertScan(trx, {
      couponId: coupon.id,
      code: parsed.code,
      outcome: refusal,
      storeId: store.id,
      userId: user.id,
    });
    const earlier =
      refusal === 'already_redeemed'
        ? {
            earlierRedemptions: (await standingRedemptions(trx, coupon.id)).map(
              toEarlierRedemption,
            ),
          }
        : {};
    // wrong_store: where the coupon can be used instead (issue 11)
    const validStores =
      refusal === 'wrong_store'
        ? { validStoreNames: await campaignStoreNames(trx, coupon.campaign_id) }
        : {};
    return {
      status: 409,
      body: problemBody(409, refusal satisfies ErrorCode, describeRefusal(refusal, coupon, store), {
        outcome: refusal,
        scanId,
        ...known,
        ...earlier,
        ...validStores,
      }),
    };
  }

  const redemption = await insertRedemption(trx, {
    couponId: coupon.id,
    code: parsed.code,
    storeId: store.id,
    userId: user.id,
  });
  // Everything the answer names is at hand already: no query to read back the ledger row.
  const entry: LedgerRow = {
    id: redemption.id,
    kind: 'redemption',
    coupon_id: coupon.id,
    code: coupon.code,
    campaign_id: coupon.campaign_id,
    campaign_name: coupon.campaign_name,
    store_id: store.id,
    store_name: store.name,
    user_id: user.id,
    user_name: user.name,
    created_at: redemption.createdAt,
    reverses_id: null,
    reversed_by_id: null,
    reason: null,
  };
  return {
    status: 201,
    body: {
      outcome: 'redeemed',
      redemption: toLedgerEntry(entry, undoWindowMinutes),
      discount: known.discount,
      redemptionsLeft: coupon.max_redemptions - coupon.redemption_count - 1,
      undoableUntil: new Date(
        redemption.createdAt.getTime() + undoWindowMinutes * 60_000,
      ).toISOString(),
    },
  };
}

export async function redeemCoupon(
  db: Database,
  user: AuthUser,
  body: RedeemBody,
  idempotencyKey: string,
  undoWindowMinutes: number,
): Promise<RedemptionAnswer> {
  const store = await redemptionStore(db, user, body.storeId);
  const requestHash = createHash('sha256')
    .update(JSON.stringify([body.code, store.id]))
    .digest('hex');
  return transaction(db, async (trx) => {
    const claimed = await claimIdempotencyKey(trx, {
      userId: user.id,
      key: idempotencyKey,
      requestHash,
      ttlHours: IDEMPOTENCY_TTL_HOURS,
    });
    if (!claimed) {
      const stored = await findIdempotencyKey(trx, user.id, idempotencyKey);
      if (stored === undefined || stored.response_status === null) {
        throw new HttpProblem(
          409,
          'idempotency_request_in_progress',
          'The first request with this Idempotency-Key is still running.',
        );
      }
      if (stored.request_hash !== requestHash) {
        throw new HttpProblem(
          422,
          'idempotency_key_reused',
          'This Idempotency-Key was used for a different request. Use a new key for a new attempt.',
        );
      }
      return {
        status: stored.response_status,
        body: stored.response_body as RedemptionSuccess | Problem,
        replayed: true,
      };
    }
    const answer = await attemptRedemption(trx, user, store, body.code, undoWindowMinutes);
    await storeIdempotentResponse(trx, { userId: user.id, key: idempotencyKey, ...answer });
    return { ...answer, replayed: false };
  });
}

export async function reverseRedemption(
  db: Database,
  user: AuthUser,
  redemptionId: string,
  reason: string,
  undoWindowMinutes: number,
): Promise<LedgerEntry> {
  const reversalId = await transaction(db, async (trx) => {
    const entry = await findLedgerEntry(trx, redemptionId);
    if (entry?.kind !== 'redemption')
      throw new HttpProblem(404, 'not_found', 'There is no such redemption.');
    if (user.role === 'staff' && entry.store_id !== user.storeId)
      throw new HttpProblem(404, 'not_found', 'There is no such redemption.');
    // The same lock as a redemption: a reversal cannot race a redemption or a void of this coupon.
    await lockCouponById(trx, entry.coupon_id);
    const current = await findLedgerEntry(trx, redemptionId);
    if (current?.reversed_by_id != null) {
      throw new HttpProblem(409, 'already_reversed', 'This redemption has already been undone.', {
        reversalId: current.reversed_by_id,
      });
    }
    if (user.role === 'staff') {
      if (entry.user_id !== user.id)
        throw new HttpProblem(403, 'forbidden', 'Staff may undo only their own redemptions.');
      const deadline = entry.created_at.getTime() + undoWindowMinutes * 60_000;
      if (Date.now() > deadline) {
        throw new HttpProblem(
          403,
          'undo_window_passed',
          `Redemptions can be undone within ${undoWindowMinutes} minutes; ask an admin.`,
        );
      }
    }
    return insertReversal(trx, {
      redemptionId,
      couponId: entry.coupon_id,
      storeId: entry.store_id,
      userId: user.id,
      reason: reason.trim(),
    });
  });
  const reversal = await findLedgerEntry(db, reversalId);
  if (reversal === undefined) throw new Error('the reversal just written is missing');
  return toLedgerEntry(reversal, undoWindowMinutes);
}

export async function listRedemptions(
  db: Database,
  user: AuthUser,
  query: ListRedemptionsQuery,
  undoWindowMinutes: number,
): Promise<Page<LedgerEntry>> {
  if (user.role === 'staff' && query.storeId !== undefined && query.storeId !== user.storeId) {
    throw new HttpProblem(403, 'forbidden', 'Staff see only their own store.');
  }
  const limit = query.limit ?? 50;
  const storeId = user.role === 'staff' ? (user.storeId ?? undefined) : query.storeId;
  const rows = await listLedger(
    db,
    {
      ...(query.campaignId === undefined ? {} : { campaignId: query.campaignId }),
      ...(storeId === undefined ? {} : { storeId }),
      ...(query.mine === true
        ? { userId: user.id }
        : query.userId === undefined
          ? {}
          : { userId: query.userId }),
      ...(query.couponId === undefined ? {} : { couponId: query.couponId }),
      ...(query.from === undefined ? {} : { from: new Date(query.from) }),
      ...(query.to === undefined ? {} : { to: new Date(query.to) }),
    },
    decodeCursor(query.cursor),
    limit,
  );
  return toPage(rows, limit, (row) => toLedgerEntry(row, undoWindowMinutes));
}
