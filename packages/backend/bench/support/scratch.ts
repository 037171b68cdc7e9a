// A durable PostgreSQL for benchmarks: the machine's server (BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres) with a scratch database of this run's own, created
// here, migrated, and dropped at the end. Refuses a server with fsync off: a benchmark of commits
// that never reach the disk measures nothing a shop would see.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export interface ScratchDatabase {
  /** The scratch database's URL. */
  url: string;
  name: string;
  /** A pool of 4 for seeding and checking, separate from the server's. */
  db: Database;
  /** e.g. "PostgreSQL 15.20 at 127.0.0.1:5432, database couponscan_bench_1a2b3c4d; fsync on, …" */
  description: string;
  stop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function startScratchDatabase(): Promise<ScratchDatabase> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `no PostgreSQL at ${new URL(serverUrl).host} (set BENCH_DATABASE_URL to a durable server): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  const name = `couponscan_bench_${randomBytes(4).toString('hex')}`;
  try {
    const settings = await admin.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings
        where name in ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes',
                       'shared_buffers', 'max_connections')`,
    );
    const setting = (key: string) => settings.rows.find((row) => row.name === key)?.setting ?? '?';
    if (setting('fsync') !== 'on') {
      throw new Error(
        `${new URL(serverUrl).host} runs with fsync=${setting('fsync')}: benchmarks need a durable server`,
      );
    }
    await admin.query(`create database ${name}`);
    const url = withDatabase(serverUrl, name);
    const db = createDatabase(url, 4);
    await migrateToLatest(db);
    const host = new URL(serverUrl).host;
    return {
      url,
      name,
      db,
      description:
        `PostgreSQL ${setting('server_version')} at ${host} (scratch database ${name}); ` +
        `fsync ${setting('fsync')}, synchronous_commit ${setting('synchronous_commit')}, ` +
        `full_page_writes ${setting('full_page_writes')}, shared_buffers ${setting('shared_buffers')} × 8 kB`,
      stop: async () => {
        await db.destroy();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  } catch (error) {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await admin.end();
    throw error;
  }
}

/** CHECKPOINT before a measured phase, so that no phase pays for another's dirty pages. */
export async function checkpoint(db: Database): Promise<void> {
  await sql`checkpoint`.execute(db);
}
