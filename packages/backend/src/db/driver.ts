// Every transaction's isolation level and bounded waits, set in the driver so that no service can
// forget them: BEGIN carries `lock_timeout` and `statement_timeout` as SET LOCAL (they end with
// the transaction, so they also hold behind PgBouncer in transaction mode, which drops startup
// parameters). One simple-protocol message each for BEGIN and COMMIT: no extra round trips.
//
// Why COMMIT must not be cut short: with synchronous replication a COMMIT waits for a standby,
// and if that wait is cancelled PostgreSQL keeps the transaction committed on the primary only
// and reports success with just a WARNING; a redemption answered 201 could then vanish in a
// failover (../shared/background/postgres-ha.md). PostgreSQL itself stops the statement timer
// before it commits (postgres.c, finish_xact_command), so statement_timeout alone cannot do
// this; the COMMIT message below also sets it to 0 first, so that no timer of the COMMIT
// statement is running either. What remains is a cancel request, and this app sends none.
// Proved in test/faults.bounded-waits.test.ts with a deferred trigger that sleeps at commit.
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type PostgresDialectConfig,
  type QueryCompiler,
  type TransactionSettings,
} from 'kysely';
import type { DatabaseSettings } from '../config.ts';

type WaitSettings = Pick<DatabaseSettings, 'isolation' | 'lockTimeoutMs' | 'statementTimeoutMs'>;

/** The statements that open a transaction: one simple-protocol message, one round trip. */
export function beginStatement(settings: WaitSettings, requested: TransactionSettings): string {
  const isolation = requested.isolationLevel ?? settings.isolation;
  const accessMode = requested.accessMode === undefined ? '' : ` ${requested.accessMode}`;
  return [
    `start transaction isolation level ${isolation}${accessMode}`,
    `set local lock_timeout = ${Math.trunc(settings.lockTimeoutMs)}`,
    `set local statement_timeout = ${Math.trunc(settings.statementTimeoutMs)}`,
  ].join('; ');
}

/** COMMIT with no statement timer running (see the top of this file). */
export const COMMIT_STATEMENT = 'set local statement_timeout = 0; commit';

class BoundedPostgresDriver extends PostgresDriver {
  readonly #settings: WaitSettings;

  constructor(config: PostgresDialectConfig, settings: WaitSettings) {
    super(config);
    this.#settings = settings;
  }

  override async beginTransaction(
    connection: DatabaseConnection,
    settings: TransactionSettings,
  ): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(beginStatement(this.#settings, settings)));
  }

  // In an aborted transaction the SET fails (25P02) and the COMMIT is skipped: an error, and
  // Kysely rolls back, where a bare COMMIT would have answered ROLLBACK.
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(COMMIT_STATEMENT));
  }
}

/** Kysely's PostgresDialect with the driver above. */
export class BoundedPostgresDialect implements Dialect {
  readonly #config: PostgresDialectConfig;
  readonly #settings: WaitSettings;

  constructor(config: PostgresDialectConfig, settings: WaitSettings) {
    this.#config = config;
    this.#settings = settings;
  }

  createDriver(): Driver {
    return new BoundedPostgresDriver(this.#config, this.#settings);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Dialect's own signature
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
