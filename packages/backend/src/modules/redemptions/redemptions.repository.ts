// All Kysely for the ledger, scans and idempotency keys. Their times are clock_timestamp(), the
// moment of the write, not now() (the start of the transaction, which may have waited for a lock),
// so the ledger's order is the order in which the lock was held.
import { CompiledQuery, sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { executePrepared } from '../../db/prepared.ts';
import { retryingConflicts } from '../../db/transaction.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

export interface RedeemCall {
  userId: string;
  /** sessions.id of the caller's session; null when authenticated another way */
  sessionId: string | null;
  storeId: string;
  idempotencyKey: string;
  requestHash: string;
  /** The normalised code; null when it did not parse (invalidDetail says why). */
  code: string | null;
  rawCode: string;
  displayCode: string | null;
  invalidDetail: string | null;
  ttlHours: number;
  undoWindowMinutes: number;
}

export interface RedeemRow {
  status: number;
  /** The JSON answer as stored and sent; for `problem`, the detail of a problem not stored. */
  body: string;
  replayed: boolean;
  problem: string | null;
  /** The ledger row a 201 wrote; null for refusals and replays. */
  ledger_id: string | null;
}

/** redeem_coupon()'s arguments, in order, with their SQL types. */
function redeemArguments(call: RedeemCall) {
  return [
    [call.userId, 'uuid'],
    [call.sessionId, 'text'],
    [call.storeId, 'uuid'],
    [call.idempotencyKey, 'text'],
    [call.requestHash, 'text'],
    [call.code, 'text'],
    [call.rawCode, 'text'],
    [call.displayCode, 'text'],
    [call.invalidDetail, 'text'],
    [call.ttlHours, 'int'],
    [call.undoWindowMinutes, 'int'],
  ] as const;
}

/** The SQL text Kysely compiled for each database (it depends on the dialect, never on values). */
const redeemSql = new WeakMap<Database, string>();

/**
 * The whole redemption in one statement: redeem_coupon() (its latest version is migration
 * 2026_12_02_0000) claims the key, locks the coupon FOR UPDATE, applies redemption_refusal(),
 * writes scan, ledger row and stored answer. One call, one implicit transaction: a caller may
 * retry it as a whole. Kysely compiles the text once; each call only brings its values.
 */
export function redeemCouponQuery(db: Database, call: RedeemCall): CompiledQuery<RedeemRow> {
  const args = redeemArguments(call);
  const parameters = args.map(([value]) => value);
  let text = redeemSql.get(db);
  if (text === undefined) {
    text =
      sql<RedeemRow>`select status, body, replayed, problem, ledger_id from redeem_coupon(${sql.join(
        args.map(([value, type]) => sql`${value}::${sql.raw(type)}`),
      )})`.compile(db).sql;
    redeemSql.set(db, text);
  }
  return CompiledQuery.raw(text, parameters);
}

export async function redeem(db: Database, call: RedeemCall): Promise<RedeemRow> {
  // one statement, one transaction: run again as a whole on a serialization failure or deadlock
  const [row] = await retryingConflicts(db, () =>
    executePrepared(db, 'redeem_coupon', redeemCouponQuery(db, call)),
  );
  if (row === undefined) throw new Error('redeem_coupon answered no row');
  return row;
}

export async function deleteExpiredIdempotencyKeys(db: Database): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertReversal(
  db: Database,
  reversal: {
    redemptionId: string;
    couponId: string;
    storeId: string;
    userId: string;
    reason: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('transactions')
    .values({
      kind: 'reversal',
      coupon_id: reversal.couponId,
      store_id: reversal.storeId,
      user_id: reversal.userId,
      reverses_id: reversal.redemptionId,
      reverses_kind: 'redemption',
      reason: reversal.reason,
      created_at: sql<Date>`clock_timestamp()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The ledger with its coupon (c), campaign (k), store (s), user (u) and reversal (r, if any). */
export function fromLedger(db: Database) {
  return db
    .selectFrom('transactions as t')
    .innerJoin('coupons as c', 'c.id', 't.coupon_id')
    .innerJoin('campaigns as k', 'k.id', 'c.campaign_id')
    .innerJoin('stores as s', 's.id', 't.store_id')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('transactions as r', 'r.reverses_id', 't.id');
}

export function selectLedger(db: Database) {
  return fromLedger(db).select([
    't.id',
    't.kind',
    't.coupon_id',
    'c.code',
    'c.campaign_id',
    'k.name as campaign_name',
    't.store_id',
    's.name as store_name',
    't.user_id',
    'u.name as user_name',
    't.created_at',
    't.reverses_id',
    'r.id as reversed_by_id',
    't.reason',
  ]);
}
export type LedgerRow = Awaited<
  ReturnType<ReturnType<typeof selectLedger>['executeTakeFirstOrThrow']>
>;

export function findLedgerEntry(db: Database, id: string): Promise<LedgerRow | undefined> {
  return selectLedger(db).where('t.id', '=', id).executeTakeFirst();
}

/** Redemptions of a coupon that stand (not reversed), newest first. */
export function standingRedemptions(db: Database, couponId: string) {
  return selectLedger(db)
    .where('t.coupon_id', '=', couponId)
    .where('t.kind', '=', 'redemption')
    .where('r.id', 'is', null)
    .orderBy('t.created_at', 'desc')
    .limit(20)
    .execute();
}

export interface LedgerFilter {
  campaignId?: string;
  storeId?: string;
  userId?: string;
  couponId?: string;
  from?: Date;
  to?: Date;
}

export function listLedger(
  db: Database,
  filter: LedgerFilter,
  after: Position | null,
  limit: number,
) {
  let query = selectLedger(db)
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit + 1);
  if (filter.campaignId !== undefined) query = query.where('t.campaign_id', '=', filter.campaignId);
  if (filter.storeId !== undefined) query = query.where('t.store_id', '=', filter.storeId);
  if (filter.userId !== undefined) query = query.where('t.user_id', '=', filter.userId);
  if (filter.couponId !== undefined) query = query.where('t.coupon_id', '=', filter.couponId);
  if (filter.from !== undefined) query = query.where('t.created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('t.created_at', '<', filter.to);
  if (after !== null) query = query.where(olderThan('transactions', 't', after));

  return query.execute();
}

/** The audit row of a code look-up (GET /api/coupons/:code). */
export async function insertLookupScan(
  db: Database,
  scan: {
    couponId: string | null;
    code: string;
    outcome: string;
    storeId: string | null;
    userId: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('scans')
    .values({
      kind: 'lookup',
      coupon_id: scan.couponId,
      code: scan.code.slice(0, 300),
      outcome: scan.outcome,
      store_id: scan.storeId,
      user_id: scan.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
