// Redemption benchmark: POST /api/redemptions on the real server (child process) and a real
// PostgreSQL 18 (embedded), over loopback HTTP with autocannon.
//   distinct  every request redeems another single-use coupon (its own code and Idempotency-Key)
//   hot       every request redeems the same multi-use coupon: all of them queue on its row lock
//   … via PgBouncer (transaction pooling), when the pgbouncer binary is installed
// Results go in docs/benchmarks.md ("Redemptions"). Performance is measured here only, never by
// timed assertions in tests.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import { hashPassword } from '../src/modules/auth/password.ts';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { insertUser } from '../src/modules/users/users.repository.ts';
import { startBenchDatabase, startBenchServer, type BenchServer } from './support/backend.ts';
import {
  envNumber,
  formatStatuses,
  printTable,
  runLoad,
  type LoadRequest,
  type LoadResult,
} from './support/load.ts';
import { findPgBouncer, startPgBouncer } from './support/pgbouncer.ts';

const settings = {
  durationSeconds: envNumber('BENCH_DURATION_SECONDS', 10),
  warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 3),
  connections: envNumber('BENCH_CONNECTIONS', 20),
  hotConnections: envNumber('BENCH_HOT_CONNECTIONS', 50),
  staff: envNumber('BENCH_STAFF', 10),
  /** The server's pool (DATABASE_POOL_SIZE), and PgBouncer's pool to PostgreSQL. */
  poolSize: envNumber('BENCH_POOL_SIZE', 10),
};

const PASSWORD = 'bench-password';

interface Fixture {
  campaignId: string;
  hotCampaignId: string;
  hotCode: string;
  cookies: string[];
}

