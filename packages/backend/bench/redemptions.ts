// Redemption benchmark: the full stack against what the database itself can do, in one
// run, on one durable PostgreSQL (bench/support/scratch.ts), on the same coupons:
//   full stack     POST /api/redemptions on the production build, autocannon, 20 connections,
//                  a random multi-use coupon and a new Idempotency-Key per request
//   same SQL       pgbench sending the statement the server sends (generated from the compiled
//                  query in redemptions.repository.ts, so it cannot drift), 20 clients
//   one statement  pgbench with the leanest single statement that does the same work (a CTE)
//   bare server    Fastify with no plugin making the same call (bench/support/bare-server.ts):
//                  what HTTP and the driver alone cost here, a reference for the full stack
// first with every process free to use every CPU, then (where taskset may) with the database
// server on CPUs of its own and everything else on the others (bench/support/cpu-split.ts), each
// with the CPU time per request of the database, the backend and the load generator; then
// contention: one hot multi-use coupon under 50 connections, and 500 simultaneous redemptions of
// one single-use coupon. It fails only if an invariant broke under load.
// Results go in docs/benchmarks.md ("Redemptions"). Tests never assert timings.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db/database.ts';
import { hashToken } from '../src/modules/auth/auth.service.ts';
import { hashPassword } from '../src/modules/auth/password.ts';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { redeemCouponQuery } from '../src/modules/redemptions/redemptions.repository.ts';
import { insertUser } from '../src/modules/users/users.repository.ts';
import {
  buildProduction,
  cpuMillis,
  startBenchServer,
  type BenchServer,
} from './support/backend.ts';
import {
  envNumber,
  formatStatuses,
  printTable,
  runLoad,
  type LoadRequest,
  type LoadResult,
} from './support/load.ts';
import {
  findPgbench,
  pgbenchStatement,
  runPgbench,
  type PgbenchResult,
} from './support/pgbench.ts';
import { splitCpus } from './support/cpu-split.ts';
import { checkpoint, startScratchDatabase, type ScratchDatabase } from './support/scratch.ts';

const settings = {
  durationSeconds: envNumber('BENCH_DURATION_SECONDS', 10),
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 10),
  connections: envNumber('BENCH_CONNECTIONS', 20),
  hotConnections: envNumber('BENCH_HOT_CONNECTIONS', 50),
  contention: envNumber('BENCH_CONTENTION', 500),
  staff: envNumber('BENCH_STAFF', 10),
  coupons: envNumber('BENCH_COUPONS', 10_000),
  /** The server's pool (DATABASE_POOL_SIZE); by default the configured default. */
  poolSize: envNumber('BENCH_POOL_SIZE', loadConfig({}).databasePoolSize),
  /** e.g. "5,10,20": short full-stack runs with each pool size first (how the default was chosen). */
  poolSizes: (process.env.BENCH_POOL_SIZES ?? '')
    .split(',')
    .filter((size) => size.trim() !== '')
    .map(Number),
};

const PASSWORD = 'bench-password';
/** Multi-use coupons with the codes FIRST_CODE … FIRST_CODE + coupons - 1 (imported shape). */
const FIRST_CODE = 100_000_001;

interface Fixture {
  storeId: string;
  randomCampaignId: string;
  hotCode: string;
  hotCampaignId: string;
  singleCode: string;
  singleCampaignId: string;
  staffIds: string[];
  cookies: string[];
  /** users (with a live session each) that only pgbench redeems as: same SQL, one statement */
  pgbenchUsers: { sameSql: PgbenchUser; oneStatement: PgbenchUser };
  /** the user (with a live session) the bare server redeems as */
  bareUser: PgbenchUser;
}

interface PgbenchUser {
  id: string;
  sessionId: string;
}

