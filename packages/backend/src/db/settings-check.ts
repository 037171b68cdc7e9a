// Server settings that quietly hurt couponscan, said once at start-up (server.ts).
import { sql } from 'kysely';
import type { Database } from './database.ts';

/**
 * Warnings about the PostgreSQL server's settings, empty when all is well.
 *
 * autovacuum: without it nothing analyzes the ledger tables as they grow, so a connection that
 * planned a foreign-key check while `scans` was small keeps scanning the whole table for every
 * redemption (the redemption bench measured it), and dead rows of coupons and idempotency keys
 * are never reclaimed.
 */
export async function databaseWarnings(db: Database): Promise<string[]> {
  const { rows } = await sql<{ autovacuum: string }>`
    select current_setting('autovacuum') as autovacuum`.execute(db);
  const warnings: string[] = [];
  if (rows[0]?.autovacuum !== 'on') {
    warnings.push(
      'PostgreSQL runs with autovacuum off: the ledger tables are never analyzed or vacuumed as ' +
        'they grow, and redemptions slow down with them. Turn it on (ALTER SYSTEM SET autovacuum ' +
        '= on; SELECT pg_reload_conf()) or schedule VACUUM ANALYZE: see docs/deployment.md.',
    );
  }
  return warnings;
}