async function seed(db: Database, url: string): Promise<Fixture> {
  const store = await db
    .insertInto('stores')
    .values({ code: 'BENCH', name: 'Benchmark store' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const passwordHash = await hashPassword(PASSWORD);
  const emails: string[] = [];
  for (let i = 0; i < settings.staff; i++) {
    const email = `till-${i}@bench.test`;
    await insertUser(db, {
      email,
      name: `Till ${i}`,
      role: 'staff',
      storeId: store.id,
      passwordHash,
    });
    emails.push(email);
  }
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
  const single = await campaign('Benchmark: single-use coupons', 1);
  const hot = await campaign('Benchmark: one hot coupon', 2_000_000_000);
  const [hotCoupon] = await issueCoupons(db, hot.id, 1);
  if (hotCoupon === undefined) throw new Error('the hot coupon was not issued');

  const cookies: string[] = [];
  for (const email of emails) {
    const response = await fetch(`${url}/api/auth/login`, {
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
  return { campaignId: single.id, hotCampaignId: hot.id, hotCode: hotCoupon.code, cookies };
}

/** Issues enough fresh single-use coupons for `seconds` at `rate` redemptions/s, with room. */
async function issueFor(db: Database, campaignId: string, rate: number, seconds: number) {
  // the warm-up underestimates the warmed-up rate: leave plenty of room
  const count = Math.max(20_000, Math.ceil(rate * seconds * 3));
  const codes: string[] = [];
  for (let issued = 0; issued < count; issued += 10_000) {
    const coupons = await issueCoupons(db, campaignId, Math.min(10_000, count - issued));
    codes.push(...coupons.map((coupon) => coupon.code));
  }
  return codes;
}

function redeemRequest(code: string, cookie: string): LoadRequest {
  return {
    method: 'POST',
    path: '/api/redemptions',
    headers: {
      cookie,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify({ code }),
  };
}

interface Row {
  scenario: string;
  connections: number;
  result: LoadResult;
}

async function distinct(
  server: BenchServer,
  db: Database,
  fixture: Fixture,
  seconds: number,
  expectedRate: number,
): Promise<LoadResult> {
  const codes = await issueFor(db, fixture.campaignId, expectedRate, seconds);
  let next = 0;
  return runLoad({
    url: server.url,
    connections: settings.connections,
    durationSeconds: seconds,
    nextRequest: () => {
      const code = codes[next];
      if (code === undefined) return null;
      const cookie = fixture.cookies[next % fixture.cookies.length] ?? '';
      next++;
      return redeemRequest(code, cookie);
    },
  });
}

async function hot(server: BenchServer, fixture: Fixture): Promise<LoadResult> {
  let next = 0;
  return runLoad({
    url: server.url,
    connections: settings.hotConnections,
    durationSeconds: settings.durationSeconds,
    nextRequest: () =>
      redeemRequest(fixture.hotCode, fixture.cookies[next++ % fixture.cookies.length] ?? ''),
  });
}

/**
 * Every 201 is one ledger row, and the hot coupon's count is its number of ledger rows: the
 * benchmark doubles as a check under load. Requests still in flight when a run's time is up are
 * redeemed but not counted by autocannon, so the ledger may hold up to one per connection more.
 */
async function checkLedger(db: Database, fixture: Fixture, rows: Row[]): Promise<void> {
  const ledgerRows = async (campaignId: string) => {
    const row = await db
      .selectFrom('transactions')
      .innerJoin('coupons', 'coupons.id', 'transactions.coupon_id')
      .where('coupons.campaign_id', '=', campaignId)
      .where('transactions.kind', '=', 'redemption')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  };
  const answered = (hotCoupon: boolean) => {
    const runs = rows.filter((row) => row.scenario.startsWith('hot') === hotCoupon);
    return {
      created: runs.reduce((sum, row) => sum + (row.result.statuses.get(201) ?? 0), 0),
      inFlight: runs.reduce((sum, row) => sum + row.connections, 0),
    };
  };
  // one statement, one snapshot: the server may still be committing the last requests
  const hotCoupon = await sql<{ ledger: string; redemption_count: number }>`
    select count(t.id) as ledger, c.redemption_count
    from coupons c left join transactions t on t.coupon_id = c.id and t.kind = 'redemption'
    where c.campaign_id = ${fixture.hotCampaignId}
    group by c.id`
    .execute(db)
    .then((result) => result.rows[0]);
  if (hotCoupon === undefined) throw new Error('the hot coupon is gone');
  if (Number(hotCoupon.ledger) !== hotCoupon.redemption_count) {
    throw new Error(
      `hot coupon: ${hotCoupon.ledger} ledger rows but redemption_count ${hotCoupon.redemption_count}`,
    );
  }
  const problems: string[] = [];
  for (const [name, campaignId, hotOne] of [
    ['distinct', fixture.campaignId, false],
    ['hot', fixture.hotCampaignId, true],
  ] as const) {
    const ledger = await ledgerRows(campaignId);
    const { created, inFlight } = answered(hotOne);
    process.stdout.write(`ledger check, ${name}: ${created} answered 201, ${ledger} ledger rows\n`);
    if (ledger < created || ledger > created + inFlight) {
      problems.push(`${name}: ${created} answers 201 but ${ledger} ledger rows`);
    }
    if (hotOne && ledger !== hotCoupon.redemption_count) {
      problems.push(
        `hot coupon: ${ledger} ledger rows but redemption_count ${hotCoupon.redemption_count}`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`the ledger does not match: ${problems.join('; ')}`);
}

function describe(row: Row): string[] {
  const { result } = row;
  const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
  const problems = result.errors + result.timeouts;
  return [
    row.scenario,
    String(row.connections),
    result.successPerSecond.toFixed(0),
    ms(result.latency.p50),
    ms(result.latency.p95),
    ms(result.latency.p99),
    ms(result.latency.max),
    formatStatuses(result.statuses) + (problems > 0 ? ` errors×${problems}` : ''),
  ];
}

export async function run(): Promise<void> {
  process.stdout.write(
    `redemptions: ${settings.durationSeconds} s per scenario (BENCH_DURATION_SECONDS), ` +
      `server pool ${settings.poolSize}, ${os.cpus().length} CPUs, Node ${process.version}\n`,
  );
  const database = await startBenchDatabase();
  const servers: { stop(): Promise<void> }[] = [];
  try {
    const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(
      database.db,
    );
    const serverEnv = { DATABASE_POOL_SIZE: String(settings.poolSize) };
    const server = await startBenchServer(database.url, serverEnv);
    servers.push(server);
    const fixture = await seed(database.db, server.url);

    const rows: Row[] = [];
    const measure = async (scenario: string, connections: number, load: Promise<LoadResult>) => {
      const result = await load;
      rows.push({ scenario, connections, result });
      if (result.endedEarly) {
        process.stdout.write(`${scenario}: ran out of coupons after ${result.durationSeconds} s\n`);
      }
      return result;
    };

    const warmup = await measure(
      'warm-up',
      settings.connections,
      distinct(server, database.db, fixture, settings.warmupSeconds, 2_000),
    );
    await measure(
      'distinct coupons',
      settings.connections,
      distinct(server, database.db, fixture, settings.durationSeconds, warmup.successPerSecond),
    );
    await measure('hot coupon', settings.hotConnections, hot(server, fixture));

    const pgbouncer = findPgBouncer();
    if (pgbouncer === null) {
      process.stdout.write(
        'PgBouncer: skipped, no pgbouncer binary (Debian: apt-get install pgbouncer)\n',
      );
    } else {
      const bouncer = await startPgBouncer(pgbouncer, database.url, settings.poolSize);
      servers.push(bouncer);
      // the server keeps a pool of its own; PgBouncer multiplexes it onto its own pool
      const viaBouncer = await startBenchServer(bouncer.url, {
        ...serverEnv,
        DATABASE_POOL_SIZE: String(settings.poolSize * 2),
      });
      servers.push(viaBouncer);
      await measure(
        'distinct coupons via PgBouncer',
        settings.connections,
        distinct(
          viaBouncer,
          database.db,
          fixture,
          settings.durationSeconds,
          rows[1]?.result.successPerSecond ?? 2_000,
        ),
      );
      await measure('hot coupon via PgBouncer', settings.hotConnections, hot(viaBouncer, fixture));
    }

    process.stdout.write(
      `\nRedemptions on PostgreSQL ${version.rows[0]?.v ?? '?'} (embedded, ${database.durability})\n`,
    );
    printTable(
      ['scenario', 'connections', 'redeemed/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'answers'],
      rows.filter((row) => row.scenario !== 'warm-up').map(describe),
    );
    // with the servers gone nothing more commits, so the check reads a settled ledger
    for (const server of servers.splice(0).reverse()) await server.stop();
    await checkLedger(database.db, fixture, rows);
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await database.stop();
  }
}
