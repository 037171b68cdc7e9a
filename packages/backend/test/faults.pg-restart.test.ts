// PostgreSQL restarted under redemption load. The backend keeps running: while
// the database is down every request fails fast with 503 database_unavailable and Retry-After,
// the pool reconnects by itself, and afterwards the ledger is exactly what the clients were told.
// A PostgreSQL 15 cluster of this file's own is restarted; the shared test server never is.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { listen, testConfig } from './helpers/app.ts';
import { loggedIn, makeCampaign, makeUser } from './helpers/factories.ts';
import { acknowledgedButMissing, auditLedger, CLEAN_AUDIT } from './helpers/ledger-audit.ts';
import { pg15Missing, startPgCluster, type PgCluster } from './helpers/pg-cluster.ts';
import { RedemptionLoad, type Attempt } from './helpers/redemption-load.ts';

const missing = pg15Missing();
if (missing !== null) process.stdout.write(`skipping the PostgreSQL restart tests: ${missing}\n`);

describe.skipIf(missing !== null)('PostgreSQL restarted under load', () => {
  let cluster: PgCluster;
  let db: Database;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    cluster = await startPgCluster();
    db = createDatabase(cluster.url, 10);
    await migrateToLatest(db);
    app = await buildApp({ config: testConfig(), db });
    url = await listen(app);
  }, 120_000);

  afterAll(async () => {
    await app.close();
    await db.destroy();
    await cluster.destroy();
  });

  async function attemptsFor(count: number): Promise<Attempt[]> {
    const campaign = await makeCampaign(db);
    const coupons = await issueCoupons(db, campaign.id, count);
    const staff = await makeUser(db, 'staff');
    const client = await loggedIn(url, staff.email);
    return coupons.map((coupon) => ({
      code: coupon.code,
      key: `restart-${randomBytes(8).toString('hex')}`,
      cookie: client.cookie,
    }));
  }

  it.each([
    ['fast shutdown', 'fast'],
    ['crash (immediate shutdown)', 'immediate'],
  ] as const)(
    'after a %s and restart: requests while down answer 503 database_unavailable with Retry-After, the pool recovers, and every 201 is in the ledger exactly once',
    async (_name, mode) => {
      const attempts = await attemptsFor(80);
      const probe = attempts.pop();
      if (probe === undefined) throw new Error('no probe coupon');
      const load = new RedemptionLoad(() => [url], { workers: 6, retryDelayMs: 100 });
      const running = load.run(attempts);

      // under load: some redemptions are through, then the database goes away
      await load.waitFor(() => load.count((a) => a.status === 201) >= 10, 'ten redemptions');
      await cluster.stop(mode);

      // while it is down: a fast, retryable 503, no hang, no 500
      const down = await load.send(probe, url);
      expect(down).toMatchObject({ status: 503, code: 'database_unavailable', retryAfter: '2' });
      const health = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(20_000) });
      expect(health.status).toBe(503);
      await load.waitFor(
        () => load.count((a) => a.code === 'database_unavailable') >= 3,
        'the load to meet the outage',
      );

      // back up: the same backend process, its pool reconnecting on its own
      await cluster.start();
      const results = await running;
      const retried = await load.send(probe, url);
      expect(retried.status).toBe(201);

      const all = [...load.answers];
      process.stdout.write(`PostgreSQL ${mode} restart under load: ${load.summary()}\n`);
      expect(all.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
      for (const unavailable of all.filter((a) => a.status === 503)) {
        expect(['database_unavailable', 'database_busy']).toContain(unavailable.code);
        expect(unavailable.retryAfter).toMatch(/^\d+$/);
      }
      // each coupon redeemed exactly once, under its client's key, with the id the client got
      for (const { final } of results) expect(final.status).toBe(201);
      const ledger = await db
        .selectFrom('transactions')
        .innerJoin('coupons', 'coupons.id', 'transactions.coupon_id')
        .select(['transactions.id', 'coupons.code'])
        .where(
          'coupons.code',
          'in',
          [...attempts, probe].map((a) => a.code),
        )
        .execute();
      expect(ledger).toHaveLength(attempts.length + 1);
      const idByCode = new Map(ledger.map((row) => [row.code, row.id]));
      for (const { attempt, answers } of results) {
        for (const answer of answers.filter((a) => a.status === 201))
          expect(answer.redemptionId).toBe(idByCode.get(attempt.code));
      }
      const scans = await db
        .selectFrom('scans')
        .select(['code', 'outcome'])
        .where(
          'code',
          'in',
          [...attempts, probe].map((a) => a.code),
        )
        .execute();
      // one scan per coupon: attempts that failed with the database left nothing behind
      expect(scans).toHaveLength(attempts.length + 1);
      expect(scans.every((s) => s.outcome === 'redeemed')).toBe(true);
      expect(await acknowledgedButMissing(db, all)).toEqual([]);
      expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
    },
    180_000,
  );
});
