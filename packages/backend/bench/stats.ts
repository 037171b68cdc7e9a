// Dashboard statistics benchmark: BENCH_REDEMPTIONS (1,000,000) redemptions over 90
// days in 10 stores and 20 campaigns, plus 10% refused scans, loaded with set-based SQL
// (INSERT … SELECT generate_series) through the ledger's own triggers (the redemption count and
// the campaign column are maintained as in production; only the live feed's NOTIFY is switched
// off while loading). Then each statistics endpoint is asked BENCH_STATS_ROUNDS times over HTTP
// and its latency printed. Results go in docs/benchmarks.md ("Dashboard statistics").
import os from 'node:os';
import { sql } from 'kysely';
import { hashPassword } from '../src/modules/auth/password.ts';
import { insertUser } from '../src/modules/users/users.repository.ts';
import { startBenchDatabase, startBenchServer } from './support/backend.ts';
import { envNumber, printTable } from './support/load.ts';

const REDEMPTIONS = envNumber('BENCH_REDEMPTIONS', 1_000_000);
const ROUNDS = envNumber('BENCH_STATS_ROUNDS', 20);
const PASSWORD = 'bench-password';
const STORES = 10;
const CAMPAIGNS = 20;
const DAYS = 90;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function run(): Promise<void> {
  process.stdout.write(
    `stats: ${REDEMPTIONS} redemptions (BENCH_REDEMPTIONS), ${ROUNDS} rounds, ` +
      `${os.cpus().length} CPUs, Node ${process.version}\n`,
  );
  const database = await startBenchDatabase();
  const server = await startBenchServer(database.url);
  const db = database.db;
  try {
    await insertUser(db, {
      email: 'marketer@bench.test',
      name: 'Bench Marketer',
      role: 'marketer',
      storeId: null,
      passwordHash: await hashPassword(PASSWORD),
    });

    const loadStarted = performance.now();
    // Campaign 1 gets half of everything (a national mailing); the others share the rest.
    await sql`
      insert into stores (code, name, time_zone)
      select 'BENCH-' || i, 'Bench store ' || i, 'Europe/Berlin'
        from generate_series(1, ${STORES}) i`.execute(db);
    await sql`
      insert into users (email, name, role, store_id, password_hash)
      select 'staff' || i || '@bench.test', 'Staff ' || i, 'staff',
             (select id from stores order by code offset (i % ${STORES}) limit 1), 'not-a-login'
        from generate_series(1, ${STORES * 4}) i`.execute(db);
    await sql`
      insert into campaigns (name, discount_type, discount_value, max_redemptions_per_coupon)
      select 'Bench campaign ' || lpad(i::text, 2, '0'), 'percent', 10, 1
        from generate_series(1, ${CAMPAIGNS}) i`.execute(db);
    const couponCount = Math.round(REDEMPTIONS * 1.2);
    await sql`
      with k as (select array_agg(id order by name) as ids from campaigns)
      insert into coupons (campaign_id, code, max_redemptions, created_at)
      select case when i % 2 = 0 then k.ids[1] else k.ids[1 + (i % ${CAMPAIGNS})] end,
             'BENCH' || upper(lpad(to_hex(i), 10, '0')), 1,
             now() - ${DAYS + 1} * interval '1 day'
        from generate_series(1, ${couponCount}) i, k
    `.execute(db);
    const couponsLoaded = performance.now();
    // A redemption is a scan and a ledger row at the same instant, spread over the last 90 days.
    await sql`alter table transactions disable trigger transactions_notify`.execute(db);
    await db.transaction().execute(async (trx) => {
      await sql`
        create temporary table bench_redemptions on commit drop as
        select c.id as coupon_id, u.store_id, u.id as user_id,
               now() - ((c.n * 7919) % ${DAYS * 86400}) * interval '1 second' as at
          from (select id, row_number() over (order by code) as n from coupons) c
          join (select id, store_id, (row_number() over (order by email) - 1)::int as slot
                  from users where role = 'staff') u on u.slot = c.n % ${STORES * 4}
         where c.n <= ${REDEMPTIONS}
      `.execute(trx);
      await sql`
        with s as (
          insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
          select coupon_id, 'BENCH', 'redeemed', store_id, user_id, at from bench_redemptions
          returning id, coupon_id, store_id, user_id, created_at)
        insert into transactions (kind, coupon_id, store_id, user_id, scan_id, created_at)
        select 'redemption', coupon_id, store_id, user_id, id, created_at from s
      `.execute(trx);
    });
    await sql`alter table transactions enable trigger transactions_notify`.execute(db);
    const redemptionsLoaded = performance.now();
    // 10% refused scans: unknown and mistyped codes, and redeemed coupons shown again.
    await sql`
      insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
      select case when i % 3 = 0 then (select id from coupons where code = 'BENCH' || upper(lpad(to_hex(i), 10, '0'))) end,
             'BENCH', (array['already_redeemed', 'not_found', 'invalid_code'])[1 + i % 3],
             u.store_id, u.id, now() - ((i * 104729) % ${DAYS * 86400}) * interval '1 second'
        from generate_series(1, ${Math.round(REDEMPTIONS / 10)}) i
        join (select id, store_id, (row_number() over (order by email) - 1)::int as slot
                from users where role = 'staff') u on u.slot = i % ${STORES * 4}
    `.execute(db);
    await sql`vacuum analyze`.execute(db);
    const loaded = performance.now();
    const counts = await sql<{ coupons: number; ledger: number; scans: number }>`
      select (select count(*) from coupons)::int as coupons,
             (select count(*) from transactions)::int as ledger,
             (select count(*) from scans)::int as scans`.execute(db);
    process.stdout.write(
      `loaded ${JSON.stringify(counts.rows[0])}: coupons ${seconds(couponsLoaded - loadStarted)}, ` +
        `redemptions ${seconds(redemptionsLoaded - couponsLoaded)}, refusals + vacuum analyze ` +
        `${seconds(loaded - redemptionsLoaded)}\n`,
    );

    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'marketer@bench.test', password: PASSWORD }),
    });
    if (login.status !== 200) throw new Error(`login answered ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const ids = await sql<{ big: string; small: string; staff: string }>`
      select (select id from campaigns order by name limit 1) as big,
             (select id from campaigns order by name offset 1 limit 1) as small,
             (select id from users where role = 'staff' order by email limit 1) as staff`.execute(
      db,
    );
    const { big, small, staff } = ids.rows[0] ?? { big: '', small: '', staff: '' };

    const cases: [string, string][] = [
      ['overview, all campaigns, last 30 days (UTC)', '/api/stats/overview'],
      [
        'overview, all campaigns, 90 days, Europe/Berlin',
        `/api/stats/overview?tz=Europe/Berlin&from=${daysAgo(89)}&to=${daysAgo(0)}`,
      ],
      ['overview, the big campaign (50%), 30 days', `/api/stats/overview?campaignId=${big}`],
      ['overview, a small campaign (2.5%), 30 days', `/api/stats/overview?campaignId=${small}`],
      [
        'overview, 366 days, America/New_York',
        `/api/stats/overview?tz=America/New_York&from=${daysAgo(365)}&to=${daysAgo(0)}`,
      ],
      ['suspicious, last 24 h', '/api/stats/suspicious'],
      ['suspicious, last 7 days', '/api/stats/suspicious?hours=168'],
      ['campaign list with counts (20)', '/api/campaigns'],
      ['ledger page, the big campaign', `/api/redemptions?campaignId=${big}`],
      ['ledger page, one staff member', `/api/redemptions?userId=${staff}`],
    ];
    const rows: string[][] = [];
    for (const [name, path] of cases) {
      const times: number[] = [];
      for (let round = -2; round < ROUNDS; round++) {
        const began = performance.now();
        const response = await fetch(server.url + path, { headers: { cookie } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
        if (round >= 0) times.push(performance.now() - began);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) =>
        (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(0);
      rows.push([name, at(0.5), at(0.95), at(1)]);
    }
    printTable(['request', 'p50 ms', 'p95 ms', 'max ms'], rows);
  } finally {
    await server.stop();
    await database.stop();
  }
}

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}
