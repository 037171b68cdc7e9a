// Issuing benchmark: one batch of BENCH_COUPONS (1,000,000) coupons through the real
// batch path (POST /api/campaigns/:id/batches, the job worker in the server), against a plain
// COPY of as many pre-generated codes into the same table in the same run; then the CSV export of
// those coupons. Reports wall time, rates and the server's peak RSS per phase (VmHWM of the
// server process, reset before each phase). Results go in docs/benchmarks.md ("Issuing").
import fs from 'node:fs';
import os from 'node:os';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { hashPassword } from '../src/modules/auth/password.ts';
import { codeDrawer } from '../src/modules/batches/batch-issuing.ts';
import { insertUser } from '../src/modules/users/users.repository.ts';
import { startBenchDatabase, startBenchServer } from './support/backend.ts';
import { envNumber, printTable } from './support/load.ts';

const COUNT = envNumber('BENCH_COUPONS', 1_000_000);
const PASSWORD = 'bench-password';
const MB = 1024 * 1024;

/** The server started by startBenchServer: our child running src/server.ts. */
function serverPid(): number {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes('src/server.ts')) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error('could not find the server process');
}

/** kB fields of /proc/<pid>/status. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1]) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Peak RSS over a phase: VmHWM reset first (clear_refs 5), and sampled VmRSS as a fallback. */
async function measurePeak<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peak: number }> {
  let reset = true;
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    reset = false;
  }
  let sampled = memory(pid).rss;
  const timer = setInterval(() => {
    sampled = Math.max(sampled, memory(pid).rss);
  }, 20);
  try {
    const result = await work();
    const { hwm, rss } = memory(pid);
    return { result, peak: Math.max(sampled, rss, reset ? hwm : 0) };
  } finally {
    clearInterval(timer);
  }
}

async function api(
  base: string,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(base + path, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const rate = (count: number, ms: number) => Math.round(count / (ms / 1000));
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const megabytes = (bytes: number) => (bytes / MB).toFixed(0);

export async function run(): Promise<void> {
  process.stdout.write(
    `issuing: ${COUNT} coupons (BENCH_COUPONS), ${os.cpus().length} CPUs, Node ${process.version}\n`,
  );
  const database = await startBenchDatabase();
  const server = await startBenchServer(database.url);
  try {
    const pid = serverPid();
    const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(
      database.db,
    );
    await insertUser(database.db, {
      email: 'marketer@bench.test',
      name: 'Bench Marketer',
      role: 'marketer',
      storeId: null,
      passwordHash: await hashPassword(PASSWORD),
    });
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'marketer@bench.test', password: PASSWORD }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    const campaign = await api(server.url, cookie, 'POST', '/api/campaigns', {
      name: 'Benchmark: national mailing',
      discount: { type: 'percent', value: 10 },
    });
    if (campaign.status !== 201)
      throw new Error(`creating the campaign answered ${campaign.status}`);
    const campaignId = (campaign.body as { id: string }).id;

    // 1. plain COPY of pre-generated codes, into the same table and columns, in one transaction
    const draw = codeDrawer();
    const codes = Array.from({ length: COUNT }, () => draw('BASE'));
    const copyBatch = await database.db
      .insertInto('batches')
      .values({ campaign_id: campaignId, count: COUNT, status: 'succeeded' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const copyStarted = performance.now();
    await client.query('begin');
    const prefix = `${campaignId},`;
    const suffix = `,1,${copyBatch.id}\n`;
    await pipeline(
      (function* () {
        for (let i = 0; i < codes.length; i += 10_000) {
          yield codes
            .slice(i, i + 10_000)
            .map((code) => prefix + code + suffix)
            .join('');
        }
      })(),
      client.query(
        copyFrom(
          'copy coupons (campaign_id, code, max_redemptions, batch_id) from stdin with (format csv)',
        ),
      ),
    );
    await client.query('commit');
    const copyMs = performance.now() - copyStarted;
    // the batch path starts from the same table: empty again, vacuumed
    await client.query('delete from coupons where batch_id = $1', [copyBatch.id]);
    await client.query('delete from batches where id = $1', [copyBatch.id]);
    await client.query('vacuum analyze coupons');
    await client.end();
    codes.length = 0;

    // 2. the real batch path: POST, then the job in the server's worker, polled until done
    const batch = await measurePeak(pid, async () => {
      const started = performance.now();
      const created = await api(
        server.url,
        cookie,
        'POST',
        `/api/campaigns/${campaignId}/batches`,
        { count: COUNT },
      );
      if (created.status !== 202 && created.status !== 201)
        throw new Error(`creating the batch answered ${created.status}`);
      let progress = 0;
      for (;;) {
        const polled = await api(
          server.url,
          cookie,
          'GET',
          `/api/batches/${(created.body as { id: string }).id}`,
        );
        const body = polled.body as { status: string; generated: number; error: string | null };
        if (body.status === 'succeeded') break;
        if (body.status !== 'queued' && body.status !== 'running')
          throw new Error(`the batch ended ${body.status}: ${body.error ?? ''}`);
        if (body.generated >= progress + COUNT / 4) {
          progress = body.generated;
          process.stdout.write(`  batch: ${body.generated} of ${COUNT}\n`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return performance.now() - started;
    });
    const issued = await database.db
      .selectFrom('coupons')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow();
    if (issued.n !== COUNT) throw new Error(`the batch left ${issued.n} coupons, not ${COUNT}`);

    // 3. the CSV export of those coupons, read as fast as the client can
    const exported = await measurePeak(pid, async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/api/campaigns/${campaignId}/coupons.csv`, {
        headers: { cookie },
      });
      if (response.status !== 200 || response.body === null)
        throw new Error(`the export answered ${response.status}`);
      let lines = 0;
      let bytes = 0;
      await pipeline(
        response.body,
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            for (const byte of chunk) if (byte === 10) lines += 1;
            done();
          },
        }),
      );
      return { ms: performance.now() - started, rows: lines - 1, bytes };
    });
    if (exported.result.rows !== COUNT)
      throw new Error(`the export had ${exported.result.rows} rows, not ${COUNT}`);

    const copyRate = rate(COUNT, copyMs);
    const batchRate = rate(COUNT, batch.result);
    process.stdout.write(
      `PostgreSQL ${version.rows[0]?.v ?? '?'} (embedded, ${database.durability}); server peak RSS is its VmHWM per phase\n`,
    );
    printTable(
      ['phase', 'rows', 'wall s', 'rows/s', 'server peak RSS MB'],
      [
        ['plain COPY (pre-generated codes)', String(COUNT), seconds(copyMs), String(copyRate), '-'],
        [
          'batch path (POST + job)',
          String(COUNT),
          seconds(batch.result),
          String(batchRate),
          megabytes(batch.peak),
        ],
        [
          'CSV export (coupons.csv)',
          String(exported.result.rows),
          seconds(exported.result.ms),
          String(rate(exported.result.rows, exported.result.ms)),
          megabytes(exported.peak),
        ],
      ],
    );
    const ratio = batchRate / copyRate;
    process.stdout.write(
      `batch path / plain COPY: ${ratio.toFixed(2)} (target ≥ 0.67) ${ratio >= 2 / 3 ? 'met' : 'NOT met'}; ` +
        `server peak RSS ${megabytes(Math.max(batch.peak, exported.peak))} MB (target < 300) ` +
        `${Math.max(batch.peak, exported.peak) < 300 * MB ? 'met' : 'NOT met'}; ` +
        `export ${megabytes(exported.result.bytes)} MB of CSV\n`,
    );
  } finally {
    await server.stop();
    await database.stop();
  }
}
