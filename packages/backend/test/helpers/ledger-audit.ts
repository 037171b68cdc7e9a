// What must hold in the database after any fault: each coupon's count equals its ledger and
// stays within its limit, every redemption has its scan and every "redeemed" scan its ledger
// row, no idempotency key is left claimed without an answer, and every 201 a client saw is there.
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import type { Answer } from './redemption-load.ts';

export interface LedgerAudit {
  /** coupons whose redemption_count differs from redemptions minus reversals */
  countNotLedger: string[];
  overLimit: string[];
  redemptionsWithoutScan: string[];
  redeemedScansWithoutLedger: string[];
  keysWithoutAnswer: string[];
}

export async function auditLedger(db: Database): Promise<LedgerAudit> {
  const ids = async (query: ReturnType<typeof sql<{ id: string }>>) =>
    (await query.execute(db)).rows.map((row) => row.id);
  return {
    countNotLedger: await ids(sql<{ id: string }>`
      select c.id from coupons c
      left join transactions t on t.coupon_id = c.id
      group by c.id, c.redemption_count
      having c.redemption_count <>
        count(*) filter (where t.kind = 'redemption') - count(*) filter (where t.kind = 'reversal')`),
    overLimit: await ids(
      sql<{ id: string }>`select id from coupons where redemption_count > max_redemptions`,
    ),
    redemptionsWithoutScan: await ids(sql<{ id: string }>`
      select t.id from transactions t left join scans s on s.id = t.scan_id
      where t.kind = 'redemption' and (s.id is null or s.outcome <> 'redeemed')`),
    redeemedScansWithoutLedger: await ids(sql<{ id: string }>`
      select s.id from scans s left join transactions t on t.scan_id = s.id
      where s.outcome = 'redeemed' and t.id is null`),
    keysWithoutAnswer: await ids(
      sql<{ id: string }>`select key as id from idempotency_keys where response_status is null`,
    ),
  };
}

export const CLEAN_AUDIT: LedgerAudit = {
  countNotLedger: [],
  overLimit: [],
  redemptionsWithoutScan: [],
  redeemedScansWithoutLedger: [],
  keysWithoutAnswer: [],
};

/** Redemption ids answered 201 that are not in the ledger (must be none). */
export async function acknowledgedButMissing(db: Database, answers: Answer[]): Promise<string[]> {
  const acknowledged = [
    ...new Set(
      answers.flatMap((a) => (a.status === 201 && a.redemptionId !== null ? [a.redemptionId] : [])),
    ),
  ];
  if (acknowledged.length === 0) return [];
  const found = await db
    .selectFrom('transactions')
    .select('id')
    .where('kind', '=', 'redemption')
    .where('id', 'in', acknowledged)
    .execute();
  const present = new Set(found.map((row) => row.id));
  return acknowledged.filter((id) => !present.has(id));
}
