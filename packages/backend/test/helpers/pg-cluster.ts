// A PostgreSQL 15 cluster of a test's own (Debian's binaries), in a temporary directory on a free
// loopback port, that the test may stop and start: the shared test server must never be
// restarted. As root, PostgreSQL runs as the `postgres` user (it refuses root).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/db/embedded.ts';

const run = promisify(execFile);

export const PG15_BIN = '/usr/lib/postgresql/15/bin';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Why a PostgreSQL 15 cluster cannot be started here, or null when it can. */
export function pg15Missing(): string | null {
  if (!fs.existsSync(path.join(PG15_BIN, 'pg_ctl')))
    return `PostgreSQL 15 binaries are not in ${PG15_BIN} (apt-get install postgresql-15)`;
  if (isRoot) {
    try {
      fs.accessSync('/usr/sbin/runuser', fs.constants.X_OK);
    } catch {
      return 'running as root without runuser';
    }
  }
  return null;
}

/** Runs a command as the user PostgreSQL runs as. */
export function asPostgres(command: string, args: string[], timeoutMs = 60_000) {
  return isRoot
    ? run('runuser', ['-u', 'postgres', '--', command, ...args], { timeout: timeoutMs })
    : run(command, args, { timeout: timeoutMs });
}

export function givePostgres(dir: string): void {
  if (isRoot) fs.chownSync(dir, ...postgresIds());
}

let ids: [number, number] | null = null;
function postgresIds(): [number, number] {
  if (ids === null) {
    const line = fs
      .readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid === undefined || gid === undefined) throw new Error('no postgres user');
    ids = [Number(uid), Number(gid)];
  }
  return ids;
}

export interface PgCluster {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  start(): Promise<void>;
  /** `fast` ends sessions with 57P01 and rolls back; `immediate` is a crash (recovery on start). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  isRunning(): Promise<boolean>;
  /** Stops it if running and deletes its files. */
  destroy(): Promise<void>;
}

export async function startPgCluster(settings: Record<string, string> = {}): Promise<PgCluster> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-pg15-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'postgres.log');
  givePostgres(root);
  const port = await freePort();
  await asPostgres(path.join(PG15_BIN, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  const options = Object.entries({
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: root,
    fsync: 'off',
    max_connections: '200',
    ...settings,
  })
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
  const pgCtl = path.join(PG15_BIN, 'pg_ctl');
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    start: async () => {
      await asPostgres(pgCtl, [
        '-D',
        dataDir,
        '-l',
        logFile,
        '-o',
        options,
        '-w',
        '-t',
        '60',
        'start',
      ]);
    },
    stop: async (mode) => {
      await asPostgres(pgCtl, ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    },
    isRunning: async () =>
      asPostgres(pgCtl, ['-D', dataDir, 'status']).then(
        () => true,
        () => false,
      ),
    destroy: async () => {
      if (await cluster.isRunning()) await cluster.stop('immediate');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
