// The only file that reads process.env. Boot fails with the full list of what is wrong.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STREAM_HEARTBEAT_SECONDS } from '@couponscan/shared/stats';

export const ISOLATION_LEVELS = ['read committed', 'repeatable read', 'serializable'] as const;
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];

export interface DatabaseSettings {
  /** The isolation level of every transaction that does not ask for its own. */
  isolation: IsolationLevel;
  /** `lock_timeout`: the longest wait for a row or table lock (0: no bound, for migrations). */
  lockTimeoutMs: number;
  /** `statement_timeout` for every statement but COMMIT (see db/driver.ts); 0: no bound. */
  statementTimeoutMs: number;
  /** Tries of a transaction that fails with a serialization failure or deadlock (40001, 40P01). */
  transactionAttempts: number;
  /** Named (server-side) prepared statements; off behind PgBouncer < 1.21 in transaction mode. */
  preparedStatements: boolean;
}

export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = {
  isolation: 'read committed',
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 15_000,
  transactionAttempts: 8,
  preparedStatements: true,
};

export interface Config {
  host: string;
  port: number;
  /** Unset: start an embedded PostgreSQL in `embeddedPgDir`. */
  databaseUrl: string | null;
  embeddedPgDir: string;
  /** 0 picks a free port. */
  embeddedPgPort: number;
  /** fsync, synchronous_commit and full_page_writes on (off only for tests and benchmarks). */
  embeddedPgDurable: boolean;
  databasePoolSize: number;
  /** A pool of its own for exports, imports and batch jobs, so redemptions never queue behind them. */
  databaseBulkPoolSize: number;
  /** How transactions run: isolation, bounded waits, retries (src/db/driver.ts, transaction.ts). */
  database: DatabaseSettings;
  production: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  seedDemo: boolean;
  admin: { email: string; password: string } | null;
  undoWindowMinutes: number;
  sessionTtlHours: number;
  /** How long a session may be served from the process's cache; 0: never cached. */
  sessionCacheSeconds: number;
  cookieSecure: boolean;
  trustProxy: boolean;
  rateLimit: {
    /** per IP and email */
    loginPerMinute: number;
    /** per IP, whatever the email: one address trying many accounts */
    loginPerIpPerMinute: number;
    redemptionsPerMinute: number;
    /** code look-ups (GET /api/coupons/:code) per user, and per IP */
    lookupsPerMinute: number;
    lookupsPerIpPerMinute: number;
  };
  /** Set: rate-limit counters live in Redis, shared by every instance. Unset: in memory. */
  redisUrl: string | null;
  /** Prefix of every Redis key we write, so instances of different deployments never mix. */
  redisKeyPrefix: string;
  /** The job queue (pg-boss). Timings other than the pool are not in the environment: tests shorten them. */
  jobs: {
    poolSize: number;
    pollingIntervalSeconds: number;
    /** How often the supervisor looks for expired and dead jobs. */
    superviseIntervalSeconds: number;
    /** A running batch job proves it is alive this often; a dead one is retried after missing it. */
    heartbeatSeconds: number;
    /** First retry delay of a failed batch job; doubles each time. */
    retryDelaySeconds: number;
  };
  /**
   * How often the live feed (GET /api/stats/stream) sends its `ping` event and re-checks the
   * session. Not in the environment: tests shorten it.
   */
  liveFeedHeartbeatSeconds: number;
  /** A CSV export whose reader takes nothing for this long is ended (its transaction too). */
  exportStallSeconds: number;
  /** Live feeds (GET /api/stats/stream) one user may hold open at once, per process. */
  streamsPerUser: number;
  /** Built scanner app to serve at `/`, if any. */
  /** Webhook deliveries (modules/webhooks). Timings other than the timeout are not in the environment. */
  webhooks: {
    /** Refuse URLs that resolve to loopback or private addresses: in production, unless WEBHOOKS_ALLOW_PRIVATE. */
    refusePrivate: boolean;
    /** A receiver that has not answered by then is given up on for this attempt. */
    timeoutMs: number;
    /** The wait before each retry after a failed attempt; once used up, the delivery has failed. */
    retryDelaysSeconds: readonly number[];
    /** How often the dispatcher looks for new events in the outbox. */
    dispatchIntervalMs: number;
    /** How long one run of the scheduled (every minute) dispatcher job keeps polling. */
    dispatchLoopSeconds: number;
  };
  staticDir: string | null;
  /**
   * Prometheus metrics: `/metrics` on the API's port behind `Authorization: Bearer <token>`,
   * and/or on a port of their own (not published by the Docker image). Neither: no metrics.
   */
  metrics: { token: string | null; port: number | null };
  /** Node's server timeouts: a whole request must arrive within; an idle socket is closed after. */
  timeouts: { requestMs: number; connectionMs: number };
  /**
   * Origins the app is served from (PUBLIC_ORIGIN, comma-separated): state-changing requests
   * from a browser must come from one of them or from the API's own host (plugins/csrf.ts).
   */
  publicOrigins: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The repository root, for defaults that live inside it (the embedded database's data). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Exponential backoff from 30 s, doubling up to 4 h: 14 retries, the last about 24 h after the
 * first attempt (docs/webhooks.md).
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS: readonly number[] = [
  30, 60, 120, 240, 480, 960, 1920, 3600, 7200, 14_400, 14_400, 14_400, 14_400, 14_400,
];

export interface ConfigOptions {
  /** `pnpm dev`: demo data on unless SEED_DEMO says otherwise. */
  dev?: boolean;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: ConfigOptions = {},
): Config {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.toLowerCase();
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true/false (or 1/0), got "${env[name] ?? ''}"`);
    return fallback;
  };

  const production = env.NODE_ENV === 'production';
  const databaseUrl =
    env.DATABASE_URL === undefined || env.DATABASE_URL === '' ? null : env.DATABASE_URL;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const isolationRaw = (env.DATABASE_ISOLATION ?? DEFAULT_DATABASE_SETTINGS.isolation)
    .toLowerCase()
    .replaceAll(/[_-]/g, ' ');
  const isolation = ISOLATION_LEVELS.find((level) => level === isolationRaw);
  if (isolation === undefined)
    problems.push(`DATABASE_ISOLATION must be one of ${ISOLATION_LEVELS.join(', ')}`);

  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  const logLevelRaw = env.LOG_LEVEL ?? 'info';
  const logLevel = logLevels.find((level) => level === logLevelRaw);
  if (logLevel === undefined) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}`);

  const seedDemo = flag('SEED_DEMO', options.dev === true && !production);
  if (seedDemo && production) problems.push('SEED_DEMO must not be set when NODE_ENV=production');

  const adminEmail = env.ADMIN_EMAIL ?? '';
  const adminPassword = env.ADMIN_PASSWORD ?? '';
  if ((adminEmail === '') !== (adminPassword === '')) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (adminPassword !== '' && adminPassword.length < 10) {
    problems.push('ADMIN_PASSWORD must have at least 10 characters');
  }

  const staticDir =
    env.STATIC_DIR === undefined || env.STATIC_DIR === '' ? null : path.resolve(env.STATIC_DIR);

  const redisUrl = env.REDIS_URL === undefined || env.REDIS_URL === '' ? null : env.REDIS_URL;
  if (redisUrl !== null && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }
  const metricsToken =
    env.METRICS_TOKEN === undefined || env.METRICS_TOKEN === '' ? null : env.METRICS_TOKEN;
  if (metricsToken !== null && metricsToken.length < 16) {
    problems.push('METRICS_TOKEN must have at least 16 characters');
  }
  const metricsPort = integer('METRICS_PORT', 0, 0, 65535);
  // the scanner's dev server (pnpm dev) is the app's origin during development
  const devOrigins = ['https://localhost:5173', 'https://127.0.0.1:5173'];
  const publicOrigins =
    env.PUBLIC_ORIGIN === undefined || env.PUBLIC_ORIGIN === ''
      ? production
        ? []
        : devOrigins
      : env.PUBLIC_ORIGIN.split(',').map((origin) => origin.trim().replace(/\/+$/, ''));
  for (const origin of publicOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(
        `PUBLIC_ORIGIN must list origins such as https://coupons.example.com, got "${origin}"`,
      );
    }
  }

