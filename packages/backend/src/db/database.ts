// The connection pool and Kysely instance, and where the server comes from: DATABASE_URL, or an
// embedded PostgreSQL when none is set.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import type { DB } from './schema.ts';

export type { DB } from './schema.ts';
export type Database = Kysely<DB>;

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
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
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
  const embedded = await startEmbeddedPostgres({
    dataDir: config.embeddedPgDir,
    port: config.embeddedPgPort,
    log: (message) => {
      if (/ERROR|FATAL|PANIC/.test(message)) log(message.trim());
    },
  });
  return {
    url: embedded.url,
    description: `embedded PostgreSQL in ${embedded.dataDir} (${new URL(embedded.url).host})`,
    stop: () => embedded.stop(),
  };
}
