// Starts the real backend (packages/backend) as a child process on a free port, with a fresh
// embedded PostgreSQL and the built scanner as its static app, and stops it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RunningBackend {
  baseUrl: string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function startBackend(options: {
  backendDir: string;
  staticDir: string;
  deadlineMs: number;
}): Promise<RunningBackend> {
  const port = await freePort();
  const pgDir = await mkdtemp(path.join(tmpdir(), 'couponscan-e2e-pg-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    EMBEDDED_PG_DIR: pgDir,
    // disposable data: no fsync, for speed (the default is durable)
    EMBEDDED_PG_DURABLE: 'false',
    SEED_DEMO: '1',
    STATIC_DIR: options.staticDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
  };
  // always a fresh embedded database: the e2e run must not touch a shared server
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: options.backendDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // the backend stops its embedded PostgreSQL on SIGTERM; give it time to
      if (!(await exited(child, 20_000))) {
        child.kill('SIGKILL');
        await exited(child, 5_000);
      }
    }
    await rm(pgDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + options.deadlineMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the backend exited with ${child.exitCode} before listening:\n${output}`);
    }
    if (output.includes('listening')) {
      const healthy = await fetch(`${baseUrl}/api/health`)
        .then((response) => response.ok)
        .catch(() => false);
      if (healthy) return { baseUrl, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the backend did not become healthy in ${options.deadlineMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