  const config: Config = {
    host: env.HOST ?? '127.0.0.1',
    port: integer('PORT', 3000, 0, 65535),
    databaseUrl,
    embeddedPgDir: path.resolve(env.EMBEDDED_PG_DIR ?? path.join(repoRoot, '.data', 'postgres')),
    embeddedPgPort: integer('EMBEDDED_PG_PORT', 0, 0, 65535),
    embeddedPgDurable: flag('EMBEDDED_PG_DURABLE', true),
    databasePoolSize: integer('DATABASE_POOL_SIZE', 10, 1, 200),
    databaseBulkPoolSize: integer('DATABASE_BULK_POOL_SIZE', 3, 1, 50),
    database: {
      isolation: isolation ?? DEFAULT_DATABASE_SETTINGS.isolation,
      lockTimeoutMs: integer(
        'DATABASE_LOCK_TIMEOUT_MS',
        DEFAULT_DATABASE_SETTINGS.lockTimeoutMs,
        1,
        600_000,
      ),
      statementTimeoutMs: integer(
        'DATABASE_STATEMENT_TIMEOUT_MS',
        DEFAULT_DATABASE_SETTINGS.statementTimeoutMs,
        1,
        3_600_000,
      ),
      transactionAttempts: integer(
        'DATABASE_TRANSACTION_ATTEMPTS',
        DEFAULT_DATABASE_SETTINGS.transactionAttempts,
        1,
        100,
      ),
      preparedStatements: flag(
        'DATABASE_PREPARED_STATEMENTS',
        DEFAULT_DATABASE_SETTINGS.preparedStatements,
      ),
    },
    production,
    logLevel: logLevel ?? 'info',
    seedDemo,
    admin: adminEmail === '' ? null : { email: adminEmail, password: adminPassword },
    undoWindowMinutes: integer('UNDO_WINDOW_MINUTES', 10, 0, 24 * 60),
    sessionTtlHours: integer('SESSION_TTL_HOURS', 12, 1, 24 * 90),
    sessionCacheSeconds: integer('SESSION_CACHE_SECONDS', 30, 0, 300),
    cookieSecure: flag('COOKIE_SECURE', production),
    trustProxy: flag('TRUST_PROXY', false),
    rateLimit: {
      loginPerMinute: integer('RATE_LIMIT_LOGIN_PER_MINUTE', 10, 1, 100_000),
      loginPerIpPerMinute: integer('RATE_LIMIT_LOGIN_PER_IP_PER_MINUTE', 30, 1, 100_000),
      redemptionsPerMinute: integer('RATE_LIMIT_REDEMPTIONS_PER_MINUTE', 300, 1, 1_000_000),
      lookupsPerMinute: integer('RATE_LIMIT_LOOKUPS_PER_MINUTE', 60, 1, 1_000_000),
      lookupsPerIpPerMinute: integer('RATE_LIMIT_LOOKUPS_PER_IP_PER_MINUTE', 300, 1, 1_000_000),
    },
    redisUrl,
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? 'couponscan:',
    jobs: {
      poolSize: integer('JOBS_POOL_SIZE', 3, 2, 50),
      pollingIntervalSeconds: 2,
      superviseIntervalSeconds: 60,
      heartbeatSeconds: 30,
      retryDelaySeconds: 5,
    },
    webhooks: {
      refusePrivate: production && !flag('WEBHOOKS_ALLOW_PRIVATE', false),
      timeoutMs: integer('WEBHOOKS_TIMEOUT_SECONDS', 10, 1, 120) * 1000,
      retryDelaysSeconds: WEBHOOK_RETRY_DELAYS_SECONDS,
      dispatchIntervalMs: 1000,
      dispatchLoopSeconds: 55,
    },
    liveFeedHeartbeatSeconds: STREAM_HEARTBEAT_SECONDS,
    exportStallSeconds: integer('EXPORT_STALL_SECONDS', 10, 1, 3600),
    streamsPerUser: integer('STATS_STREAMS_PER_USER', 5, 1, 1000),
    staticDir,
    metrics: { token: metricsToken, port: metricsPort === 0 ? null : metricsPort },
    timeouts: {
      requestMs: integer('REQUEST_TIMEOUT_SECONDS', 60, 1, 3600) * 1000,
      connectionMs: integer('CONNECTION_TIMEOUT_SECONDS', 120, 1, 3600) * 1000,
    },
    publicOrigins,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
