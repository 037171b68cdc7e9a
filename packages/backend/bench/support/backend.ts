// The real backend for a benchmark: an embedded PostgreSQL in a temporary directory and the
// server (src/server.ts) as a child process, so it has its own event loop and CPU as in
// production and the load generator does not slow it down. Loopback only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database, DB } from '../../src/db/database.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

const backendDir = path.resolve(import.meta.dirname, '../..');

export interface BenchDatabase {
  /** Superuser URL of the server (database `postgres`). */
  url: string;
  /** A pool for seeding and checking, separate from the server's. */
  db: Database;
  /** How the run's PostgreSQL treats durability, for the report: "durable" or "NOT durable (…)". */
  durability: string;
  stop(): Promise<void>;
}

/**
 * Benchmarks measure the application, so by default they run PostgreSQL without fsync (and say
 * so in their report); BENCH_DURABLE=1 measures with fsync, synchronous_commit and
 * full_page_writes on, as a production server runs.
 */
export const BENCH_DURABLE = /^(1|true|yes|on)$/i.test(process.env.BENCH_DURABLE ?? '');

export async function startBenchDatabase(): Promise<BenchDatabase> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-bench-pg-'));
  // as root, PostgreSQL runs as `postgres` and must be able to enter the directory
  fs.chmodSync(tempDir, 0o755);
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(tempDir, 'data'),
    ephemeral: true,
    durable: BENCH_DURABLE,
  });
  const pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
  // pool.end() resolves before its sockets close; PostgreSQL stopping right after must not
  // crash the benchmark with an unhandled 'error' from an idle client
  pool.on('error', () => undefined);
  const db: Database = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    url: embedded.url,
    db,
    durability: BENCH_DURABLE
      ? 'durable: fsync, synchronous_commit, full_page_writes on'
      : 'NOT durable: fsync, synchronous_commit, full_page_writes off (BENCH_DURABLE=1 turns them on)',
    stop: async () => {
      await db.destroy();
      await embedded.stop();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

export interface BenchServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The production build (dist/server.js, `pnpm build`), made afresh from the sources. */
export function buildProduction(): void {
  execFileSync(process.execPath, ['build.mjs'], { cwd: backendDir, stdio: 'ignore' });
}

/**
 * Starts the server on a free loopback port against `databaseUrl` and waits until it listens:
 * src/server.ts through tsx, with `production` the build in dist/ (see buildProduction), or with
 * `script` another entry point (the benchmark's bare server) through tsx.
 */
export async function startBenchServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { production?: boolean; script?: string } = {},
): Promise<BenchServer> {
  const command =
    options.script !== undefined
      ? ['--import', 'tsx', options.script]
      : options.production === true
        ? ['dist/server.js']
        : ['--import', 'tsx', 'src/server.ts'];
  const child = spawn(process.execPath, command, {
    cwd: backendDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      SEED_DEMO: '0',
      ADMIN_EMAIL: '',
      ADMIN_PASSWORD: '',
      STATIC_DIR: '',
      // the benchmark measures the redemption path, not the rate limiter's refusals
      RATE_LIMIT_LOGIN_PER_MINUTE: '100000',
      RATE_LIMIT_REDEMPTIONS_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    // keep the start-up output for an error message; drop it once listening
    if (output.length < 20_000) output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => {
      fail(new Error(`the server did not listen within 60 s:\n${output}`));
    }, 60_000);
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(deadline);
        child.off('exit', onExit);
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null) => {
      fail(new Error(`the server exited with ${String(code)} before listening:\n${output}`));
    };
    const fail = (error: Error) => {
      clearTimeout(deadline);
      child.stdout.off('data', onData);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
  return { url, pid: child.pid ?? 0, stop: () => stopChild(child) };
}

/** CPU time (user + system) the process has used so far, in milliseconds (Linux /proc). */
export function cpuMillis(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
