// Dashboard statistics benchmark: BENCH_REDEMPTIONS (default 1,000,000; e.g. 50000 for a quick
// run) redemptions over 90 days in 10 stores and 20 campaigns, plus 10% refused scans, loaded
// with set-based SQL (INSERT … SELECT generate_series). The ledger's per-row triggers are
// switched off while loading and their effects written set-based instead (see `loadLedger`),
// then checked. The dashboard's rollup is then made by running the real job (rollUpStatistics)
// over the loaded history, and the figures the endpoints serve are checked against a direct
// aggregation of the ledger, the scans and the coupons. Each statistics endpoint is asked
// BENCH_STATS_ROUNDS times over HTTP and its latency printed, and the plans of the queries behind
// them are printed with the indexes they use. Results go in docs/benchmarks.md ("Dashboard
// statistics").
import os from 'node:os';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from '../src/db/database.ts';
import { hashPassword } from '../src/modules/auth/password.ts';
import { getCampaign, listAllCampaigns } from '../src/modules/campaigns/campaigns.service.ts';
import { listCoupons } from '../src/modules/coupons/coupons.service.ts';
import { rebuildStatisticsRollup } from '../src/modules/stats/stats-rollup.service.ts';
import { statsOverview, suspiciousActivity } from '../src/modules/stats/stats.service.ts';
import { insertUser } from '../src/modules/users/users.repository.ts';
import { startBenchDatabase, startBenchServer } from './support/backend.ts';
import { envNumber, printTable } from './support/load.ts';
import { directOverview } from '../test/helpers/direct-stats.ts';

const REDEMPTIONS = envNumber('BENCH_REDEMPTIONS', 1_000_000);
const ROUNDS = envNumber('BENCH_STATS_ROUNDS', 30);
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
    // Coupon i is redeemed when i <= REDEMPTIONS: its redemption_count is written here, as the
    // ledger trigger would have left it (checked after loading).
    await sql`
      with k as (select array_agg(id order by name) as ids from campaigns)
      insert into coupons (campaign_id, code, max_redemptions, redemption_count, created_at)
      select case when i % 2 = 0 then k.ids[1] else k.ids[1 + (i % ${CAMPAIGNS})] end,
             'BENCH' || upper(lpad(to_hex(i), 10, '0')), 1,
             case when i <= ${REDEMPTIONS} then 1 else 0 end,
             now() - ${DAYS + 1} * interval '1 day'
        from generate_series(1, ${couponCount}) i, k
    `.execute(db);
    const couponsLoaded = performance.now();
    await db.transaction().execute(loadLedger);
    const redemptionsLoaded = performance.now();
    // 10% refused scans: unknown and mistyped codes, and redeemed coupons shown again.
    await sql`
      insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
      select case when i % 3 = 0 then (select id from coupons where code = 'BENCH' || upper(lpad(to_hex(i), 10, '0'))) end,
             'BENCH', (array['already_redeemed', 'not_found', 'invalid_code'])[1 + i % 3],
             u.store_id, u.id, now() - ((i::bigint * 104729) % ${DAYS * 86400}) * interval '1 second'
        from generate_series(1, ${Math.round(REDEMPTIONS / 10)}) i
        join (select id, store_id, (row_number() over (order by email) - 1)::int as slot
                from users where role = 'staff') u on u.slot = i % ${STORES * 4}
    `.execute(db);
    await sql`vacuum analyze`.execute(db);
    const loaded = performance.now();
    await checkLedgerInvariants(db);
    // The coupons' insert trigger appended the issued counts while loading. The server's rollup
    // job already ran at start, over an empty ledger, so its watermark is past the history loaded
    // since: rebuild, which runs the job's own steps from the beginning (the server's job, every
    // minute, may take some of them).
    const rollupStarted = performance.now();
    const rollup = await rebuildStatisticsRollup(db);
    const rollupTook = performance.now() - rollupStarted;
    const rolled = await sql<{ watermark: Date; ledger: number; stores: number; refusals: number }>`
      select (select watermark from stats_rollup_state) as watermark,
             (select count(*) from stats_ledger_buckets)::int as ledger,
             (select count(*) from stats_store_buckets)::int as stores,
             (select count(*) from stats_refusal_buckets)::int as refusals`.execute(db);
    process.stdout.write(
      `rollup rebuilt by the job's steps: ${rollup.steps} steps in ${seconds(rollupTook)}, watermark ` +
        `${rolled.rows[0]?.watermark.toISOString() ?? '?'}; bucket rows: ` +
        `${JSON.stringify({ ...rolled.rows[0], watermark: undefined })}\n`,
    );
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

    await checkFiguresAgainstLedger(db, big, small);

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
      ['one campaign with counts, the big one', `/api/campaigns/${big}`],
      ['ledger page, the big campaign', `/api/redemptions?campaignId=${big}`],
      ['ledger page, one staff member', `/api/redemptions?userId=${staff}`],
      ['coupons of the big campaign, first page', `/api/campaigns/${big}/coupons`],
      [
        'coupon code search in the big campaign',
        '/api/campaigns/' + big + '/coupons?q=BENCH00000A12',
      ],
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
      // nearest rank: with 30 rounds p99 is the slowest call
      const at = (q: number) =>
        (times[Math.max(0, Math.ceil(q * times.length) - 1)] ?? 0).toFixed(0);
      rows.push([name, at(0.5), at(0.9), at(0.99)]);
    }
    printTable(['request', 'p50 ms', 'p90 ms', 'p99 ms'], rows);
    await printPlans(database.url, big);
  } finally {
    await server.stop();
    await database.stop();
  }
}

