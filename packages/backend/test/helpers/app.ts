// Builds the real app on a real database for a test file; `listen` gives real HTTP.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { BULK_POOL, createDatabase, type Database } from '../../src/db/database.ts';
import { recordAnswers } from './answers.ts';
import { logCapture, watchSecrets } from './log-secrets.ts';
import { loggerOptions } from '../../src/lib/logging.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/** Config overrides; the rate limits not named keep the tests' generous ones. */
export type TestConfigOverrides = Omit<Partial<Config>, 'rateLimit'> & {
  rateLimit?: Partial<Config['rateLimit']>;
};

export function testConfig(overrides: TestConfigOverrides = {}): Config {
  return {
    ...loadConfig({ LOG_LEVEL: 'silent' }),
    // short timings, so tests wait for retries and dead workers in seconds rather than minutes
    jobs: {
      poolSize: 3,
      pollingIntervalSeconds: 0.5,
      superviseIntervalSeconds: 60,
      heartbeatSeconds: 10,
      retryDelaySeconds: 0,
    },
    ...overrides,
    rateLimit: {
      loginPerMinute: 1000,
      loginPerIpPerMinute: 10_000,
      redemptionsPerMinute: 10_000,
      lookupsPerMinute: 10_000,
      lookupsPerIpPerMinute: 10_000,
      ...overrides.rateLimit,
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  /** The bulk pool: exports, imports, batches. */
  bulkDb: Database;
  database: TestDatabase;
  config: Config;
  close(): Promise<void>;
}

export async function createTestApp(
  options: {
    config?: TestConfigOverrides;
    database?: TestDatabase;
    poolSize?: number;
    /** The app's logger (by default the server's, at info, into helpers/log-secrets.ts). */
    logger?: AppOptions['logger'];
  } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(options.poolSize ?? 20));
  const config = testConfig(options.config);
  const bulkDb = createDatabase(
    database.url,
    config.databaseBulkPoolSize,
    config.database,
    BULK_POOL,
  );
  const app = await buildApp({
    config,
    db: database.db,
    bulkDb,
    logger: options.logger ?? loggerOptions('info', logCapture),
  });
  recordAnswers(app);
  watchSecrets(app);
  await app.ready();
  // the queue's schema and queues; its workers start only in the tests that want them
  await app.jobs.boot();
  return {
    app,
    db: database.db,
    bulkDb,
    database,
    config,
    close: async () => {
      await app.close();
      await bulkDb.destroy();
      if (options.database === undefined) await database.close();
    },
  };
}

/** Listens on a free loopback port and returns the base URL. */
export async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}
