// A backend killed with SIGKILL in the middle of redemptions. Two backends run
// as real processes; clients send round-robin and retry a request that got no answer with the
// same Idempotency-Key (on the other backend, as a balancer would). Afterwards each coupon is
// redeemed at most once and every 201 a client saw is in the ledger.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCoupons } from '../src/modules/coupons/coupons.service.ts';
import { startBackendProcess, type BackendProcess } from './helpers/backend-process.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { loggedIn, makeCampaign, makeUser } from './helpers/factories.ts';
import { acknowledgedButMissing, auditLedger, CLEAN_AUDIT } from './helpers/ledger-audit.ts';
import { RedemptionLoad, type Attempt } from './helpers/redemption-load.ts';

describe('a backend killed with SIGKILL mid-redemptions', () => {
  let database: TestDatabase;
  let backends: BackendProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(4);
    backends = await Promise.all([
      startBackendProcess({ DATABASE_URL: database.url }),
      startBackendProcess({ DATABASE_URL: database.url }),
    ]);
  }, 120_000);

  afterAll(async () => {
    for (const backend of backends) await backend.stop();
    await database.close();
  });

  it('clients retrying with the same Idempotency-Key redeem each coupon at most once, and every 201 they saw is in the ledger', async () => {
    const [doomed, survivor] = backends;
    if (doomed === undefined || survivor === undefined) throw new Error('no backends');
    const campaign = await makeCampaign(database.db);
    const coupons = await issueCoupons(database.db, campaign.id, 60);
    // two phones scan every coupon: exactly one of them may redeem it
    const phones = await Promise.all(
      [0, 1].map(async (i) => {
        const user = await makeUser(database.db, 'staff');
        return loggedIn(i === 0 ? doomed.url : survivor.url, user.email);
      }),
    );
    const attempts: Attempt[] = coupons.flatMap((coupon) =>
      phones.map((phone) => ({
        code: coupon.code,
        key: `kill-${randomBytes(8).toString('hex')}`,
        cookie: phone.cookie,
      })),
    );
    const load = new RedemptionLoad(() => [doomed.url, survivor.url], {
      workers: 8,
      retryDelayMs: 20,
    });
    const running = load.run(attempts);

    await load.waitFor(() => load.count((a) => a.status === 201) >= 15, 'fifteen redemptions');
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const results = await running;
    process.stdout.write(`SIGKILL of one of two backends under load: ${load.summary()}\n`);

    // the kill happened mid-load: the dead backend left requests without an answer
    expect(load.count((a) => a.status === 0 && a.target === doomed.url)).toBeGreaterThan(0);
    expect(load.answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);

    const ledger = await database.db
      .selectFrom('transactions')
      .innerJoin('coupons', 'coupons.id', 'transactions.coupon_id')
      .select(['transactions.id', 'coupons.code'])
      .where('coupons.campaign_id', '=', campaign.id)
      .execute();
    const idByCode = new Map(ledger.map((row) => [row.code, row.id]));
    expect(idByCode.size).toBe(ledger.length); // at most once per coupon
    for (const coupon of coupons) {
      const mine = results.filter((r) => r.attempt.code === coupon.code);
      const redeemed = mine.filter((r) => r.final.status === 201);
      expect(redeemed).toHaveLength(1);
      expect(mine.filter((r) => r.final.code === 'already_redeemed')).toHaveLength(1);
      // every 201 for this coupon, first answer or replay, names the one ledger row
      for (const answer of mine.flatMap((r) => r.answers).filter((a) => a.status === 201))
        expect(answer.redemptionId).toBe(idByCode.get(coupon.code));
    }
    expect(ledger).toHaveLength(coupons.length);
    expect(await acknowledgedButMissing(database.db, load.answers)).toEqual([]);
    expect(await auditLedger(database.db)).toEqual(CLEAN_AUDIT);
  }, 180_000);
});