async function seed(db: Database, serverUrl: string): Promise<Fixture> {
  const store = await db
    .insertInto('stores')
    .values({ code: 'BENCH', name: 'Benchmark store' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const passwordHash = await hashPassword(PASSWORD);
  const user = async (name: string) => ({
    email: `${name}@bench.test`,
    id: await insertUser(db, {
      email: `${name}@bench.test`,
      name,
      role: 'staff',
      storeId: store.id,
      passwordHash,
    }),
  });
  const staff: { email: string; id: string }[] = [];
  for (let i = 0; i < settings.staff; i++) staff.push(await user(`till-${i}`));
  const pgbenchUser = async (name: string): Promise<PgbenchUser> => {
    const { id } = await user(name);
    const sessionId = hashToken(randomUUID());
    await db
      .insertInto('sessions')
      .values({ id: sessionId, user_id: id, expires_at: new Date(Date.now() + 86_400_000) })
      .execute();
    return { id, sessionId };
  };

  const campaign = (name: string, maxRedemptionsPerCoupon: number) =>
    db
      .insertInto('campaigns')
      .values({
        name,
        discount_type: 'percent',
        discount_value: 10,
        discount_description: '10% off',
        max_redemptions_per_coupon: maxRedemptionsPerCoupon,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  const random = await campaign('Benchmark: multi-use coupons', 1_000_000);
  await sql`insert into coupons (campaign_id, code, max_redemptions)
    select ${random.id}::uuid, (${FIRST_CODE}::bigint + i)::text, 1000000
      from generate_series(0, ${settings.coupons - 1}::int) as i`.execute(db);
  const hot = await campaign('Benchmark: one hot coupon', 2_000_000_000);
  const [hotCoupon] = await issueCoupons(db, hot.id, 1);
  const single = await campaign('Benchmark: one single-use coupon', 1);
  const [singleCoupon] = await issueCoupons(db, single.id, 1);
  if (hotCoupon === undefined || singleCoupon === undefined) throw new Error('coupons not issued');
  // Statistics for what was seeded only. An ANALYZE of the still empty scans, transactions and
  // idempotency_keys would record them as empty; a server process planning its foreign-key checks
  // then (the full stack's pool, at the warm-up) keeps a sequential scan of `scans` for every
  // redemption while the table grows, unless autovacuum analyzes it again (this machine's
  // PostgreSQL has autovacuum off). That once cost the full stack ~0.5 ms of database CPU per
  // redemption that pgbench's later connections, planning with the table grown, did not pay.
  await sql`analyze stores, users, sessions, campaigns, campaign_stores, coupons`.execute(db);

  const cookies: string[] = [];
  for (const { email } of staff) {
    const response = await fetch(`${serverUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie = response.headers.get('set-cookie')?.split(';')[0];
    if (response.status !== 200 || cookie === undefined) {
      throw new Error(`login as ${email} answered ${response.status}`);
    }
    cookies.push(cookie);
  }
  return {
    storeId: store.id,
    randomCampaignId: random.id,
    hotCode: hotCoupon.code,
    hotCampaignId: hot.id,
    singleCode: singleCoupon.code,
    singleCampaignId: single.id,
    staffIds: staff.map((s) => s.id),
    cookies,
    pgbenchUsers: {
      sameSql: await pgbenchUser('pgbench-same-sql'),
      oneStatement: await pgbenchUser('pgbench-one-statement'),
    },
    bareUser: await pgbenchUser('bare-server'),
  };
}

function redeemRequest(code: string, cookie: string): LoadRequest {
  return {
    method: 'POST',
    path: '/api/redemptions',
    headers: { cookie, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ code }),
  };
}

function randomCode(): string {
  return String(FIRST_CODE + Math.floor(Math.random() * settings.coupons));
}

/** The bare server (bench/support/bare-server.ts) as the bare-server user, on the same coupons. */
function startBareServer(scratch: ScratchDatabase, fixture: Fixture): Promise<BenchServer> {
  return startBenchServer(
    scratch.url,
    {
      DATABASE_POOL_SIZE: String(settings.poolSize),
      BARE_USER_ID: fixture.bareUser.id,
      BARE_SESSION_ID: fixture.bareUser.sessionId,
      BARE_STORE_ID: fixture.storeId,
    },
    { script: 'bench/support/bare-server.ts' },
  );
}

/** Redemptions of random coupons through the bare server: no cookie, a new key each. */
function bareServer(server: BenchServer, seconds: number): Promise<LoadResult> {
  return runLoad({
    url: server.url,
    connections: settings.connections,
    durationSeconds: seconds,
    nextRequest: () => redeemRequest(randomCode(), ''),
  });
}

function fullStack(server: BenchServer, fixture: Fixture, seconds: number): Promise<LoadResult> {
  let next = 0;
  return runLoad({
    url: server.url,
    connections: settings.connections,
    durationSeconds: seconds,
    nextRequest: () =>
      redeemRequest(randomCode(), fixture.cookies[next++ % fixture.cookies.length] ?? ''),
  });
}

function hotCoupon(server: BenchServer, fixture: Fixture): Promise<LoadResult> {
  let next = 0;
  return runLoad({
    url: server.url,
    connections: settings.hotConnections,
    durationSeconds: settings.durationSeconds,
    nextRequest: () =>
      redeemRequest(fixture.hotCode, fixture.cookies[next++ % fixture.cookies.length] ?? ''),
  });
}

interface ContentionResult {
  statuses: Map<number, number>;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/** `count` redemptions of one single-use coupon, all sent at once, each on its own connection. */
async function contention(
  server: BenchServer,
  fixture: Fixture,
  count: number,
): Promise<ContentionResult> {
  const statuses = new Map<number, number>();
  const times: number[] = [];
  let errors = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const request = redeemRequest(
        fixture.singleCode,
        fixture.cookies[i % fixture.cookies.length] ?? '',
      );
      const started = performance.now();
      try {
        const response = await fetch(server.url + request.path, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        await response.arrayBuffer();
        times.push(performance.now() - started);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      } catch {
        errors += 1;
      }
    }),
  );
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? 0;
  return { statuses, errors, p50: at(0.5), p99: at(0.99), max: times.at(-1) ?? 0 };
}

/** The statement the server sends, with pgbench variables in place of its values. */
function sameSqlScript(db: Database): string {
  const statement = pgbenchStatement(
    redeemCouponQuery(db, {
      userId: 'user_id',
      sessionId: 'session_id',
      storeId: 'store_id',
      idempotencyKey: 'key',
      requestHash: 'request_hash',
      code: 'code',
      rawCode: 'code',
      displayCode: 'code',
      invalidDetail: null,
      // compiled with variable names as values: bound as -D ttl_hours=24 … below
      ttlHours: 'ttl_hours' as unknown as number,
      undoWindowMinutes: 'undo_minutes' as unknown as number,
    }),
  );
  return `${pgbenchPreamble()}${statement};\n`;
}

function pgbenchPreamble(): string {
  return (
    `\\set code random(${FIRST_CODE}, ${FIRST_CODE + settings.coupons - 1})\n` +
    `\\set key random(1, 9000000000000000000)\n`
  );
}

/**
 * The leanest single statement that does a redemption's work: lock the coupon FOR UPDATE, judge
 * it by redemption_refusal(), write the scan, the ledger row (its triggers still fire) and the
 * key with its answer. It claims the key last, not first (a CTE cannot wait on it and then
 * decide), so it is a floor to compare against, not a replacement.
 */
function oneStatementScript(): string {
  return `${pgbenchPreamble()}with coupon as (
  select c.id, c.redemption_count, c.max_redemptions,
         redemption_refusal(c, k,
           not exists (select 1 from campaign_stores cs where cs.campaign_id = k.id)
           or exists (select 1 from campaign_stores cs
                       where cs.campaign_id = k.id and cs.store_id = :store_id::uuid),
           now()) as refusal
    from coupons c join campaigns k on k.id = c.campaign_id
   where c.code = :code::text
     for update of c
), scan as (
  insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
  select id, :code::text, coalesce(refusal, 'redeemed'), :store_id::uuid, :user_id::uuid, clock_timestamp()
    from coupon
  returning id, coupon_id, outcome, created_at
), entry as (
  insert into transactions (kind, coupon_id, store_id, user_id, scan_id, created_at)
  select 'redemption', coupon_id, :store_id::uuid, :user_id::uuid, id, created_at
    from scan where outcome = 'redeemed'
  returning id
), claimed as (
  insert into idempotency_keys (user_id, key, request_hash, response_status, response_json, expires_at)
  select :user_id::uuid, :key::text, 'pgbench', case when e.id is null then 409 else 201 end,
         json_build_object('outcome', s.outcome, 'scanId', s.id, 'id', e.id),
         now() + interval '24 hours'
    from scan s left join entry e on true
  returning 1
)
select outcome from scan;
`;
}

async function pgbench(
  binary: string,
  scratch: ScratchDatabase,
  fixture: Fixture,
  script: string,
  user: PgbenchUser,
  cpu: CpuMeter,
): Promise<PgbenchResult> {
  await checkpoint(scratch.db);
  cpu.start();
  const result = await runPgbench(binary, scratch.url, script, {
    clients: settings.connections,
    seconds: settings.durationSeconds,
    variables: {
      user_id: user.id,
      session_id: user.sessionId,
      store_id: fixture.storeId,
      request_hash: 'pgbench',
      ttl_hours: '24',
      undo_minutes: '10',
    },
  });
  await pgbenchSessionsGone(scratch.db);
  return result;
}

/**
 * Waits until pgbench's server processes have exited. pgbench returns as soon as it closes its
 * connections; a server process still exiting then is missing from the CPU reading (it leaves
 * /proc, and its time reaches the postmaster's only when it is reaped), which once made pgbench's
 * runs look up to a third cheaper in database CPU than they were.
 */
async function pgbenchSessionsGone(db: Database): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { rows } = await sql<{ sessions: number }>`
      select count(*)::int as sessions from pg_stat_activity
       where application_name = 'pgbench' and datname = current_database()`.execute(db);
    if (rows[0]?.sessions === 0) break;
    if (tries === 199)
      process.stdout.write('pgbench sessions still open after 5 s: CPU read anyway\n');
    await sleep(25);
  }
  // a process leaves pg_stat_activity shortly before it exits and is reaped
  await sleep(200);
}

interface Counts {
  /** 201 answers of the full-stack runs on the random coupons (warm-up included) */
  randomCreated: number;
  randomInFlight: number;
  hotCreated: number;
  /** 201 answers of the bare server's runs (warm-up included), for its own user */
  bare: { user: PgbenchUser; created: number; inFlight: number };
  pgbench: { user: PgbenchUser; runs: (PgbenchResult | undefined)[] }[];
  contention: ContentionResult;
}

/**
 * The invariants, read from a settled ledger (the servers are stopped): every 201 has its ledger
 * row, each pgbench transaction wrote one, every coupon's count equals its ledger, and the
 * single-use coupon was redeemed exactly once. Requests still in flight when a timed run ended are
 * redeemed but not counted, so a ledger may hold up to one per connection more.
 */
async function checkInvariants(db: Database, fixture: Fixture, counts: Counts): Promise<string[]> {
  const problems: string[] = [];
  const ledgerBy = async (filter: { campaignId?: string; userIds?: string[] }) => {
    let query = db
      .selectFrom('transactions')
      .where('kind', '=', 'redemption')
      .select((eb) => eb.fn.countAll<string>().as('n'));
    if (filter.campaignId !== undefined) query = query.where('campaign_id', '=', filter.campaignId);
    if (filter.userIds !== undefined) query = query.where('user_id', 'in', filter.userIds);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  const within = (name: string, ledger: number, answered: number, inFlight: number) => {
    process.stdout.write(`ledger check, ${name}: ${answered} answered, ${ledger} ledger rows\n`);
    if (ledger < answered || ledger > answered + inFlight)
      problems.push(`${name}: ${answered} answered but ${ledger} ledger rows`);
  };
  within(
    'full stack (201s)',
    await ledgerBy({ campaignId: fixture.randomCampaignId, userIds: fixture.staffIds }),
    counts.randomCreated,
    counts.randomInFlight,
  );
  within(
    'bare server (201s)',
    await ledgerBy({ userIds: [counts.bare.user.id] }),
    counts.bare.created,
    counts.bare.inFlight,
  );
  for (const { user, runs } of counts.pgbench) {
    const done = runs.filter((run) => run !== undefined);
    within(
      `pgbench user ${user.id.slice(0, 8)} (transactions)`,
      await ledgerBy({ userIds: [user.id] }),
      done.reduce((sum, run) => sum + run.transactions, 0),
      settings.connections * done.length,
    );
  }
  within(
    'hot coupon (201s)',
    await ledgerBy({ campaignId: fixture.hotCampaignId }),
    counts.hotCreated,
    settings.hotConnections,
  );
  const single = await ledgerBy({ campaignId: fixture.singleCampaignId });
  const created = counts.contention.statuses.get(201) ?? 0;
  process.stdout.write(
    `ledger check, single-use coupon: ${created} × 201, ${single} ledger rows\n`,
  );
  if (created !== 1 || single !== 1)
    problems.push(`single-use coupon: ${created} × 201 and ${single} ledger rows, not 1 and 1`);
  const answered = [...counts.contention.statuses.values()].reduce((sum, n) => sum + n, 0);
  if (answered !== settings.contention || counts.contention.errors > 0)
    problems.push(
      `contention: ${answered} of ${settings.contention} answered, ${counts.contention.errors} errors`,
    );
  const drift = await sql<{ n: string }>`
    select count(*) as n from coupons c
     where c.redemption_count <> (
       select count(*) filter (where t.kind = 'redemption') - count(*) filter (where t.kind = 'reversal')
         from transactions t where t.coupon_id = c.id)`.execute(db);
  const drifted = Number(drift.rows[0]?.n ?? 0);
  process.stdout.write(`ledger check, every coupon: ${drifted} counts differ from the ledger\n`);
  if (drifted > 0) problems.push(`${drifted} coupons' counts differ from their ledger`);
  return problems;
}

interface CpuPerRequest {
  /** the whole PostgreSQL server; null where its processes cannot be read */
  database: number | null;
  /** the backend's process; null for the pgbench runs, which do not use it */
  server: number | null;
  /** this process (autocannon) and its children (pgbench) */
  loadGenerator: number;
}

/**
 * CPU time per request of each party in a phase, read from /proc: unlike requests per second,
 * this barely moves when other work shares the machine, so it shows where a redemption's cost is.
 */
class CpuMeter {
  private before = { database: 0 as number | null, server: 0, self: 0 };

  constructor(
    private readonly scratch: ScratchDatabase,
    private readonly serverPid: number,
  ) {}

  private read() {
    const self = processCpu('self');
    return {
      database: this.scratch.cpuMillis(),
      server: cpuMillis(this.serverPid),
      self: self.own + self.children,
    };
  }

  start(): void {
    this.before = this.read();
  }

  stop(requests: number): CpuPerRequest {
    const now = this.read();
    const per = (used: number) => used / Math.max(1, requests);
    const server = per(now.server - this.before.server);
    return {
      database:
        now.database === null || this.before.database === null
          ? null
          : per(now.database - this.before.database),
      // the pgbench runs do not touch the server: what it used then is idle housekeeping
      server: server > 0.001 ? server : null,
      loadGenerator: per(now.self - this.before.self),
    };
  }
}

/** utime + stime and the reaped children's cutime + cstime (ms) of a process. */
function processCpu(pid: number | 'self'): { own: number; children: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ms = (index: number) => (Number(fields[index]) * 1000) / 100; // USER_HZ is 100 on Linux
  return { own: ms(11) + ms(12), children: ms(13) + ms(14) };
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));

/** A row of the results table for an autocannon run. */
function loadRow(name: string, clients: number, result: LoadResult): string[] {
  const failures = result.errors + result.timeouts;
  return [
    name,
    String(clients),
    result.successPerSecond.toFixed(0),
    ms(result.latency.p50),
    ms(result.latency.p99),
    ms(result.latency.max),
    formatStatuses(result.statuses) + (failures > 0 ? ` errors×${failures}` : ''),
  ];
}

/**
 * Short full-stack runs with each pool size in BENCH_POOL_SIZES. Returns the 201s it caused, for
 * the ledger check.
 */
async function poolSweep(scratch: ScratchDatabase, fixture: Fixture): Promise<number> {
  const rows: string[][] = [];
  let created = 0;
  for (const size of settings.poolSizes) {
    const server = await startBenchServer(
      scratch.url,
      { DATABASE_POOL_SIZE: String(size) },
      { production: true },
    );
    try {
      const warm = await fullStack(server, fixture, settings.warmupSeconds);
      await checkpoint(scratch.db);
      const result = await fullStack(server, fixture, settings.durationSeconds);
      created += (warm.statuses.get(201) ?? 0) + (result.statuses.get(201) ?? 0);
      rows.push([
        String(size),
        result.successPerSecond.toFixed(0),
        ms(result.latency.p50),
        ms(result.latency.p99),
      ]);
    } finally {
      await server.stop();
    }
  }
  process.stdout.write(
    `\nPool size (DATABASE_POOL_SIZE), full stack, ${settings.connections} connections\n`,
  );
  printTable(['pool', 'redeemed/s', 'p50 ms', 'p99 ms'], rows);
  return created;
}

interface Trio {
  layout: string;
  full: LoadResult;
  bare: LoadResult;
  sameSql: PgbenchResult;
  oneStatement: PgbenchResult;
}

/**
 * The full stack, the bare server, then the same SQL and the one statement through pgbench, with
 * their CPU.
 */
async function trio(
  pgbenchBinary: string,
  scratch: ScratchDatabase,
  server: BenchServer,
  bare: BenchServer,
  fixture: Fixture,
  layout: string,
): Promise<Trio> {
  const cpu = new CpuMeter(scratch, server.pid);
  await checkpoint(scratch.db);
  cpu.start();
  const full = await fullStack(server, fixture, settings.durationSeconds);
  const fullCpu = cpu.stop(full.requests);
  const bareCpu = new CpuMeter(scratch, bare.pid);
  await checkpoint(scratch.db);
  bareCpu.start();
  const bareRun = await bareServer(bare, settings.durationSeconds);
  const bareUsed = bareCpu.stop(bareRun.requests);
  const sameSql = await pgbench(
    pgbenchBinary,
    scratch,
    fixture,
    sameSqlScript(scratch.db),
    fixture.pgbenchUsers.sameSql,
    cpu,
  );
  const sameSqlCpu = cpu.stop(sameSql.transactions);
  const oneStatement = await pgbench(
    pgbenchBinary,
    scratch,
    fixture,
    oneStatementScript(),
    fixture.pgbenchUsers.oneStatement,
    cpu,
  );
  const oneStatementCpu = cpu.stop(oneStatement.transactions);
  process.stdout.write(
    `\n${layout}: ${full.successPerSecond.toFixed(0)}/s full stack, ` +
      `${bareRun.successPerSecond.toFixed(0)}/s bare server, ` +
      `${sameSql.tps.toFixed(0)}/s same SQL, ${oneStatement.tps.toFixed(0)}/s one statement; ` +
      `CPU ms per request (the database server, the backend process, the load generator):\n`,
  );
  printTable(
    ['run', 'database', 'server', 'load generator', 'all three'],
    [
      ['full stack', fullCpu] as const,
      ['bare server', bareUsed] as const,
      ['pgbench, same SQL', sameSqlCpu] as const,
      ['pgbench, one statement', oneStatementCpu] as const,
    ].map(([name, used]) => [
      name,
      used.database === null ? '?' : used.database.toFixed(3),
      used.server === null ? '-' : used.server.toFixed(3),
      used.loadGenerator.toFixed(3),
      ((used.database ?? 0) + (used.server ?? 0) + used.loadGenerator).toFixed(3),
    ]),
  );
  return { layout, full, bare: bareRun, sameSql, oneStatement };
}

export async function run(): Promise<void> {
  const pgbenchBinary = findPgbench();
  if (pgbenchBinary === null)
    throw new Error('no pgbench (Debian: apt-get install postgresql-client)');
  process.stdout.write(
    `redemptions: ${settings.durationSeconds} s per run (BENCH_DURATION_SECONDS), ` +
      `${settings.connections} connections, ${settings.coupons} multi-use coupons, ` +
      `server pool ${settings.poolSize}, ${os.cpus().length} CPUs, Node ${process.version}\n`,
  );
  buildProduction();
  const scratch = await startScratchDatabase();
  process.stdout.write(
    `database: ${scratch.description}\nserver: production build (dist/server.js)\n`,
  );
  let server: BenchServer | null = null;
  let bare: BenchServer | null = null;
  try {
    server = await startBenchServer(
      scratch.url,
      { DATABASE_POOL_SIZE: String(settings.poolSize) },
      { production: true },
    );
    const fixture = await seed(scratch.db, server.url);
    const sweepCreated = settings.poolSizes.length > 0 ? await poolSweep(scratch, fixture) : 0;

    // 1. the full stack, after a warm-up (JIT, pools, prepared statements), 2. the bare server,
    // then 3. the same SQL and 4. the one statement through pgbench, on the same database and
    // coupons: first with every process on every CPU (as the issue measured), then with the
    // database on CPUs of its own
    const warmup = await fullStack(server, fixture, settings.warmupSeconds);
    bare = await startBareServer(scratch, fixture);
    const bareWarmup = await bareServer(bare, settings.warmupSeconds);
    // what the warm-up wrote, known to the planner before anything is measured (autovacuum may be
    // off, and it would analyze at a moment of its own choosing): every phase plans alike
    await sql`analyze`.execute(scratch.db);
    const runs: Trio[] = [];
    runs.push(
      await trio(pgbenchBinary, scratch, server, bare, fixture, 'every process on every CPU'),
    );
    const split = splitCpus(scratch.postmasterPid);
    if (typeof split === 'string') {
      process.stdout.write(`\nno run with the database on CPUs of its own: ${split}\n`);
    } else {
      split.apply([process.pid, server.pid, bare.pid]);
      try {
        runs.push(await trio(pgbenchBinary, scratch, server, bare, fixture, split.description));
      } finally {
        split.restore();
      }
    }
    // 5. contention
    await checkpoint(scratch.db);
    const hot = await hotCoupon(server, fixture);
    const single = await contention(server, fixture, settings.contention);

    process.stdout.write('\n');
    printTable(
      ['run', 'clients', 'redeemed/s', 'p50 ms', 'p99 ms', 'max ms', 'answers'],
      [
        ...runs.flatMap((run, index) => {
          const tag = runs.length > 1 ? ` [${index + 1}]` : '';
          return [
            loadRow(`full stack (HTTP, production build)${tag}`, settings.connections, run.full),
            loadRow(`bare server (Fastify, no plugin)${tag}`, settings.connections, run.bare),
            ...[
              [`pgbench, same SQL (redeem_coupon())${tag}`, run.sameSql] as const,
              [`pgbench, one statement (CTE)${tag}`, run.oneStatement] as const,
            ].map(([name, result]) => [
              name,
              String(settings.connections),
              result.tps.toFixed(0),
              '-',
              '-',
              '-',
              `${result.transactions} transactions, ${result.failed} failed, ` +
                `average ${result.latencyAverageMs.toFixed(1)} ms`,
            ]),
          ];
        }),
        loadRow('hot coupon (HTTP)', settings.hotConnections, hot),
        [
          `${settings.contention} at once, one single-use coupon (HTTP)`,
          String(settings.contention),
          '-',
          ms(single.p50),
          ms(single.p99),
          ms(single.max),
          formatStatuses(single.statuses) + (single.errors > 0 ? ` errors×${single.errors}` : ''),
        ],
      ],
    );
    if (runs.length > 1) {
      process.stdout.write(runs.map((run, index) => `[${index + 1}] ${run.layout}\n`).join(''));
    }

    await server.stop();
    server = null;
    await bare.stop();
    bare = null;
    const problems = await checkInvariants(scratch.db, fixture, {
      randomCreated:
        (warmup.statuses.get(201) ?? 0) +
        runs.reduce((sum, run) => sum + (run.full.statuses.get(201) ?? 0), 0) +
        sweepCreated,
      randomInFlight: settings.connections * (1 + runs.length + 2 * settings.poolSizes.length),
      hotCreated: hot.statuses.get(201) ?? 0,
      bare: {
        user: fixture.bareUser,
        created:
          (bareWarmup.statuses.get(201) ?? 0) +
          runs.reduce((sum, run) => sum + (run.bare.statuses.get(201) ?? 0), 0),
        inFlight: settings.connections * (1 + runs.length),
      },
      pgbench: [
        { user: fixture.pgbenchUsers.sameSql, runs: runs.map((run) => run.sameSql) },
        { user: fixture.pgbenchUsers.oneStatement, runs: runs.map((run) => run.oneStatement) },
      ],
      contention: single,
    });

    process.stdout.write('\n');
    for (const run of runs) {
      // the best single statement: the CTE, or the server's own statement if that is faster
      const best = Math.max(run.oneStatement.tps, run.sameSql.tps);
      process.stdout.write(
        `redeem${run === runs[0] ? '' : ` (${run.layout})`}: ` +
          `${run.full.successPerSecond.toFixed(0)}/s full stack, ${run.sameSql.tps.toFixed(0)}/s same SQL, ` +
          `${best.toFixed(0)}/s one statement, ratio ${(run.full.successPerSecond / best).toFixed(2)}, ` +
          `p50 ${ms(run.full.latency.p50)} ms, p99 ${ms(run.full.latency.p99)} ms; ` +
          `bare server ${run.bare.successPerSecond.toFixed(0)}/s, ratio ${(run.bare.successPerSecond / best).toFixed(2)}\n`,
      );
    }
    process.stdout.write(
      `contention: ${settings.contention} at once on one single-use coupon: ` +
        `${single.statuses.get(201) ?? 0} × 201, p99 ${ms(single.p99)} ms; ` +
        `hot coupon, ${settings.hotConnections} clients: ${hot.successPerSecond.toFixed(0)}/s, ` +
        `p99 ${ms(hot.latency.p99)} ms\n`,
    );
    if (problems.length > 0)
      throw new Error(`invariants broken under load: ${problems.join('; ')}`);
  } finally {
    await server?.stop();
    await bare?.stop();
    await scratch.stop();
  }
}
