// Names and reasons staff control cannot become spreadsheet formulas in the exported CSV, as OWASP
// recommends (https://owasp.org/www-community/attacks/CSV_Injection): fields beginning with =, +,
// -, @, tab or carriage return get a leading single quote, and every field is in double quotes
// (embedded ones doubled). Imported files cannot bring a formula in either: a code is letters
// and digits, so such a line refuses the whole file.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import {
  getRaw,
  loggedIn,
  makeCampaign,
  makeCoupon,
  makeStore,
  makeUser,
} from './helpers/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

it('redemptions.csv neutralises formulas in campaign, store and staff names and reasons', async () => {
  const store = await makeStore(t.db, '@SUM(1+1)');
  const staffUser = await makeUser(t.db, 'staff', { storeId: store.id, name: '+cmd|calc' });
  const staff = await loggedIn(t.app, staffUser.email);
  const { campaign, coupon } = await makeCoupon(t.db, {
    name: '=HYPERLINK("http://evil.example","x")',
  });
  const redeemed = await staff.redeem(coupon.code);
  expect(redeemed.status).toBe(201);
  const id = (redeemed.body as { redemption: { id: string } }).redemption.id;
  const reversal = await staff.request('POST', `/api/redemptions/${id}/reversal`, {
    reason: '-2+3\tmistake',
  });
  expect(reversal.status).toBe(201);

  const marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  const csv = await getRaw(t.app, marketer, `/api/redemptions.csv?campaignId=${campaign.id}`);
  const rows = parse<Record<string, string>>(csv.text, { columns: true });
  expect(rows).toHaveLength(2);
  for (const row of rows) {
    expect(row.campaign_name).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(row.store_name).toBe(`'@SUM(1+1)`);
    expect(row.staff_name).toBe(`'+cmd|calc`);
  }
  expect(rows.find((row) => row.kind === 'reversal')?.reason).toBe(`'-2+3\tmistake`);
  for (const row of rows) {
    for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  }
  // every value is quoted: no field of the raw text starts with anything but a double quote
  expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
  expect(csv.text.slice(csv.text.indexOf('\n') + 1)).not.toMatch(/(^|,)[^",\n]/m);
});

it('an import cannot bring a formula into the coupons export: such a file is refused whole', async () => {
  const campaign = await makeCampaign(t.db);
  const marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
  const formulas = [
    '=HYPERLINK("http://evil.example","x")',
    '"=1+1"',
    '+41-1',
    '-2+3',
    '@SUM(A1)',
    '"\t=1+1"',
    '"\r=1+1"',
    "=cmd|' /C calc'!A0",
  ];
  for (const formula of formulas) {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/campaigns/${campaign.id}/imports`,
      headers: { cookie: marketer.cookie, 'content-type': 'text/csv' },
      payload: ['code', 'GOODCODE1', formula, 'GOODCODE2'].join('\n'),
    });
    expect(response.statusCode, formula).toBe(422);
    expect(response.json<{ code: string }>().code).toBe('import_invalid');
  }
  expect(await t.db.selectFrom('coupons').where('campaign_id', '=', campaign.id).execute()).toEqual(
    [],
  );

  // a clean file imports, and its export holds only quoted codes
  const clean = await t.app.inject({
    method: 'POST',
    url: `/api/campaigns/${campaign.id}/imports`,
    headers: { cookie: marketer.cookie, 'content-type': 'text/csv' },
    payload: 'code\nGOODCODE1\nGOODCODE2\n',
  });
  expect(clean.statusCode).toBe(201);
  const csv = await getRaw(t.app, marketer, `/api/campaigns/${campaign.id}/coupons.csv`);
  const rows = parse<Record<string, string>>(csv.text, { columns: true });
  expect(rows.map((row) => row.code).sort()).toEqual(['GOODCODE1', 'GOODCODE2']);
  for (const row of rows) {
    for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  }
  expect(csv.text.slice(csv.text.indexOf('\n') + 1)).not.toMatch(/(^|,)[^",\n]/m);
});
