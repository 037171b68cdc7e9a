// pgbench (PostgreSQL's own load generator) against the benchmark's database: the floor under
// which no application can go. Scripts use pgbench variables (:name) and run as named prepared
// statements (-M prepared), as the server's hot path does.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CompiledQuery } from 'kysely';

export function findPgbench(): string | null {
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'pgbench')),
    ...['18', '17', '16', '15'].map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`),
  ];
  for (const candidate of candidates) {
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * The pgbench text of a compiled query: every `$n` becomes the pgbench variable that the query
 * was compiled with as its value (so compile it with variable names as values), or NULL for a
 * null. Generated from the very query the server runs, so the benchmark cannot drift from it.
 */
export function pgbenchStatement(query: CompiledQuery): string {
  return query.sql.replace(/\$(\d+)/g, (_, index: string) => {
    const value = query.parameters[Number(index) - 1];
    if (value === null) return 'NULL';
    if (typeof value !== 'string' || !/^[a-z_][a-z0-9_]*$/.test(value)) {
      throw new Error(
        `parameter $${index} is not compiled as a pgbench variable name: ${JSON.stringify(value)}`,
      );
    }
    return `:${value}`;
  });
}

export interface PgbenchOptions {
  clients: number;
  seconds: number;
  /** -D name=value for each */
  variables: Record<string, string>;
}

export interface PgbenchResult {
  tps: number;
  transactions: number;
  failed: number;
  latencyAverageMs: number;
}

export async function runPgbench(
  binary: string,
  databaseUrl: string,
  script: string,
  options: PgbenchOptions,
): Promise<PgbenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-pgbench-'));
  const file = path.join(dir, 'script.sql');
  fs.writeFileSync(file, script);
  const url = new URL(databaseUrl);
  const args = [
    '-n', // no vacuum of pgbench's own tables
    '-M',
    'prepared',
    '-c',
    String(options.clients),
    '-j',
    String(Math.min(options.clients, Math.max(1, os.cpus().length))),
    '-T',
    String(options.seconds),
    '-f',
    file,
    ...Object.entries(options.variables).flatMap(([name, value]) => ['-D', `${name}=${value}`]),
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username) || 'postgres',
    url.pathname.slice(1),
  ];
  try {
    const { stdout } = await promisify(execFile)(binary, args, {
      // the name the CPU reading waits on (redemptions.ts: pgbenchSessionsGone), whatever PGAPPNAME says
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password), PGAPPNAME: 'pgbench' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const number = (pattern: RegExp) => {
      const match = pattern.exec(stdout);
      if (match?.[1] === undefined)
        throw new Error(`pgbench printed no ${pattern.source}:\n${stdout}`);
      return Number(match[1]);
    };
    return {
      tps: number(/tps = ([\d.]+) \(without initial connection time\)/),
      transactions: number(/number of transactions actually processed: (\d+)/),
      failed:
        /number of failed transactions: (\d+)/.exec(stdout)?.[1] === undefined
          ? 0
          : number(/number of failed transactions: (\d+)/),
      latencyAverageMs: number(/latency average = ([\d.]+) ms/),
    };
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(
      `pgbench failed: ${error instanceof Error ? error.message : String(error)}\n${output.stderr ?? ''}`,
    );
  } finally {
    if (/^(1|true|yes|on)$/i.test(process.env.BENCH_KEEP_DATABASE ?? '')) {
      process.stdout.write(`pgbench ${args.join(' ')}\n`);
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
