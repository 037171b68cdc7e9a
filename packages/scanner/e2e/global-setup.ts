// Once per e2e run: build the scanner for production, start the real backend serving it on one
// origin, and hand the tests its address. Without Chromium, nothing starts and the tests skip.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startBackend } from './backend.ts';

export interface E2eContext {
  /** Set when the tests cannot run here, saying why and how to fix it. */
  skipReason: string | null;
  baseUrl: string;
  chromiumPath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

const scannerDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const backendDir = path.resolve(scannerDir, '../backend');

/** `vite build` in its own process: inside vitest NODE_ENV is 'test', which gives a dev React. */
function buildScanner(): Promise<void> {
  return new Promise((resolve, reject) => {
    const vite = path.join(scannerDir, 'node_modules/vite/bin/vite.js');
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: scannerDir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`vite build exited with ${String(code)}`));
    });
  });
}

export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    const skipReason = `no Chromium at ${chromiumPath}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`;
    process.stdout.write(`\nscanner e2e skipped: ${skipReason}\n`);
    project.provide('e2e', { skipReason, baseUrl: '', chromiumPath });
    return undefined;
  }

  await buildScanner();
  const backend = await startBackend({
    backendDir,
    staticDir: path.join(scannerDir, 'dist'),
    deadlineMs: 120_000,
  });
  project.provide('e2e', { skipReason: null, baseUrl: backend.baseUrl, chromiumPath });
  return backend.stop;
}
