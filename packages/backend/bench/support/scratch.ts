// A durable PostgreSQL for benchmarks: the machine's server (BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres) with a scratch database of this run's own, created
// here, migrated, and dropped at the end. Refuses a server with fsync off: a benchmark of commits
// that never reach the disk measures nothing a shop would see.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
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
  /**
   * CPU time (ms) the whole PostgreSQL server has used so far — the postmaster, its live
   * processes and the ones that have exited — or null where the benchmark cannot read the
   * server's processes (another host, another user). Differences between two readings say how
   * much database CPU a phase cost, whatever else the machine was doing.
   */
  cpuMillis(): number | null;
  /** The server's postmaster, where this process can see it (for bench/support/cpu-split.ts). */
  postmasterPid: number | null;
  stop(): Promise<void>;
}

/** utime, stime, cutime, cstime (ms) and the parent pid of a process, from /proc/<pid>/stat. */
function processTimes(pid: number): { own: number; children: number; ppid: number } | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (index: number) => (Number(fields[index]) * 1000) / 100; // USER_HZ is 100 on Linux
  return { own: ms(11) + ms(12), children: ms(13) + ms(14), ppid: Number(fields[1]) };
}

/** The postmaster's pid from its data directory, when this process may read it. */
function postmasterPid(dataDirectory: string): number | null {
  try {
    const pid = Number(fs.readFileSync(`${dataDirectory}/postmaster.pid`, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && processTimes(pid) !== null ? pid : null;
  } catch {
    return null;
  }
}

/** The server's CPU: the postmaster with its exited children, plus every live child. */
function serverCpuMillis(postmaster: number): number | null {
  const root = processTimes(postmaster);
  if (root === null) return null;
  let total = root.own + root.children;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = processTimes(Number(entry));
    if (child !== null && child.ppid === postmaster) total += child.own;
  }
  return total;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** BENCH_KEEP_DATABASE=1 leaves the scratch database behind for a closer look (drop it yourself). */
const KEEP_DATABASE = /^(1|true|yes|on)$/i.test(process.env.BENCH_KEEP_DATABASE ?? '');

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
                       'shared_buffers', 'max_connections', 'data_directory')`,
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
    const postmaster = postmasterPid(setting('data_directory'));
    return {
      url,
      name,
      db,
      description:
        `PostgreSQL ${setting('server_version')} at ${host} (scratch database ${name}); ` +
        `fsync ${setting('fsync')}, synchronous_commit ${setting('synchronous_commit')}, ` +
        `full_page_writes ${setting('full_page_writes')}, shared_buffers ${setting('shared_buffers')} × 8 kB`,
      cpuMillis: () => (postmaster === null ? null : serverCpuMillis(postmaster)),
      postmasterPid: postmaster,
      stop: async () => {
        await db.destroy();
        if (KEEP_DATABASE) {
          process.stdout.write(`kept the scratch database (BENCH_KEEP_DATABASE): ${url}\n`);
          await admin.end();
          return;
        }
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
