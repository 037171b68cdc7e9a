// PgBouncer in transaction pooling mode in front of the benchmark's PostgreSQL, when the
// `pgbouncer` binary is installed (Debian: apt-get install pgbouncer). Loopback only.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/embedded.ts';

export function findPgBouncer(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'pgbouncer');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface PgBouncer {
  url: string;
  stop(): Promise<void>;
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`pgbouncer did not listen on ${port}`);
    await new Promise((resolve) => {
      setTimeout(resolve, 100);
    });
  }
}

/** PgBouncer's version, e.g. [1, 18, 0]. */
export function pgBouncerVersion(binary: string): [number, number, number] {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  const [, major = '0', minor = '0', patch = '0'] = /PgBouncer (\d+)\.(\d+)\.(\d+)/.exec(out) ?? [];
  return [Number(major), Number(minor), Number(patch)];
}

/**
 * Whether it keeps protocol-level named prepared statements working in transaction mode
 * (`max_prepared_statements`, PgBouncer 1.21 and later).
 */
export function pgBouncerPreparesStatements(binary: string): boolean {
  const [major, minor] = pgBouncerVersion(binary);
  return major > 1 || (major === 1 && minor >= 21);
}

/** Starts PgBouncer for `serverUrl` (a postgres:// URL with user and password). */
export async function startPgBouncer(
  binary: string,
  serverUrl: string,
  poolSize: number,
): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const database = server.pathname.slice(1) || 'postgres';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-bench-pgbouncer-'));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" "${password}"\n`);
  fs.writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // a server without a password (trust, as CI's PostgreSQL 15) is passed through as such
      `auth_type = ${password === '' ? 'trust' : 'scram-sha-256'}`,
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      ...(pgBouncerPreparesStatements(binary) ? ['max_prepared_statements = 200'] : []),
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 1000',
      // node-postgres sends these as startup parameters (src/db/database.ts); PgBouncer cannot
      // pass them on in transaction mode, so it must ignore them (set them on the role instead)
      'ignore_startup_parameters = extra_float_digits,statement_timeout,lock_timeout,idle_in_transaction_session_timeout,application_name,options',
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root; as root (CI), it runs as the `postgres` user that the
  // embedded PostgreSQL already uses.
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    fs.chmodSync(dir, 0o777);
    for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), 0o644);
  }
  const child = spawn(
    binary,
    [...(isRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(port, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    const log = fs.existsSync(path.join(dir, 'pgbouncer.log'))
      ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8')
      : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${stderr}${log}`);
  }
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => {
          child.once('exit', () => {
            resolve();
          });
        });
        child.kill('SIGINT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
