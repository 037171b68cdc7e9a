// Names and reasons staff control cannot become spreadsheet formulas in the exported
// CSV: fields beginning with =, +, -, @, tab or carriage return get a leading single quote (OWASP).
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { getRaw, loggedIn, makeCoupon, makeStore, makeUser } from './helpers/factories.ts';

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
});
