// The start-up warning about PostgreSQL settings, on whichever server this run uses: CI runs the
// suite on the embedded PostgreSQL 18 (autovacuum on) and on the machine's PostgreSQL 15
// (autovacuum off), so both answers are checked there.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseWarnings } from '../src/db/settings-check.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase(1);
});
afterAll(async () => {
  await t.close();
});

describe('databaseWarnings', () => {
  it('warns exactly when autovacuum is off, saying how to turn it on', async () => {
    const { rows } = await sql<{ setting: string }>`
      select setting from pg_settings where name = 'autovacuum'`.execute(t.db);
    const warnings = await databaseWarnings(t.db);
    if (rows[0]?.setting === 'on') {
      expect(warnings).toEqual([]);
    } else {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /^PostgreSQL runs with autovacuum off: .*ALTER SYSTEM SET autovacuum/,
      );
    }
  });
});
