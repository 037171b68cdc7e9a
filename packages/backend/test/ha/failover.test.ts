// Failover with nothing acknowledged lost: the backend talks to PostgreSQL
// through HAProxy in front of three Patroni nodes with strict synchronous replication. Under
// redemption load the primary's postmaster is killed with SIGKILL; writes resume on the promoted
// standby, every 201 (before or after) is in the new primary's ledger, no coupon exceeds its limit
// and retries with the same key never redeem twice. Opt-in: pnpm --filter @couponscan/backend
// test:ha (and .ci/run). Skipped with a message when the Debian packages are missing.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { DEFAULT_DATABASE_SETTINGS } from '../../src/config.ts';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { issueCoupons } from '../../src/modules/coupons/coupons.service.ts';
import { listen, testConfig } from '../helpers/app.ts';
import { loggedIn, makeCampaign, makeUser } from '../helpers/factories.ts';
import { acknowledgedButMissing, auditLedger, CLEAN_AUDIT } from '../helpers/ledger-audit.ts';
import { RedemptionLoad, type Attempt } from '../helpers/redemption-load.ts';
import { haStackMissing, startHaStack, type HaStack } from './ha-stack.ts';

const missing = haStackMissing();
if (missing !== null) process.stdout.write(`skipping the failover test: ${missing}\n`);

describe.skipIf(missing !== null)('failover of the primary under redemption load', () => {
  let stack: HaStack;
  let db: Database;
  let app: FastifyInstance;
  let url: string;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    stack = await startHaStack();
    cleanup.push(() => stack.stop());
    const migrating = createDatabase(stack.url, 1, {
      ...DEFAULT_DATABASE_SETTINGS,
      lockTimeoutMs: 0,
      statementTimeoutMs: 0,
    });
    await migrateToLatest(migrating);
    await migrating.destroy();
    db = createDatabase(stack.url, 10);
    cleanup.push(() => db.destroy());
    app = await buildApp({ config: testConfig(), db });
    cleanup.push(() => app.close());
    url = await listen(app);
  }, 300_000);

  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  }, 120_000);

  it('writes resume on the promoted standby, no acknowledged redemption is lost, no coupon exceeds its limit, no key redeems twice', async () => {
    const single = await makeCampaign(db);
    const triple = await makeCampaign(db, { maxRedemptionsPerCoupon: 3 });
    const coupons = [
      ...(await issueCoupons(db, single.id, 120)),
      ...(await issueCoupons(db, triple.id, 20)),
    ];
    const phones = await Promise.all(
      [0, 1, 2, 3].map(async () => loggedIn(url, (await makeUser(db, 'staff')).email)),
    );
    // four phones scan every coupon: a single-use coupon is redeemed by one, a triple by three
    const attempts: Attempt[] = coupons.flatMap((coupon) =>
      phones.map((phone) => ({
        code: coupon.code,
        key: `ha-${randomBytes(8).toString('hex')}`,
        cookie: phone.cookie,
      })),
    );
    const load = new RedemptionLoad(() => [url], {
      workers: 6,
      retryDelayMs: 100,
      requestTimeoutMs: 60_000,
      deadlineMs: 240_000,
    });
    const running = load.run(attempts);

    await load.waitFor(() => load.count((a) => a.status === 201) >= 25, '25 redemptions', 120_000);
    const oldPrimary = await stack.leader();
    const killedAt = Date.now();
    process.kill(stack.postmasterPid(oldPrimary), 'SIGKILL');
    await load.waitFor(
      () => load.answers.some((a) => a.status === 201 && a.sentAt > killedAt && !a.replayed),
      'a redemption on the new primary',
      120_000,
    );
    const resumed = load.answers.find(
      (a) => a.status === 201 && a.sentAt > killedAt && !a.replayed,
    );
    const results = await running;
    const newPrimary = await stack.leader();

    const lost = await acknowledgedButMissing(db, load.answers);
    process.stdout.write(
      `failover: ${oldPrimary.name} killed, ${newPrimary.name} promoted; writes resumed after ` +
        `${(((resumed?.at ?? killedAt) - killedAt) / 1000).toFixed(1)} s; ` +
        `${load.count((a) => a.status === 201 && !a.replayed)} redemptions acknowledged, ` +
        `${lost.length} lost; answers: ${load.summary()}\n`,
    );
    expect(newPrimary.name).not.toBe(oldPrimary.name);
    expect(lost).toEqual([]);
    expect(load.answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);

    // on the new primary: each coupon redeemed up to its limit, by distinct keys, exactly once each
    const ledger = await db
      .selectFrom('transactions')
      .innerJoin('coupons', 'coupons.id', 'transactions.coupon_id')
      .select(['transactions.id', 'coupons.code', 'coupons.max_redemptions'])
      .where('transactions.kind', '=', 'redemption')
      .execute();
    for (const coupon of coupons) {
      const rows = ledger.filter((row) => row.code === coupon.code);
      const redeemed = results.filter(
        (r) => r.attempt.code === coupon.code && r.final.status === 201,
      );
      expect(rows).toHaveLength(coupon.maxRedemptions);
      expect(redeemed).toHaveLength(coupon.maxRedemptions);
      // one ledger row per key that was answered 201, however often it was retried
      expect(new Set(redeemed.map((r) => r.final.redemptionId)).size).toBe(redeemed.length);
      for (const r of redeemed) {
        for (const answer of r.answers.filter((a) => a.status === 201))
          expect(answer.redemptionId).toBe(r.final.redemptionId);
      }
    }
    expect(await auditLedger(db)).toEqual(CLEAN_AUDIT);
  }, 420_000);
});
