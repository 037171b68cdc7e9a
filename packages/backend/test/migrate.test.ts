// Running the migrations: a failure names the migration and PostgreSQL's reason.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest, pendingMigrations } from '../src/db/migrate.ts';
import { migrations } from '../src/db/migrations/index.ts';
import { createTestDatabase } from './helpers/database.ts';

const opened: Database[] = [];

/** An empty database (no migrations run); the global teardown drops it with the others. */
async function emptyDatabase(): Promise<Database> {
  const name = `${inject('pgRunPrefix')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgServerUrl') });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template template0`);
  } finally {
    await admin.end();
  }
  const url = new URL(inject('pgServerUrl'));
  url.pathname = `/${name}`;
  const db = createDatabase(url.toString(), 2);
  opened.push(db);
  return db;
}

afterAll(async () => {
  await Promise.all(opened.map((db) => db.destroy()));
});

describe('migrateToLatest', () => {
  it('says which migration failed and why, and leaves that migration undone', async () => {
    const db = await emptyDatabase();
    // in the way of the first migration's first table
    await sql`create table stores (id int)`.execute(db);
    await expect(migrateToLatest(db)).rejects.toThrow(
      'migration 2026_11_28_0000_create_core_tables failed: relation "stores" already exists',
    );
    // each migration runs in its own transaction: nothing of the failed one stayed
    const { rows } = await sql<{ tables: string[] }>`
      select coalesce(array_agg(table_name::text order by table_name), '{}') as tables
        from information_schema.tables where table_schema = 'public'`.execute(db);
    expect(rows[0]?.tables).toEqual(['kysely_migration', 'kysely_migration_lock', 'stores']);
  });

  it('starts on a database a newer release has migrated, and refuses one that diverged', async () => {
    const t = await createTestDatabase(1);
    const db = t.db;
    try {
      const newest = Object.keys(migrations).sort().at(-1) ?? '';
      // a newer instance of a rolling deploy ran a migration this release does not know
      await sql`insert into kysely_migration (name, timestamp)
        values ('9999_01_01_0000_from_a_newer_release', now()::text)`.execute(db);
      await expect(migrateToLatest(db)).resolves.toMatchObject({ results: [] });
      expect(await pendingMigrations(db)).toEqual([]);

      // an unknown migration older than this release's newest: code and database diverged
      await sql`insert into kysely_migration (name, timestamp)
        values ('2000_01_01_0000_from_another_branch', now()::text)`.execute(db);
      await expect(migrateToLatest(db)).rejects.toThrow(
        /failed: corrupted migrations: previously executed migration \S+ is missing/,
      );
      expect(newest > '2000_01_01_0000_from_another_branch').toBe(true);
    } finally {
      await t.close();
    }
  });
});
