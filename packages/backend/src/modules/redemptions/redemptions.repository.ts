// All Kysely for the ledger, scans and idempotency keys. Their times are clock_timestamp(), the
// moment of the write, not now() (the start of the transaction, which may have waited for a lock),
// so the ledger's order is the order in which the lock was held.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/database.ts';
import { olderThan, type Position } from '../../lib/pagination.ts';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Claims (user, key) for this request. Inserting blocks while another transaction holds the same
 * key, so concurrent retries wait for the first to commit and then replay its answer. An expired
 * key is taken over. Returns false when the key is held by a stored answer.
 */
export async function claimIdempotencyKey(
  db: Executor,
  claim: { userId: string; key: string; requestHash: string; ttlHours: number },
): Promise<boolean> {
  const row = await db
    .insertInto('idempotency_keys')
    .values({
      user_id: claim.userId,
      key: claim.key,
      request_hash: claim.requestHash,
      response_body: null,
      expires_at: sql<Date>`now() + make_interval(hours => ${claim.ttlHours})`,
    })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'key'])
        .doUpdateSet({
          request_hash: (eb) => eb.ref('excluded.request_hash'),
          response_status: null,
          response_body: null,
          expires_at: (eb) => eb.ref('excluded.expires_at'),
        })
        .where('idempotency_keys.expires_at', '<=', sql<Date>`now()`),
    )
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}

export function findIdempotencyKey(db: Executor, userId: string, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'response_status', 'response_body'])
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function storeIdempotentResponse(
  db: Executor,
  answer: { userId: string; key: string; status: number; body: unknown },
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: answer.status, response_body: JSON.stringify(answer.body) })
    .where('user_id', '=', answer.userId)
    .where('key', '=', answer.key)
    .execute();
}

export async function deleteExpiredIdempotencyKeys(db: Executor): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('expires_at', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function insertScan(
  db: Executor,
  scan: { couponId: string | null; code: string; outcome: string; storeId: string; userId: string },
): Promise<string> {
  const row = await db
    .insertInto('scans')
    .values({
      coupon_id: scan.couponId,
      code: scan.code.slice(0, 300),
      outcome: scan.outcome,
      store_id: scan.storeId,
      user_id: scan.userId,
      created_at: sql<Date>`clock_timestamp()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The scan and its ledger row in one statement; the ledger trigger counts the redemption. */
export async function insertRedemption(
  db: Executor,
  redemption: { couponId: string; code: string; storeId: string; userId: string },
): Promise<{ id: string; scanId: string; createdAt: Date }> {
  const row = await db
    .with('scan', (qb) =>
      qb
        .insertInto('scans')
        .values({
          coupon_id: redemption.couponId,
          code: redemption.code,
          outcome: 'redeemed',
          store_id: redemption.storeId,
          user_id: redemption.userId,
          created_at: sql<Date>`clock_timestamp()`,
        })
        .returning(['id', 'created_at']),
    )
    .insertInto('transactions')
    .columns(['kind', 'coupon_id', 'store_id', 'user_id', 'scan_id', 'created_at'])
    .expression((eb) =>
      eb
        .selectFrom('scan')
        .select([
          sql.lit('redemption').as('kind'),
          sql.val(redemption.couponId).as('coupon_id'),
          sql.val(redemption.storeId).as('store_id'),
          sql.val(redemption.userId).as('user_id'),
          'scan.id',
          'scan.created_at',
        ]),
    )
    .returning(['id', 'scan_id', 'created_at'])
    .executeTakeFirstOrThrow();
  if (row.scan_id === null) throw new Error('redemption without scan');
  return { id: row.id, scanId: row.scan_id, createdAt: row.created_at };
}

export async function insertReversal(
  db: Executor,
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
export function fromLedger(db: Executor) {
  return db
    .selectFrom('transactions as t')
    .innerJoin('coupons as c', 'c.id', 't.coupon_id')
    .innerJoin('campaigns as k', 'k.id', 'c.campaign_id')
    .innerJoin('stores as s', 's.id', 't.store_id')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('transactions as r', 'r.reverses_id', 't.id');
}

export function selectLedger(db: Executor) {
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

export function findLedgerEntry(db: Executor, id: string): Promise<LedgerRow | undefined> {
  return selectLedger(db).where('t.id', '=', id).executeTakeFirst();
}

/** Redemptions of a coupon that stand (not reversed), newest first. */
export function standingRedemptions(db: Executor, couponId: string) {
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
  db: Executor,
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

export function findStore(db: Executor, id: string) {
  return db.selectFrom('stores').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
}

/** The names of the stores a campaign is limited to (issue 11: "Not for this store" names them). */
export async function campaignStoreNames(db: Executor, campaignId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('campaign_stores')
    .innerJoin('stores', 'stores.id', 'campaign_stores.store_id')
    .select('stores.name')
    .where('campaign_stores.campaign_id', '=', campaignId)
    .orderBy('stores.name')
    .execute();
  return rows.map((row) => row.name);
}
