// The redemption's SQL as installed (latest: migration 2026_12_02_0000): the rules in redemption_refusal(),
// and the pieces of the answer the database writes where Node used to, kept equal to Node's.
import { REFUSAL_OUTCOMES, type ErrorCode } from '@couponscan/shared/errors';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemBody } from '../src/lib/http-problem.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase(2);
});
afterAll(() => database.close());

interface Facts {
  voidedAt?: Date | null;
  redemptionCount?: number;
  maxRedemptions?: number;
  campaignStatus?: 'active' | 'paused' | 'archived';
  validFrom?: Date | null;
  validUntil?: Date | null;
  storeAllowed?: boolean | null;
}

const NOW = new Date('2026-11-29T12:00:00.000Z');
const HOUR = 3600_000;

/** The rules judge rows: a coupon and a campaign row made of the facts (the rest left null). */
async function refusal(facts: Facts): Promise<string | null> {
  const coupon = {
    voided_at: facts.voidedAt ?? null,
    redemption_count: facts.redemptionCount ?? 0,
    max_redemptions: facts.maxRedemptions ?? 1,
  };
  const campaign = {
    status: facts.campaignStatus ?? 'active',
    valid_from: facts.validFrom ?? null,
    valid_until: facts.validUntil ?? null,
  };
  const result = await sql<{ refusal: string | null }>`select redemption_refusal(
      jsonb_populate_record(null::coupons, ${JSON.stringify(coupon)}::jsonb),
      jsonb_populate_record(null::campaigns, ${JSON.stringify(campaign)}::jsonb),
      ${facts.storeAllowed ?? null}::boolean, ${NOW}::timestamptz) as refusal`.execute(database.db);
  return result.rows[0]?.refusal ?? null;
}

describe('the redemption rules (redemption_refusal)', () => {
  it('a fresh coupon of an active campaign, in an allowed store, may be redeemed', async () => {
    expect(await refusal({ storeAllowed: true })).toBeNull();
  });

  it('judged without a store (a preview), the store rule does not apply', async () => {
    expect(await refusal({ storeAllowed: null })).toBeNull();
  });

  it('a voided coupon is refused as voided before anything else', async () => {
    expect(
      await refusal({
        voidedAt: NOW,
        redemptionCount: 1,
        campaignStatus: 'paused',
        storeAllowed: false,
      }),
    ).toBe('voided');
  });

  it('a coupon at its limit is already_redeemed; below it, it may be redeemed', async () => {
    expect(await refusal({ redemptionCount: 3, maxRedemptions: 3, storeAllowed: false })).toBe(
      'already_redeemed',
    );
    expect(await refusal({ redemptionCount: 2, maxRedemptions: 3 })).toBeNull();
  });

  it('a paused campaign is campaign_paused; an archived one counts as expired', async () => {
    expect(await refusal({ campaignStatus: 'paused', validUntil: new Date(0) })).toBe(
      'campaign_paused',
    );
    expect(await refusal({ campaignStatus: 'archived' })).toBe('expired');
  });

  it('the validity window: not_yet_valid before it, expired from its end on', async () => {
    expect(await refusal({ validFrom: new Date(NOW.getTime() + 1) })).toBe('not_yet_valid');
    expect(await refusal({ validFrom: NOW })).toBeNull();
    expect(await refusal({ validUntil: NOW })).toBe('expired');
    expect(await refusal({ validUntil: new Date(NOW.getTime() + HOUR) })).toBeNull();
  });

  it('a coupon not valid in this store is wrong_store, the last rule', async () => {
    expect(await refusal({ storeAllowed: false })).toBe('wrong_store');
    expect(await refusal({ storeAllowed: false, validUntil: NOW })).toBe('expired');
  });
});

describe('the eight-field form, kept for the previous release during a rolling deploy', () => {
  it('judges exactly as the rules on rows do', async () => {
    const cases: Facts[] = [
      { storeAllowed: true },
      { voidedAt: NOW, redemptionCount: 1 },
      { redemptionCount: 3, maxRedemptions: 3 },
      { campaignStatus: 'paused' },
      { campaignStatus: 'archived' },
      { validFrom: new Date(NOW.getTime() + HOUR) },
      { validUntil: NOW },
      { storeAllowed: false },
    ];
    for (const facts of cases) {
      const result = await sql<{ refusal: string | null }>`select redemption_refusal(
          ${facts.voidedAt ?? null}::timestamptz, ${facts.redemptionCount ?? 0}::int,
          ${facts.maxRedemptions ?? 1}::int, ${facts.campaignStatus ?? 'active'}::text,
          ${facts.validFrom ?? null}::timestamptz, ${facts.validUntil ?? null}::timestamptz,
          ${facts.storeAllowed ?? null}::boolean, ${NOW}::timestamptz) as refusal`.execute(
        database.db,
      );
      expect(result.rows[0]?.refusal ?? null).toBe(await refusal(facts));
    }
  });
});

describe('answers written by the database read like those written by Node', () => {
  it('json_time writes a time as Date#toISOString does, microseconds cut to milliseconds', async () => {
    const times = [
      '2026-11-29T00:00:00Z',
      '2026-03-01T23:59:59.999999Z',
      '1999-12-31T23:59:59.0005+02:00',
      '2030-06-15T12:34:56.789Z',
    ];
    for (const time of times) {
      const result = await sql<{ iso: string; parsed: Date }>`
        select json_time(${time}::timestamptz) as iso, ${time}::timestamptz as parsed`.execute(
        database.db,
      );
      const row = result.rows[0];
      expect(row?.iso).toBe(row?.parsed.toISOString());
    }
  });

  it('problem_head gives type, title and status exactly as problemBody for every code it answers', async () => {
    const codes: ErrorCode[] = [...REFUSAL_OUTCOMES, 'not_found', 'invalid_code'];
    for (const code of codes) {
      const result = await sql<{ head: Record<string, unknown> }>`
        select problem_head(${code}, 409, 'detail') as head`.execute(database.db);
      expect(result.rows[0]?.head).toEqual(problemBody(409, code, 'detail'));
    }
  });

  it('the installed redeem_coupon locks the coupon row FOR UPDATE (its source is checked in)', async () => {
    const result = await sql<{ source: string }>`
      select pg_get_functiondef('redeem_coupon'::regproc) as source`.execute(database.db);
    const source = result.rows[0]?.source ?? '';
    expect(source).toContain('for update of c;');
    await expect(source).toMatchFileSnapshot('sql/redeem-coupon.function.sql');
  });
});
