// Every verdict and screen of the scanner as Chromium renders it at 320, 360 and 390 px: saved as
// screenshots (e2e/.artifacts/verdicts, git-ignored) to look at, and checked that no headline
// splits a word or runs off the screen. The backend's answers are given by the test
// (page.route) so that every kind appears; the other e2e files get them from the real backend.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { formatCouponCode, generateCouponCode } from '@couponscan/shared/code';
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  artifacts,
  e2e,
  headlinesSplittingWords,
  launchWithVideo,
  signInAsStaff,
  VERDICT_TIMEOUT_MS,
} from './browser.ts';
import { writeQrVideo } from './fake-camera-video.ts';
import type { Browser } from 'playwright-core';

const WIDTHS = [320, 360, 390] as const;
const discount = { type: 'percent', value: 10, currency: null, description: '10% off everything' };
const ids = () => crypto.randomUUID();

function ledgerEntry(code: string) {
  const createdAt = new Date().toISOString();
  return {
    id: ids(),
    kind: 'redemption',
    couponId: ids(),
    code,
    displayCode: formatCouponCode(code),
    campaignId: ids(),
    campaignName: 'Spring sale',
    storeId: ids(),
    storeName: 'Demo Store',
    userId: ids(),
    userName: 'Sam Staff',
    createdAt,
    reversesId: null,
    reversedById: null,
    reason: null,
    undoableUntil: new Date(Date.now() + 600_000).toISOString(),
  };
}

function refusal(outcome: string, code: string, status: number, extra: object = {}) {
  return {
    status,
    contentType: 'application/problem+json',
    body: JSON.stringify({
      type: `https://couponscan.dev/problems/${outcome.replaceAll('_', '-')}`,
      title: outcome,
      status,
      code: outcome,
      outcome,
      scanId: ids(),
      displayCode: formatCouponCode(code),
      campaignName: 'Spring sale with a rather long name',
      discount,
      ...extra,
    }),
  };
}

type Answer = (route: Route, code: string) => Promise<void>;

const earlier = {
  redemptionId: ids(),
  redeemedAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
  storeId: ids(),
  storeName: 'Harbour Street',
  userId: ids(),
  userName: 'Alex Till',
};

/** [screenshot name, what the server answers, the data-outcome or data-step to wait for] */
const SCREENS: [string, Answer, string][] = [
  [
    'already-used',
    (route, code) =>
      route.fulfill(refusal('already_redeemed', code, 409, { earlierRedemptions: [earlier] })),
    '[data-outcome="already_redeemed"]',
  ],
  [
    'cancelled',
    (route, code) => route.fulfill(refusal('voided', code, 409)),
    '[data-outcome="voided"]',
  ],
  [
    'expired',
    (route, code) =>
      route.fulfill(refusal('expired', code, 409, { validUntil: '2026-03-01T18:00:00.000Z' })),
    '[data-outcome="expired"]',
  ],
  [
    'not-valid-yet',
    (route, code) =>
      route.fulfill(refusal('not_yet_valid', code, 409, { validFrom: '2031-05-01T08:00:00.000Z' })),
    '[data-outcome="not_yet_valid"]',
  ],
  [
    'offer-paused',
    (route, code) => route.fulfill(refusal('campaign_paused', code, 409)),
    '[data-outcome="campaign_paused"]',
  ],
  [
    'not-for-this-store',
    (route, code) =>
      route.fulfill(
        refusal('wrong_store', code, 409, { validStoreNames: ['Harbour Street', 'Old Town'] }),
      ),
    '[data-outcome="wrong_store"]',
  ],
  [
    'unknown-code',
    (route, code) => route.fulfill(refusal('not_found', code, 404, { campaignName: undefined })),
    '[data-outcome="not_found"]',
  ],
  [
    'invalid-code',
    (route, code) => route.fulfill(refusal('invalid_code', code, 422, { campaignName: undefined })),
    '[data-outcome="invalid_code"]',
  ],
  [
    'too-many-scans',
    (route, code) => route.fulfill(refusal('rate_limited', code, 429)),
    '[data-step="problem"]',
  ],
  [
    'not-checked',
    (route, code) => route.fulfill(refusal('validation_failed', code, 422)),
    '[data-step="problem"]',
  ],
  ['not-confirmed', (route) => route.abort('connectionfailed'), '[data-step="unconfirmed"]'],
];

describe.skipIf(e2e.skipReason !== null)('every verdict at 320, 360 and 390 px', () => {
  let browser: Browser | null = null;

  beforeAll(async () => {
    await mkdir(path.join(artifacts, 'verdicts'), { recursive: true });
    const video = path.join(artifacts, 'blank.y4m');
    await writeQrVideo(video, null);
    browser = await launchWithVideo(video);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('no headline splits a word, and each is saved as a screenshot', async () => {
    if (browser === null) throw new Error('no browser');
    const { page } = await signInAsStaff(browser, { mode: 'instant' });
    await page.locator('[data-state="loaded"]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
    // the scanner itself, with the sign-out question open, at the narrowest width
    await page.setViewportSize({ width: 320, height: 740 });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.screenshot({
      path: path.join(artifacts, 'verdicts', 'scan-page-320.png'),
      fullPage: true,
    });
    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await page.setViewportSize({ width: 360, height: 740 });
    let answer: Answer = (route) => route.fallback();
    await page.route('**/api/redemptions', (route) =>
      route.request().method() === 'POST'
        ? answer(route, (route.request().postDataJSON() as { code: string }).code)
        : route.fallback(),
    );

    const field = page.getByLabel('Or type the code');
    const check = async (name: string, selector: string, code = generateCouponCode()) => {
      await field.fill(code);
      await field.press('Enter');
      await page.locator(selector).waitFor({ timeout: VERDICT_TIMEOUT_MS });
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 740 });
        await page.screenshot({ path: path.join(artifacts, 'verdicts', `${name}-${width}.png`) });
        expect(await headlinesSplittingWords(page), `${name} at ${width} px`).toEqual([]);
      }
      await page.setViewportSize({ width: 360, height: 740 });
      await page.keyboard.press('Escape');
      await expect.poll(() => page.locator('.flow-screen.is-open').count()).toBe(0);
    };

    // REDEEMED (a 3-use coupon), then the same code again: the reminder, not ALREADY USED
    const loyal = generateCouponCode();
    answer = (route, code) =>
      route.fulfill({
        status: 201,
        contentType: 'application/json',
        body: JSON.stringify({
          outcome: 'redeemed',
          redemption: ledgerEntry(code),
          discount,
          redemptionsLeft: 2,
          undoableUntil: new Date(Date.now() + 600_000).toISOString(),
        }),
      });
    await check('redeemed-multi-use', '[data-outcome="redeemed"]', loyal);
    await check('just-redeemed', '[data-outcome="just_redeemed"]', loyal);

    for (const [name, serverAnswer, selector] of SCREENS) {
      answer = serverAnswer;
      await check(name, selector);
    }

    await page.context().setOffline(true);
    await check('offline', '[data-step="offline"]');
    await page.context().setOffline(false);
  });
});
