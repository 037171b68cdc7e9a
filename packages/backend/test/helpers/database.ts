// A database of this test file's own, copied from the migrated template.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseSettings } from '../../src/config.ts';
import { createDatabase, type Database } from '../../src/db/database.ts';

export interface TestDatabase {
  url: string;
  db: Database;
  /** Closes the pool; the database itself is dropped by the global teardown. */
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDatabase(
  poolSize = 10,
  settings?: DatabaseSettings,
): Promise<TestDatabase> {
  const name = `${inject('pgRunPrefix')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgServerUrl') });
  // a server stopped under the run ends this connection (57P01): fail the query, not the process
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('pgTemplate')}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(inject('pgServerUrl'), name);
  const db = createDatabase(url, poolSize, settings);
  return { url, db, close: () => db.destroy() };
}