/** What each per-row trigger on the ledger does, and how the load stands in for it. */
const LEDGER_TRIGGERS: Record<string, string> = {
  transactions_set_campaign: "copies the coupon's campaign_id: the load names it itself",
  transactions_apply_to_coupon:
    "adds 1 to the coupon's redemption_count: the coupons were inserted with their final count",
  transactions_webhook_event:
    'writes a webhook outbox row when an enabled endpoint subscribes: the bench registers none',
  transactions_append_only: 'refuses UPDATE and DELETE: the load only inserts, it stays on',
};

/**
 * A redemption is a scan and a ledger row at the same instant, spread over the last 90 days.
 * Firing three per-row triggers (one an UPDATE of a coupon) a million times made the load take
 * half an hour on a busy machine; instead they are off for this one transaction, the rows carry
 * what the triggers would have written, and checkLedgerInvariants proves it afterwards. A trigger
 * this file does not know stops the benchmark rather than being skipped silently.
 */
async function loadLedger(trx: Transaction<DB>): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select tgname as name from pg_trigger
     where tgrelid = 'transactions'::regclass and not tgisinternal`.execute(trx);
  const unknown = rows.map((row) => row.name).filter((name) => !(name in LEDGER_TRIGGERS));
  if (unknown.length > 0) {
    throw new Error(
      `bench/stats.ts does not know what the ledger trigger(s) ${unknown.join(', ')} do: ` +
        'teach loadLedger to write their effects before loading around them',
    );
  }
  const off = rows.map((row) => row.name).filter((name) => name !== 'transactions_append_only');
  for (const name of off) {
    await sql`alter table transactions disable trigger ${sql.id(name)}`.execute(trx);
  }
  await sql`
    create temporary table bench_redemptions on commit drop as
    select c.id as coupon_id, c.campaign_id, u.store_id, u.id as user_id,
           now() - ((c.n * 7919) % ${DAYS * 86400}) * interval '1 second' as at
      from (select id, campaign_id, row_number() over (order by code) as n
              from coupons where redemption_count = 1) c
      join (select id, store_id, (row_number() over (order by email) - 1)::int as slot
              from users where role = 'staff') u on u.slot = c.n % ${STORES * 4}
  `.execute(trx);
  await sql`
    with s as (
      insert into scans (coupon_id, code, outcome, store_id, user_id, created_at)
      select coupon_id, 'BENCH', 'redeemed', store_id, user_id, at from bench_redemptions
      returning id, coupon_id, store_id, user_id, created_at)
    insert into transactions (kind, coupon_id, campaign_id, store_id, user_id, scan_id, created_at)
    select 'redemption', s.coupon_id, r.campaign_id, s.store_id, s.user_id, s.id, s.created_at
      from s join bench_redemptions r using (coupon_id)
  `.execute(trx);
  for (const name of off) {
    await sql`alter table transactions enable trigger ${sql.id(name)}`.execute(trx);
  }
}

/** The loaded ledger reads as if its triggers had run; a benchmark on broken data proves nothing. */
async function checkLedgerInvariants(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ wrong_campaign: number; wrong_count: number; disabled: number }>`
    select
      (select count(*) from transactions t join coupons c on c.id = t.coupon_id
        where t.campaign_id <> c.campaign_id)::int as wrong_campaign,
      (select count(*) from coupons c
         left join (select coupon_id,
                           sum(case kind when 'redemption' then 1 else -1 end) as n
                      from transactions group by coupon_id) t on t.coupon_id = c.id
        where c.redemption_count <> coalesce(t.n, 0))::int as wrong_count,
      (select count(*) from pg_trigger
        where tgrelid = 'transactions'::regclass and tgenabled = 'D')::int as disabled`.execute(db);
  const found = rows[0];
  if (found === undefined || found.wrong_campaign + found.wrong_count + found.disabled > 0) {
    throw new Error(`the loaded ledger is inconsistent: ${JSON.stringify(found)}`);
  }
  process.stdout.write(
    "ledger checked: every row has its coupon's campaign, every redemption_count matches the " +
      'ledger, every trigger is back on\n',
  );
}

/**
 * The figures the endpoints serve (rollup up to the watermark plus the live tail) against a
 * direct aggregation of the ledger, the refused scans and the coupons, as the dashboard computed
 * them before the rollup: a fast answer that is wrong would prove nothing.
 */
async function checkFiguresAgainstLedger(db: Kysely<DB>, big: string, small: string) {
  const began = performance.now();
  const cases: { campaignId: string | null; tz: string; from: string; to: string }[] = [
    { campaignId: null, tz: 'Europe/Berlin', from: daysAgo(89), to: daysAgo(0) },
    { campaignId: null, tz: 'America/New_York', from: daysAgo(365), to: daysAgo(0) },
    { campaignId: big, tz: 'Asia/Kathmandu', from: daysAgo(29), to: daysAgo(0) },
    { campaignId: small, tz: 'Asia/Kolkata', from: daysAgo(89), to: daysAgo(0) },
  ];
  for (const c of cases) {
    const served = await statsOverview(db, {
      ...(c.campaignId === null ? {} : { campaignId: c.campaignId }),
      tz: c.tz,
      from: c.from,
      to: c.to,
    });
    const direct = await directOverview(db, c.campaignId, c.tz, c.from, c.to);
    const got = JSON.stringify({
      totals: served.totals,
      perDay: served.perDay,
      perStore: served.perStore.map((s) => ({ storeId: s.storeId, redemptions: s.redemptions })),
      refusals: served.refusals,
    });
    if (got !== JSON.stringify(direct)) {
      throw new Error(`figures differ from the ledger for ${JSON.stringify(c)}`);
    }
  }
  const list = await listAllCampaigns(db, { limit: 100 });
  const coupons = await sql<{
    id: string;
    issued: number;
    redeemed: number;
    voided: number;
    redemptions: number;
  }>`
    select campaign_id as id, count(*)::int as issued,
           (count(*) filter (where redemption_count > 0))::int as redeemed,
           count(voided_at)::int as voided,
           coalesce(sum(redemption_count), 0)::int as redemptions
      from coupons group by campaign_id`.execute(db);
  const expected = new Map(
    coupons.rows.map(({ id, ...counts }) => [id, JSON.stringify(counts)] as const),
  );
  for (const item of list.items) {
    const none = JSON.stringify({ issued: 0, redeemed: 0, voided: 0, redemptions: 0 });
    if (JSON.stringify(item.counts) !== (expected.get(item.id) ?? none)) {
      throw new Error(
        `campaign ${item.id}: counts ${JSON.stringify(item.counts)} differ from its coupons ${expected.get(item.id) ?? none}`,
      );
    }
  }
  const one = await getCampaign(db, big);
  if (JSON.stringify(one.counts) !== expected.get(big)) {
    throw new Error('the big campaign: counts differ from its coupons');
  }
  process.stdout.write(
    `figures checked against the ledger and the coupons (${cases.length} overviews, ` +
      `${list.items.length} campaigns): equal, in ${seconds(performance.now() - began)}\n`,
  );
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** "Index Only Scan transactions_campaign_created_at_idx", "Seq Scan stores", … */
function scansOf(node: PlanNode, found: string[] = []): string[] {
  if (node['Index Name'] !== undefined) found.push(`${node['Node Type']} ${node['Index Name']}`);
  else if (node['Relation Name'] !== undefined)
    found.push(`${node['Node Type']} ${node['Relation Name']}`);
  for (const child of node.Plans ?? []) scansOf(child, found);
  return found;
}

/**
 * The plans of the queries behind the endpoints, run by the services themselves on a logging
 * connection and then EXPLAIN ANALYZEd with the same parameters: which indexes they use, and
 * whether anything reads a big table from end to end.
 */
async function printPlans(url: string, bigCampaign: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const queries: { label: string; sql: string; parameters: unknown[] }[] = [];
  let label = '';
  const traced = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      // transaction control (the figures are read in one REPEATABLE READ snapshot) has no plan
      if (event.level === 'query' && /^\s*(select|with)\b/i.test(event.query.sql))
        queries.push({ label, sql: event.query.sql, parameters: [...event.query.parameters] });
    },
  });
  try {
    const to = daysAgo(0);
    label = 'overview, big campaign, 90 days';
    await statsOverview(traced, {
      campaignId: bigCampaign,
      tz: 'Europe/Berlin',
      from: daysAgo(89),
      to,
    });
    label = 'overview, all campaigns, 30 days';
    await statsOverview(traced, {});
    label = 'overview, all campaigns, 366 days';
    await statsOverview(traced, { tz: 'America/New_York', from: daysAgo(365), to });
    label = 'campaign list';
    await listAllCampaigns(traced, {});
    label = 'suspicious, 7 days';
    await suspiciousActivity(traced, { hours: 168 });
    label = 'coupon code search, big campaign';
    await listCoupons(traced, bigCampaign, { q: 'BENCH00000A12' });
    label = 'coupons, big campaign, first page';
    await listCoupons(traced, bigCampaign, {});
    const rows: string[][] = [];
    for (const query of queries) {
      const explained = await pool.query<{
        'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }];
      }>(`explain (analyze, format json) ${query.sql}`, query.parameters);
      const plan = explained.rows[0]?.['QUERY PLAN'][0];
      if (plan === undefined) continue;
      const scans = [...new Set(scansOf(plan.Plan))];
      const text = query.sql.replace(/\s+/g, ' ');
      const table = /\bfrom "?(\w+)"?/.exec(text)?.[1] ?? '?';
      rows.push([query.label, table, plan['Execution Time'].toFixed(0), scans.join('; ')]);
    }
    process.stdout.write('\nplans of the queries behind the endpoints (EXPLAIN ANALYZE):\n');
    printTable(['endpoint', 'reads', 'ms', 'scans'], rows);
  } finally {
    await traced.destroy();
  }
}

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}
