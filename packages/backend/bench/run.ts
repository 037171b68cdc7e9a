// `pnpm bench`: runs every benchmark module in this folder in turn (each exports `run()`).
// BENCH=redemptions (a comma-separated list of file names) runs only those.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const only = (process.env.BENCH ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');

const modules = fs
  .readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => path.basename(file, '.ts'))
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();

if (modules.length === 0) {
  process.stderr.write(`no benchmark matches BENCH=${process.env.BENCH ?? ''}\n`);
  process.exitCode = 1;
}

for (const name of modules) {
  const url = pathToFileURL(path.join(import.meta.dirname, `${name}.ts`)).href;
  const module = (await import(url)) as { run?: unknown };
  if (typeof module.run !== 'function') {
    throw new Error(`bench/${name}.ts exports no run() function`);
  }
  process.stdout.write(`\n=== bench: ${name}\n`);
  const began = performance.now();
  await (module.run as () => Promise<void>)();
  process.stdout.write(
    `=== bench: ${name} done in ${((performance.now() - began) / 1000).toFixed(0)} s\n`,
  );
}
