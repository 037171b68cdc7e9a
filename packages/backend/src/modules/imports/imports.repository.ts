// All Kysely for CSV imports. The uploaded lines are staged in a temporary table of the import's
// transaction, checked there with SQL (duplicates, codes taken), and copied over in one statement.
import type { ImportLineProblem } from '@couponscan/shared/imports';
import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/database.ts';

export interface StagedLine {
  line: number;
  raw: string;
  code: string | null;
  problem: ImportLineProblem | null;
}

/** Dropped when the transaction ends, whatever the outcome. */
export async function createImportStaging(trx: Transaction<DB>): Promise<void> {
  // a big file takes longer than the pool's 15 s per statement and 30 s idle between chunks
  await sql`set local statement_timeout = '10min'`.execute(trx);
  await sql`set local idle_in_transaction_session_timeout = '5min'`.execute(trx);
  await sql`
    create temporary table import_lines (
      line integer primary key,
      raw text not null,
      code text,
      problem text
    ) on commit drop
  `.execute(trx);
}

export async function stageImportLines(
  trx: Transaction<DB>,
  lines: readonly StagedLine[],
): Promise<void> {
  await sql`
    insert into import_lines (line, raw, code, problem)
    select * from unnest(
      ${sql.val(lines.map((l) => l.line))}::integer[],
      ${sql.val(lines.map((l) => l.raw))}::text[],
      ${sql.val(lines.map((l) => l.code))}::text[],
      ${sql.val(lines.map((l) => l.problem))}::text[])
  `.execute(trx);
}

/** Bad lines: refused by the shared rules, repeating an earlier line, or taken already. */
const problemsQuery = sql`
  with staged as (
    select line, raw, code, problem, min(line) over (partition by code) as first_line
      from import_lines
  )
  select line, raw as value, problem, null::integer as first_line
    from staged where problem is not null
  union all
  select line, raw, 'duplicate_in_file', first_line
    from staged where problem is null and line <> first_line
  union all
  select s.line, s.raw, 'exists', null
    from staged s join coupons c on c.code = s.code
   where s.problem is null and s.line = s.first_line
`;

export interface ImportProblemRow {
  line: number;
  value: string;
  problem: ImportLineProblem;
  first_line: number | null;
}

/** The first `limit` bad lines in line order, and how many there are in all. */
export async function findImportProblems(
  trx: Transaction<DB>,
  limit: number,
): Promise<{ rows: ImportProblemRow[]; total: number }> {
  // a temporary table has no statistics until analysed, and the join plan depends on them
  await sql`analyze import_lines`.execute(trx);
  const { rows } = await sql<ImportProblemRow & { total: number }>`
    select *, (count(*) over ())::integer as total
      from (${problemsQuery}) problems
     order by line
     limit ${limit}
  `.execute(trx);
  return { rows, total: rows[0]?.total ?? 0 };
}

export async function insertImportedCoupons(
  trx: Transaction<DB>,
  batch: { id: string; campaignId: string; maxRedemptions: number },
): Promise<number> {
  const result = await sql`
    insert into coupons (campaign_id, code, max_redemptions, batch_id)
    select ${batch.campaignId}, code, ${batch.maxRedemptions}, ${batch.id}
      from import_lines order by line
  `.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}
