// Importing codes from CSV: normalised with the shared rules, every bad line reported,
// and nothing inserted unless the whole file is good.
import type { Batch } from '@couponscan/shared/batches';
import { generateCouponCode, parseCouponCode } from '@couponscan/shared/code';
import type { ImportLineError } from '@couponscan/shared/imports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  loggedIn,
  makeCampaign,
  makeCoupon,
  makeStore,
  makeUser,
  type ApiClient,
} from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

async function upload(
  client: ApiClient | null,
  campaignId: string,
  body: string,
  contentType = 'text/csv; charset=utf-8',
) {
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/campaigns/${campaignId}/imports`,
    headers: {
      'content-type': contentType,
      ...(client === null ? {} : { cookie: client.cookie }),
    },
    payload: body,
  });
  return {
    status: response.statusCode,
    type: String(response.headers['content-type']),
    body: response.json<Record<string, unknown>>(),
  };
}

const codesOf = (campaignId: string) =>
  t.db
    .selectFrom('coupons')
    .select(['code', 'batch_id', 'max_redemptions'])
    .where('campaign_id', '=', campaignId)
    .orderBy('code')
    .execute();

/** A code of another system: letters and digits, in a shape ours never have. */
const foreignCode = (n: number) => `SUMMER${String(n).padStart(6, '0')}`;

describe('POST /api/campaigns/:id/imports', () => {
  it('imports a file with a header, normalising each code, as one succeeded batch', async () => {
    const campaign = await makeCampaign(t.db, { maxRedemptionsPerCoupon: 2 });
    const csv = 'name,code\r\nAda,"summer-0001"\r\nBob, Summer 0002 \r\n\r\nCy,WINTER0003\r\n';

    const response = await upload(marketer, campaign.id, csv);

    expect(response.status).toBe(201);
    const batch = response.body.batch as Batch;
    expect(batch).toMatchObject({
      source: 'imported',
      status: 'succeeded',
      count: 3,
      generated: 3,
      prefix: null,
    });
    expect(await codesOf(campaign.id)).toEqual(
      ['SUMMER0001', 'SUMMER0002', 'WINTER0003'].map((code) => ({
        code,
        batch_id: batch.id,
        max_redemptions: 2,
      })),
    );
    expect(parseCouponCode('summer-0001')).toEqual({
      ok: true,
      kind: 'imported',
      code: 'SUMMER0001',
    });
  });

  it('an imported code is redeemed like a generated one', async () => {
    const store = await makeStore(t.db);
    const staff = await loggedIn(
      t.app,
      (await makeUser(t.db, 'staff', { storeId: store.id })).email,
    );
    const campaign = await makeCampaign(t.db);
    expect((await upload(marketer, campaign.id, 'SHOPCODE42\n')).status).toBe(201);

    const preview = await staff.request('GET', '/api/coupons/shopcode42');
    expect(preview.status).toBe(200);
    expect((await staff.redeem('ShopCode42')).status).toBe(201);
  });

  it('imports a file of 25,000 lines without a header', async () => {
    const campaign = await makeCampaign(t.db);
    const lines = Array.from({ length: 25_000 }, (_, i) => foreignCode(i));
    const response = await upload(marketer, campaign.id, `${lines.join('\n')}\n`);
    expect(response.status).toBe(201);
    expect((await codesOf(campaign.id)).length).toBe(25_000);
  });

  it('one bad line among good ones refuses the whole file with 422 import_invalid, and nothing is inserted', async () => {
    const campaign = await makeCampaign(t.db);
    const good = Array.from({ length: 100 }, (_, i) => `AUTUMN${String(i).padStart(4, '0')}`);
    good.splice(41, 0, 'no!');

    const response = await upload(marketer, campaign.id, `code\n${good.join('\n')}\n`);

    expect(response.status).toBe(422);
    expect(response.type).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({
      code: 'import_invalid',
      invalidLines: 1,
      lines: [{ line: 43, value: 'no!', problem: 'malformed' }],
    });
    expect(await codesOf(campaign.id)).toEqual([]);
    expect(
      await t.db
        .selectFrom('batches')
        .where('campaign_id', '=', campaign.id)
        .select('id')
        .execute(),
    ).toEqual([]);
  });

  it('reports every kind of bad line, each with its line number', async () => {
    const campaign = await makeCampaign(t.db);
    const { coupon: taken } = await makeCoupon(t.db);
    await upload(marketer, (await makeCampaign(t.db)).id, 'TAKEN1234\n');
    const csv = [
      'code', // 1
      'GOOD0001', // 2
      'abc', // 3: too short
      generateCouponCode('SPR'), // 4: our shape
      'good-0001', // 5: line 2 again
      'TAKEN1234', // 6: imported elsewhere
      taken.code, // 7: a generated code (our shape, and taken)
      'x'.repeat(65), // 8: too long
      '"GOOD 0002"', // 9
      'taken1234', // 10: a repeat of line 6
    ].join('\n');

    const response = await upload(marketer, campaign.id, csv);

    expect(response.status).toBe(422);
    expect(response.body.invalidLines).toBe(7);
    expect(response.body.lines as ImportLineError[]).toEqual([
      { line: 3, value: 'abc', problem: 'malformed' },
      { line: 4, value: expect.any(String), problem: 'looks_generated' },
      { line: 5, value: 'good-0001', problem: 'duplicate_in_file', firstLine: 2 },
      { line: 6, value: 'TAKEN1234', problem: 'exists' },
      { line: 7, value: taken.code, problem: 'looks_generated' },
      { line: 8, value: 'x'.repeat(65), problem: 'malformed' },
      { line: 10, value: 'taken1234', problem: 'duplicate_in_file', firstLine: 6 },
    ]);
    expect(await codesOf(campaign.id)).toEqual([]);
  });

  it('a file that is not valid CSV, or has no codes, is 422 import_invalid', async () => {
    const campaign = await makeCampaign(t.db);
    const broken = await upload(marketer, campaign.id, 'CODE0001\n"CODE0002\nCODE0003\n');
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({ code: 'import_invalid' });
    const empty = await upload(marketer, campaign.id, 'code\n\n');
    expect(empty.status).toBe(422);
    expect(empty.body).toMatchObject({ code: 'import_invalid', detail: 'The file has no codes.' });
    expect(await codesOf(campaign.id)).toEqual([]);
  });
});

describe('what is refused', () => {
  it('a JSON body is 415 unsupported_media_type', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await upload(marketer, campaign.id, '{"codes":[]}', 'application/json');
    expect(response.status).toBe(415);
    expect(response.body).toMatchObject({ code: 'unsupported_media_type' });
  });

  it('the session is checked before the upload is read: no session with a JSON body is 401, not 415', async () => {
    const campaign = await makeCampaign(t.db);
    const response = await upload(null, campaign.id, '{"codes":[]}', 'application/json');
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'unauthenticated' });
  });

  it('staff get 403, nobody without a session 401; an unknown campaign is 404, an archived one 409', async () => {
    const campaign = await makeCampaign(t.db);
    const staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    expect((await upload(staff, campaign.id, 'CODE1234\n')).body).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect((await upload(null, campaign.id, 'CODE1234\n')).body).toMatchObject({
      status: 401,
      code: 'unauthenticated',
    });
    expect(
      (await upload(marketer, '00000000-0000-4000-8000-000000000000', 'CODE1234\n')).body,
    ).toMatchObject({ status: 404, code: 'not_found' });
    const archived = await makeCampaign(t.db, { status: 'archived' });
    expect((await upload(marketer, archived.id, 'CODE1234\n')).body).toMatchObject({
      status: 409,
      code: 'conflict',
    });
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    expect((await upload(admin, campaign.id, 'CODE1234\n')).status).toBe(201);
  });
});
