// Redeeming and reversing coupons. A redemption is one call to redeem_coupon() in the database
// (claim the Idempotency-Key, lock the coupon row FOR UPDATE, apply the rules, write the scan, the
// ledger row and the answer, in one statement); a reversal takes the same row lock.
import { hash } from 'node:crypto';
import { formatCouponCode, parseCouponCode } from '@couponscan/shared/code';
import type { Page } from '@couponscan/shared/common';
import type { ErrorCode } from '@couponscan/shared/errors';
import type { LedgerEntry, ListRedemptionsQuery, RedeemBody } from '@couponscan/shared/redemptions';
import type { Database } from '../../db/database.ts';
import { transaction } from '../../db/transaction.ts';
import { invalidCodeDetail } from '../../lib/coupon-code.ts';
import { decodeCursor, toPage } from '../../lib/pagination.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import type { AuthUser } from '../auth/auth.service.ts';
import { lockCouponById } from '../coupons/coupons.repository.ts';
import { toLedgerEntry } from './redemptions.mapper.ts';
import { findLedgerEntry, insertReversal, listLedger, redeem } from './redemptions.repository.ts';

export const IDEMPOTENCY_TTL_HOURS = 24;

export interface RedemptionAnswer {
  status: number;
  /** The answer's JSON text, exactly as the database stored it for replays. */
  body: string;
  /** true when the answer is a stored one, replayed for a retried Idempotency-Key */
  replayed: boolean;
  /** The ledger row this request wrote (a 201 that is not a replay), for the live feed. */
  ledgerId: string | null;
}

/** The store a redemption happens in: staff redeem in their own; admins name one. */
function redemptionStoreId(user: AuthUser, requested: string | undefined): string {
  if (user.role === 'staff') {
    if (user.storeId === null) throw new HttpProblem(403, 'forbidden', 'You belong to no store.');
    if (requested !== undefined && requested !== user.storeId) {
      throw new HttpProblem(403, 'forbidden', 'Staff redeem only in their own store.');
    }
    return user.storeId;
  }
  if (requested === undefined) {
    throw new HttpProblem(422, 'validation_failed', 'Name the store to redeem in.', {}, [
      { pointer: '/body/storeId', message: 'is required for admins' },
    ]);
  }
  return requested;
}

const UNSTORED_PROBLEMS: readonly ErrorCode[] = [
  'unauthenticated',
  'forbidden',
  'validation_failed',
  'idempotency_key_reused',
  'idempotency_request_in_progress',
];

/**
 * One round trip: the database checks the caller afresh, claims the key, locks the coupon, judges
 * it and writes scan, ledger row and answer (redeem_coupon()). Node only reads the code and passes
 * the answer's text through. Safe to retry as a whole (one statement, one transaction).
 */
export async function redeemCoupon(
  db: Database,
  user: AuthUser,
  body: RedeemBody,
  idempotencyKey: string,
  undoWindowMinutes: number,
): Promise<RedemptionAnswer> {
  const storeId = redemptionStoreId(user, body.storeId);
  const requestHash = hash('sha256', JSON.stringify([body.code, storeId]), 'hex');
  const parsed = parseCouponCode(body.code);
  const row = await redeem(db, {
    userId: user.id,
    sessionId: user.sessionId,
    storeId,
    idempotencyKey,
    requestHash,
    code: parsed.ok ? parsed.code : null,
    rawCode: body.code,
    displayCode: parsed.ok ? formatCouponCode(parsed.code) : null,
    invalidDetail: parsed.ok ? null : invalidCodeDetail(parsed.reason),
    ttlHours: IDEMPOTENCY_TTL_HOURS,
    undoWindowMinutes,
  });
  if (row.problem !== null) {
    const code = UNSTORED_PROBLEMS.find((known) => known === row.problem) ?? 'internal_error';
    throw new HttpProblem(
      row.status,
      code,
      row.body,
      {},
      code === 'validation_failed'
        ? [{ pointer: '/body/storeId', message: 'names no store' }]
        : undefined,
    );
  }
  return { status: row.status, body: row.body, replayed: row.replayed, ledgerId: row.ledger_id };
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
