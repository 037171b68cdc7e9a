// The process: reads the config, provides the database (embedded unless DATABASE_URL is set),
// migrates, seeds, listens, and on SIGINT/SIGTERM closes the server, the pool and the database.
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import {
  BULK_POOL,
  createDatabase,
  provideDatabaseServer,
  type Database,
  type DatabaseServer,
} from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { databaseWarnings } from './db/settings-check.ts';
import { loggerOptions } from './lib/logging.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { DEMO_PASSWORD, DEMO_USERS, ensureFirstAdmin, seedDemo } from './db/seed.ts';

function readConfig(): Config {
  try {
    return loadConfig(process.env, { dev: process.argv.includes('--dev') });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`couponscan cannot start, ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let server: DatabaseServer | null = null;
  let db: Database | null = null;
  let bulkDb: Database | null = null;
  let closing = false;
  let metricsServer: MetricsServer | null = null;

  const close = async (exitCode: number) => {
    if (closing) return;
    closing = true;
    await metricsServer?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await bulkDb?.destroy().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    process.exit(exitCode);
  };
  let app: Awaited<ReturnType<typeof buildApp>> | null = null;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: closing…`);
      // a second signal, or a hung close, ends the process anyway
      setTimeout(() => process.exit(1), 10_000).unref();
      void close(0);
    });
  }

  try {
    server = await provideDatabaseServer(config, (message) => process.stderr.write(`${message}\n`));
    say(`database: ${server.description}`);
    if (config.production && config.databaseUrl === null) {
      process.stderr.write(
        'warning: production on the embedded PostgreSQL (no DATABASE_URL): it lives in ' +
          `${config.embeddedPgDir} on this machine only. Back it up (pg_dump against its port, ` +
          'or stop couponscan and copy the directory): see docs/deployment.md, "Backups".\n',
      );
    }
    // Migrations wait as long as they must: another instance may hold the migration lock while
    // it migrates, and the request bounds (lock_timeout, statement_timeout) are not for DDL.
    const migrating = createDatabase(server.url, 1, {
      ...config.database,
      lockTimeoutMs: 0,
      statementTimeoutMs: 0,
    });
    try {
      await migrateToLatest(migrating);
    } finally {
      await migrating.destroy();
    }
    db = createDatabase(server.url, config.databasePoolSize, config.database);
    for (const warning of await databaseWarnings(db)) process.stderr.write(`warning: ${warning}\n`);
    bulkDb = createDatabase(server.url, config.databaseBulkPoolSize, config.database, BULK_POOL);
    if (await ensureFirstAdmin(db, config.admin))
      say(`created the first admin, ${config.admin?.email ?? ''}`);
    if (config.seedDemo) {
      const codes = await seedDemo(db);
      say(
        `demo data: store DEMO; users ${DEMO_USERS.map((u) => u.email).join(', ')}; password ${DEMO_PASSWORD}`,
      );
      if (codes.length > 0) say(`demo coupons (unused): ${codes.join(' ')}`);
    }
    app = await buildApp({
      config,
      db,
      bulkDb,
      logger: loggerOptions(config.logLevel),
    });
    // pg-boss: its schema, the queues, the workers and the scheduled clean-ups; unfinished jobs
    // of a previous run are retried
    await app.jobs.start();
    const address = await app.listen({ host: config.host, port: config.port });
    if (config.metrics.port !== null) {
      metricsServer = await startMetricsServer(config.host, config.metrics.port, (error) =>
        app?.log.warn({ err: error }, 'metrics collector failed'),
      );
      say(`metrics on ${metricsServer.url}`);
    }
    say(`couponscan backend listening on ${address}`);
  } catch (error) {
    process.stderr.write(
      `couponscan failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await close(1);
  }
}

void main();
