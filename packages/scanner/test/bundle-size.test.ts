// Shop Wi-Fi is slow: what a staff phone loads before the scanner is on screen — the app
// shell and the scanner's chunk with their static imports and CSS, gzip-compressed — stays within
// 150 KB. The console and the camera decoder (requested once the scanner runs) are not counted.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIRST_LOAD_BUDGET_BYTES = 150_000;
const scannerDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCAN_PAGE = 'src/features/scan/components/scan-page.tsx';

interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

let outDir = '';
let manifest: Manifest = {};

/** `vite build` in its own process (inside vitest NODE_ENV is 'test', which gives a dev React). */
function build(into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const vite = path.join(scannerDir, 'node_modules/vite/bin/vite.js');
    const child = spawn(
      process.execPath,
      [vite, 'build', '--logLevel', 'error', '--outDir', into, '--emptyOutDir'],
      { cwd: scannerDir, env: { ...process.env, NODE_ENV: 'production' }, stdio: 'inherit' },
    );
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`vite build exited with ${String(code)}`));
    });
  });
}

/** The chunk's own file, its CSS, and everything it imports statically, recursively. */
function filesLoadedWith(key: string, seen = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (chunk === undefined) throw new Error(`no chunk ${key} in the build manifest`);
  if (seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const css of chunk.css ?? []) seen.add(css);
  for (const imported of chunk.imports ?? []) filesLoadedWith(imported, seen);
  return seen;
}

async function gzipBytes(files: Iterable<string>): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const file of files) {
    sizes.set(file, gzipSync(await readFile(path.join(outDir, file)), { level: 9 }).length);
  }
  return sizes;
}

describe('first load of a staff phone', () => {
  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'couponscan-bundle-'));
    await build(outDir);
    manifest = JSON.parse(
      await readFile(path.join(outDir, '.vite/manifest.json'), 'utf8'),
    ) as Manifest;
  }, 180_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it(`is at most ${FIRST_LOAD_BUDGET_BYTES / 1000} KB gzip: the app shell and the scanner`, async () => {
    const files = filesLoadedWith('index.html');
    filesLoadedWith(SCAN_PAGE, files);
    const sizes = await gzipBytes(files);
    const total = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    process.stdout.write(
      `\nstaff first load: ${(total / 1000).toFixed(1)} KB gzip (${[...sizes]
        .map(([file, size]) => `${path.basename(file)} ${(size / 1000).toFixed(1)}`)
        .join(', ')})\n`,
    );
    expect(total).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
  });

  it('points to no source map (the maps stay on disk, unserved)', async () => {
    const files = Object.values(manifest).map((chunk) => chunk.file);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(await readFile(path.join(outDir, file), 'utf8'), file).not.toContain(
        'sourceMappingURL',
      );
    }
  });

  it('does not include the console', () => {
    const files = filesLoadedWith('index.html');
    filesLoadedWith(SCAN_PAGE, files);
    const consoleChunks = Object.entries(manifest)
      .filter(([key]) => key.includes('features/console/'))
      .map(([, chunk]) => chunk.file);
    expect(consoleChunks.length).toBeGreaterThan(0);
    expect(consoleChunks.filter((file) => files.has(file))).toEqual([]);
  });
});
