// loadConfig: the only reader of the environment. Defaults that work on a fresh machine, and a
// boot failure that lists everything that is wrong at once.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, repoRoot, WEBHOOK_RETRY_DELAYS_SECONDS } from '../src/config.ts';

function problemsOf(env: NodeJS.ProcessEnv, options: { dev?: boolean } = {}): string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('an empty environment gives the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: null,
      embeddedPgDir: path.join(repoRoot, '.data', 'postgres'),
      embeddedPgPort: 0,
      embeddedPgDurable: true,
      databasePoolSize: 10,
      databaseBulkPoolSize: 3,
      database: {
        isolation: 'read committed',
        lockTimeoutMs: 5000,
        statementTimeoutMs: 15000,
        transactionAttempts: 8,
        preparedStatements: true,
      },
      production: false,
      logLevel: 'info',
      seedDemo: false,
      admin: null,
      undoWindowMinutes: 10,
      sessionTtlHours: 12,
      sessionCacheSeconds: 30,
      cookieSecure: false,
      trustProxy: false,
      rateLimit: {
        loginPerMinute: 10,
        loginPerIpPerMinute: 30,
        redemptionsPerMinute: 300,
        lookupsPerMinute: 60,
        lookupsPerIpPerMinute: 300,
      },
      redisUrl: null,
      redisKeyPrefix: 'couponscan:',
      jobs: {
        poolSize: 3,
        pollingIntervalSeconds: 2,
        superviseIntervalSeconds: 60,
        heartbeatSeconds: 30,
        retryDelaySeconds: 5,
      },
      webhooks: {
        refusePrivate: false,
        timeoutMs: 10_000,
        retryDelaysSeconds: WEBHOOK_RETRY_DELAYS_SECONDS,
        dispatchIntervalMs: 1000,
        dispatchLoopSeconds: 55,
      },
      liveFeedHeartbeatSeconds: 15,
      exportStallSeconds: 10,
      streamsPerUser: 5,
      staticDir: null,
      publicOrigins: ['https://localhost:5173', 'https://127.0.0.1:5173'],
      metrics: { token: null, port: null },
      timeouts: { requestMs: 60_000, connectionMs: 120_000 },
    });
  });

  it('every variable that is set and valid is taken', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '8080',
      DATABASE_URL: 'postgresql://app:secret@db:5432/couponscan',
      DATABASE_POOL_SIZE: '25',
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: 'boss@example.test',
      ADMIN_PASSWORD: 'long-enough-password',
      UNDO_WINDOW_MINUTES: '0',
      SESSION_TTL_HOURS: '48',
      SESSION_CACHE_SECONDS: '0',
      TRUST_PROXY: 'yes',
      COOKIE_SECURE: 'off',
      RATE_LIMIT_LOGIN_PER_MINUTE: '5',
      STATIC_DIR: 'some/dir',
      PUBLIC_ORIGIN: 'https://coupons.example.com/, https://till.example.com',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      databaseUrl: 'postgresql://app:secret@db:5432/couponscan',
      databasePoolSize: 25,
      logLevel: 'warn',
      admin: { email: 'boss@example.test', password: 'long-enough-password' },
      undoWindowMinutes: 0,
      sessionTtlHours: 48,
      sessionCacheSeconds: 0,
      trustProxy: true,
      cookieSecure: false,
      rateLimit: { loginPerMinute: 5, redemptionsPerMinute: 300 },
      staticDir: path.resolve('some/dir'),
      publicOrigins: ['https://coupons.example.com', 'https://till.example.com'],
    });
  });

  it('the database settings (isolation, bounded waits, retries, prepared statements) are read', () => {
    expect(
      loadConfig({
        DATABASE_ISOLATION: 'SERIALIZABLE',
        DATABASE_LOCK_TIMEOUT_MS: '250',
        DATABASE_STATEMENT_TIMEOUT_MS: '1000',
        DATABASE_TRANSACTION_ATTEMPTS: '3',
        DATABASE_PREPARED_STATEMENTS: 'off',
      }).database,
    ).toEqual({
      isolation: 'serializable',
      lockTimeoutMs: 250,
      statementTimeoutMs: 1000,
      transactionAttempts: 3,
      preparedStatements: false,
    });
    expect(loadConfig({ DATABASE_ISOLATION: 'repeatable_read' }).database.isolation).toBe(
      'repeatable read',
    );
    expect(problemsOf({ DATABASE_ISOLATION: 'snapshot', DATABASE_LOCK_TIMEOUT_MS: '0' })).toEqual([
      expect.stringMatching(/^DATABASE_ISOLATION must be one of read committed, /),
      expect.stringMatching(/^DATABASE_LOCK_TIMEOUT_MS /),
    ]);
  });

  it('production turns secure cookies on and keeps demo data off', () => {
    const config = loadConfig({ NODE_ENV: 'production' }, { dev: true });
    expect(config).toMatchObject({ production: true, cookieSecure: true, seedDemo: false });
  });

  it('pnpm dev turns demo data on unless SEED_DEMO says otherwise', () => {
    expect(loadConfig({}, { dev: true }).seedDemo).toBe(true);
    expect(loadConfig({ SEED_DEMO: '0' }, { dev: true }).seedDemo).toBe(false);
    expect(loadConfig({ SEED_DEMO: 'true' }).seedDemo).toBe(true);
  });

  it('a bad environment is refused with a ConfigError that lists every problem at once', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      ADMIN_EMAIL: 'boss@example.test',
      SEED_DEMO: '1',
      NODE_ENV: 'production',
      DATABASE_URL: 'mysql://root@localhost/couponscan',
    });
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT .*"abc"/),
        expect.stringMatching(/^LOG_LEVEL /),
        expect.stringMatching(/ADMIN_EMAIL and ADMIN_PASSWORD/),
        expect.stringMatching(/^SEED_DEMO .*production/),
        expect.stringMatching(/^DATABASE_URL .*postgres/),
      ]),
    );
  });

  it('the ConfigError message names each problem on its own line', () => {
    let message = '';
    try {
      loadConfig({ PORT: '70000', EMBEDDED_PG_PORT: '-1' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'invalid configuration:',
      expect.stringMatching(/^ {2}- PORT .*"70000"/),
      expect.stringMatching(/^ {2}- EMBEDDED_PG_PORT .*"-1"/),
    ]);
  });

  it.each([
    [
      'ADMIN_PASSWORD without ADMIN_EMAIL',
      { ADMIN_PASSWORD: 'long-enough-password' },
      /ADMIN_EMAIL and ADMIN_PASSWORD/,
    ],
    [
      'a short ADMIN_PASSWORD',
      { ADMIN_EMAIL: 'a@b.test', ADMIN_PASSWORD: 'short' },
      /ADMIN_PASSWORD .*10/,
    ],
    ['a flag that is not true or false', { TRUST_PROXY: 'maybe' }, /^TRUST_PROXY .*"maybe"/],
    ['a pool size of 0', { DATABASE_POOL_SIZE: '0' }, /^DATABASE_POOL_SIZE /],
    ['a fractional undo window', { UNDO_WINDOW_MINUTES: '2.5' }, /^UNDO_WINDOW_MINUTES /],
  ])('%s is a problem', (_, env, expected) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(expected)]);
  });
});
