// The race suite from the project's first report: many phones redeem one coupon at the same
// moment, over real HTTP against listening app instances, so the requests truly overlap in
// PostgreSQL. One suite, run against several deployments: two instances (the default), three,
// SERIALIZABLE transactions, and PgBouncer in transaction mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_SETTINGS, type DatabaseSettings } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import type { ApiClient } from './factories.ts';
import { loggedIn, makeCoupon, makeUser } from './factories.ts';

/**
 * The suite's subject is exclusivity, not speed: a hundred requests queue on one row lock, and on
 * a loaded machine the last may wait longer than the production bound. So its databases wait as
 * long as it takes; the bound and its 503 are test/faults.bounded-waits.test.ts's subject.
 */
export function raceSettings(overrides: Partial<DatabaseSettings> = {}): DatabaseSettings {
  return {
    ...DEFAULT_DATABASE_SETTINGS,
    lockTimeoutMs: 300_000,
    statementTimeoutMs: 300_000,
    ...overrides,
  };
}

export interface RaceTarget {
  /** A direct connection for fixtures and for checking the ledger. */
  db: Database;
  /** The app instances' base URLs; clients are spread over them round-robin. */
  urls: string[];
  close(): Promise<void>;
}

export function raceSuite(title: string, setup: () => Promise<RaceTarget>): void {
  let target: RaceTarget;

  async function staffClients(count: number, storeId?: string): Promise<ApiClient[]> {
    const store = storeId ?? (await makeUser(target.db, 'staff')).store_id ?? undefined;
    const clients: ApiClient[] = [];
    for (let i = 0; i < count; i++) {
      const user = await makeUser(target.db, 'staff', {
        ...(store === undefined ? {} : { storeId: store }),
      });
      clients.push(await loggedIn(target.urls[i % target.urls.length] as string, user.email));
    }
    return clients;
  }

  async function ledgerAndScans(couponId: string) {
    const ledger = await target.db
      .selectFrom('transactions')
      .selectAll()
      .where('coupon_id', '=', couponId)
      .execute();
    const scans = await target.db
      .selectFrom('scans')
      .selectAll()
      .where('coupon_id', '=', couponId)
      .execute();
    const coupon = await target.db
      .selectFrom('coupons')
      .selectAll()
      .where('id', '=', couponId)
      .executeTakeFirstOrThrow();
    return { ledger, scans, coupon };
  }

  describe(`concurrent redemptions over real HTTP, ${title}`, () => {
    beforeAll(async () => {
      target = await setup();
    }, 120_000);
    afterAll(async () => {
      await target.close();
    });

    it('100 simultaneous redemptions of a single-use coupon give exactly one 201 and 99 already_redeemed', async () => {
      const { coupon } = await makeCoupon(target.db);
      const [staff] = await staffClients(1);
      if (staff === undefined) throw new Error('no client');
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => staff.redeem(coupon.code)),
      );

      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(99);
      expect(statuses.filter((s) => s >= 500)).toHaveLength(0);
      for (const refused of responses.filter((r) => r.status === 409)) {
        expect(refused.body).toMatchObject({
          code: 'already_redeemed',
          outcome: 'already_redeemed',
        });
      }
      const { ledger, scans, coupon: after } = await ledgerAndScans(coupon.id);
      expect(ledger).toHaveLength(1);
      expect(scans).toHaveLength(100);
      expect(scans.filter((s) => s.outcome === 'redeemed')).toHaveLength(1);
      expect(after.redemption_count).toBe(1);
    });

    it('a coupon with a limit of 3 is redeemed exactly 3 times by 60 phones across two app instances', async () => {
      const { coupon } = await makeCoupon(target.db, { maxRedemptionsPerCoupon: 3 });
      const clients = await staffClients(6);
      const responses = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (clients[i % clients.length] as ApiClient).redeem(coupon.code),
        ),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(3);
      expect(responses.filter((r) => r.status === 409)).toHaveLength(57);
      const { ledger, scans, coupon: after } = await ledgerAndScans(coupon.id);
      expect(ledger).toHaveLength(3);
      expect(scans).toHaveLength(60);
      expect(after.redemption_count).toBe(3);
    });

    it('the same race split across two app instances with separate pools still redeems once', async () => {
      const { coupon } = await makeCoupon(target.db);
      const clients = await staffClients(2);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (clients[i % 2] as ApiClient).redeem(coupon.code)),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 409)).toHaveLength(49);
      expect((await ledgerAndScans(coupon.id)).ledger).toHaveLength(1);
    });

    it('a redemption racing a reversal never leaves the count and the ledger apart', async () => {
      for (let round = 0; round < 10; round++) {
        const { coupon } = await makeCoupon(target.db);
        const [staff] = await staffClients(1);
        if (staff === undefined) throw new Error('no client');
        const redeemed = await staff.redeem(coupon.code);
        expect(redeemed.status).toBe(201);
        const redemptionId = (redeemed.body as { redemption: { id: string } }).redemption.id;

        const [reversal, again] = await Promise.all([
          staff.request('POST', `/api/redemptions/${redemptionId}/reversal`, {
            reason: 'wrong coupon',
          }),
          staff.redeem(coupon.code),
        ]);
        expect(reversal.status).toBe(201);
        // Either the redemption came first (refused) or the reversal did (redeemed again).
        expect([201, 409]).toContain(again.status);
        const { ledger, coupon: after } = await ledgerAndScans(coupon.id);
        const standing =
          ledger.filter((t) => t.kind === 'redemption').length -
          ledger.filter((t) => t.kind === 'reversal').length;
        expect(after.redemption_count).toBe(standing);
        expect(standing).toBe(again.status === 201 ? 1 : 0);
      }
    });

    it('a redemption racing a void is either refused as voided or happened before the void', async () => {
      const marketer = await makeUser(target.db, 'marketer');
      const marketerClient = await loggedIn(target.urls.at(-1) as string, marketer.email);
      for (let round = 0; round < 10; round++) {
        const { coupon } = await makeCoupon(target.db);
        const [staff] = await staffClients(1);
        if (staff === undefined) throw new Error('no client');
        const [redeemed, voided] = await Promise.all([
          staff.redeem(coupon.code),
          marketerClient.request('POST', `/api/coupons/${coupon.code}/void`, {
            reason: 'misprint',
          }),
        ]);
        expect(voided.status).toBe(200);
        const { ledger, coupon: after } = await ledgerAndScans(coupon.id);
        if (redeemed.status === 201) {
          expect(ledger).toHaveLength(1);
          expect(ledger[0]?.created_at.getTime()).toBeLessThanOrEqual(
            after.voided_at?.getTime() ?? 0,
          );
        } else {
          expect(redeemed.body).toMatchObject({ code: 'voided' });
          expect(ledger).toHaveLength(0);
        }
      }
    });

    it('retries with one Idempotency-Key, sent concurrently, redeem once and all replay the same answer', async () => {
      const { coupon } = await makeCoupon(target.db, { maxRedemptionsPerCoupon: 5 });
      const [staff] = await staffClients(1);
      if (staff === undefined) throw new Error('no client');
      const key = 'retry-key-0001';
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => staff.redeem(coupon.code, key)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
      const ids = new Set(
        responses.map((r) => (r.body as { redemption: { id: string } }).redemption.id),
      );
      expect(ids.size).toBe(1);
      expect(responses.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      const { ledger, coupon: after } = await ledgerAndScans(coupon.id);
      expect(ledger).toHaveLength(1);
      expect(after.redemption_count).toBe(1);
    });
  });
}
