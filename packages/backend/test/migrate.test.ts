// Running the migrations: a failure names the migration and PostgreSQL's reason.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

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
});
