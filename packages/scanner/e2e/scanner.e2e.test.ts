// The scanner end to end: the production build served by the real backend on a real PostgreSQL,
// in Debian's Chromium, with a QR code of a freshly issued coupon as the fake camera.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueCoupon, previewAsStaff } from './api.ts';
import { writeQrVideo } from './fake-camera-video.ts';

const e2e = inject('e2e');
const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), '.artifacts');
const VERDICT_TIMEOUT_MS = 20_000;

async function launchWithCamera(name: string, qrText: string | null): Promise<Browser> {
  const video = path.join(artifacts, `${name}.y4m`);
  await writeQrVideo(video, qrText);
  return chromium.launch({
    executablePath: e2e.chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
}

interface StaffPage {
  page: Page;
  /** Every URL the page requested. */
  requested: string[];
}

async function signInAsStaff(
  browser: Browser,
  settings: { mode: 'confirm' | 'instant' },
): Promise<StaffPage> {
  const context = await browser.newContext({
    baseURL: e2e.baseUrl,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  // the device setting, as a person would have chosen it on this phone before
  await context.addInitScript(
    (value) => {
      localStorage.setItem('couponscan.scanner.settings', value);
    },
    JSON.stringify({ mode: settings.mode, sound: false }),
  );
  const page = await context.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto('/');
  await page.getByLabel('Email').fill('staff@example.com');
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/scan');
  return { page, requested };
}

/** From asking for the camera, and from its first decoded frames, to the first verdict. */
async function cameraToVerdict(page: Page): Promise<{ fromRequest: number; fromFrames: number }> {
  return page.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name).at(0)?.startTime ?? NaN;
    const verdict = at('couponscan:verdict');
    return {
      fromRequest: verdict - at('couponscan:camera-requested'),
      fromFrames: verdict - at('couponscan:camera-started'),
    };
  });
}

describe.skipIf(e2e.skipReason !== null)('scanner end to end', () => {
  let browsers: Browser[] = [];

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
  });

  afterAll(async () => {
    await Promise.all(browsers.map((browser) => browser.close()));
    browsers = [];
  });

  it('staff scan a fresh coupon: REDEEMED, then ALREADY USED with the store, then undo', async () => {
    const coupon = await issueCoupon(e2e.baseUrl);
    const browser = await launchWithCamera('instant', coupon.code);
    browsers.push(browser);
    const { page, requested } = await signInAsStaff(browser, { mode: 'instant' });

    const redeemed = page.locator('[data-outcome="redeemed"]');
    await redeemed.waitFor({ timeout: VERDICT_TIMEOUT_MS });
    const timing = await cameraToVerdict(page);
    process.stdout.write(
      `\nscanner e2e: camera start → verdict in ${Math.round(timing.fromRequest)} ms ` +
        `(first decoded frame → verdict ${Math.round(timing.fromFrames)} ms)\n`,
    );
    expect(timing.fromRequest).toBeGreaterThan(0);
    expect(timing.fromFrames).toBeGreaterThanOrEqual(0);
    await expect(redeemed.textContent()).resolves.toMatch(/redeemed/i);
    await page.screenshot({ path: path.join(artifacts, 'verdict-redeemed.png') });

    // the same code again, still in front of the camera
    await page.getByRole('button', { name: 'Scan next' }).click();
    const alreadyUsed = page.locator('[data-outcome="already_redeemed"]');
    await alreadyUsed.waitFor({ timeout: VERDICT_TIMEOUT_MS });
    const words = (await alreadyUsed.textContent()) ?? '';
    expect(words).toMatch(/already used/i);
    expect(words).toContain('Demo Store');
    expect(words).toContain('Sam Staff');
    await page.screenshot({ path: path.join(artifacts, 'verdict-already-used.png') });

    // a staff phone never downloads the marketers' console
    expect(requested.filter((url) => url.includes('console'))).toEqual([]);
    await browser.close();

    // undo, from a phone whose camera sees no code
    const quiet = await launchWithCamera('blank', null);
    browsers.push(quiet);
    const staff = await signInAsStaff(quiet, { mode: 'instant' });
    const list = staff.page.getByRole('region', { name: 'Last redemptions on this device' });
    await list.getByRole('button', { name: `Undo redemption of ${coupon.displayCode}` }).click();
    await list.getByRole('radio', { name: 'Scanned by mistake' }).check();
    await list.getByRole('button', { name: 'Undo redemption' }).click();
    await list.getByText('Undone').waitFor();
    await staff.page.screenshot({ path: path.join(artifacts, 'undo-list.png'), fullPage: true });

    const after = await previewAsStaff(e2e.baseUrl, coupon.code);
    expect(after).toMatchObject({ redeemable: true, redemptionsLeft: 1 });
  });

  it('in confirm mode the coupon is shown first and redeemed with the Redeem button', async () => {
    const coupon = await issueCoupon(e2e.baseUrl);
    const browser = await launchWithCamera('confirm', coupon.displayCode);
    browsers.push(browser);
    const { page } = await signInAsStaff(browser, { mode: 'confirm' });

    const redeem = page.getByRole('button', { name: 'Redeem' });
    await expect.poll(() => redeem.isEnabled(), { timeout: VERDICT_TIMEOUT_MS }).toBe(true);
    await expect(page.locator('[data-step="confirm"]').textContent()).resolves.toContain(
      coupon.displayCode,
    );
    await page.screenshot({ path: path.join(artifacts, 'confirm.png') });
    await redeem.click();
    await page.locator('[data-outcome="redeemed"]').waitFor({ timeout: VERDICT_TIMEOUT_MS });
  });
});

if (e2e.skipReason !== null) {
  describe('scanner end to end', () => {
    it.skip(`needs Chromium: ${e2e.skipReason}`, () => undefined);
  });
}
