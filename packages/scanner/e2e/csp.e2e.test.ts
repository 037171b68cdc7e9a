// The Content-Security-Policy the backend sends (packages/backend/src/plugins/security.ts) is one
// the app actually works under: the scanner with its camera, the console and the API reference
// load and run in Chromium without a single violation. (The other e2e files run under it too.)
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, e2e, launchWithVideo, signInAsStaff } from './browser.ts';
import { writeQrVideo } from './fake-camera-video.ts';

/** Every CSP violation the page reports, as Chromium's console says it. */
function watchViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

describe.skipIf(e2e.skipReason !== null)('the Content-Security-Policy', () => {
  let browser: Browser | null = null;
  const opened = (): Browser => {
    if (browser === null) throw new Error('Chromium did not start');
    return browser;
  };

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    const video = path.join(artifacts, 'csp.y4m');
    await writeQrVideo(video, null);
    browser = await launchWithVideo(video);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('is sent with the app: scripts from this origin only', async () => {
    const response = await fetch(`${e2e.baseUrl}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/(^|;\s*)script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('the scanner signs in and opens the camera without a violation', async () => {
    const { page } = await signInAsStaff(opened(), { mode: 'instant' });
    const violations = watchViolations(page);
    // the camera's preview plays: html5-qrcode put a video element on the page
    await page.locator('video').first().waitFor({ state: 'attached', timeout: 30_000 });
    await page.reload();
    await page.locator('video').first().waitFor({ state: 'attached', timeout: 30_000 });
    expect(violations).toEqual([]);
    await page.context().close();
  });

  it('the API reference at /api/docs renders without a violation and without the network', async () => {
    const context = await opened().newContext();
    const page = await context.newPage();
    const violations = watchViolations(page);
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(e2e.baseUrl) && !request.url().startsWith('data:'))
        foreign.push(request.url());
    });
    const messages: string[] = [];
    page.on('console', (message) => messages.push(message.text()));
    await page.goto(`${e2e.baseUrl}/api/docs/`);
    // the reference renders the document's title and an operation of it
    await page
      .getByText('couponscan API')
      .first()
      .waitFor({ timeout: 60_000 })
      .catch((error: unknown) => {
        throw new Error(`the reference did not render; console: ${messages.join(' | ')}`, {
          cause: error,
        });
      });
    expect(violations).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});
