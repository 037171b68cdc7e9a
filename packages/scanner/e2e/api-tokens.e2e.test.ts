// API tokens end to end: an admin creates a staff token in the console and copies its secret from
// the show-once panel; a till (this test, over HTTP) redeems with it; the admin revokes it and the
// till's next request is refused. The panel is scanned with axe-core and photographed to
// e2e/.artifacts/console/ (git-ignored).
import { AxeBuilder } from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueCoupon } from './api.ts';

const e2e = inject('e2e');
const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), '.artifacts', 'console');

async function asTill(secret: string, method: 'GET' | 'POST', url: string, body?: unknown) {
  const response = await fetch(`${e2e.baseUrl}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${secret}`,
      ...(body === undefined
        ? {}
        : { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '' };
}

describe.skipIf(e2e.skipReason !== null)('API tokens end to end', () => {
  let browser: Browser;

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    browser = await chromium.launch({
      executablePath: e2e.chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser.close();
  });

  it('an admin creates a till token, copies it once, the till redeems with it, and revoking refuses its next request', async () => {
    const context = await browser.newContext({
      baseURL: e2e.baseUrl,
      viewport: { width: 1280, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/console');
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { level: 1, name: 'API tokens' }).waitFor();

    const name = `Till e2e ${crypto.randomUUID().slice(0, 8)}`;
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Store').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Create token' }).click();
    const panel = page.getByRole('region', { name: `Token “${name}” created` });
    await panel.waitFor();
    await expect(panel.textContent()).resolves.toContain('you will not see it again');

    await panel.getByRole('button', { name: 'Copy secret' }).click();
    await panel.getByText('Copied to the clipboard.').waitFor();
    const secret = await page.evaluate(() => navigator.clipboard.readText());
    expect(secret).toMatch(/^cs_live_[A-Za-z0-9_-]{43}$/);
    await expect(panel.getByLabel('Secret').inputValue()).resolves.toBe(secret);

    await page.screenshot({ path: path.join(artifacts, 'api-token-created-1280.png') });
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    const serious = results.violations.filter(
      (violation) => violation.impact === 'serious' || violation.impact === 'critical',
    );
    expect(serious.map((violation) => violation.id)).toEqual([]);

    // the till redeems in its store with the token alone
    const coupon = await issueCoupon(e2e.baseUrl);
    expect((await asTill(secret, 'POST', '/api/redemptions', { code: coupon.code })).status).toBe(
      201,
    );

    await panel.getByRole('button', { name: 'Done, I have stored it' }).click();
    await panel.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);

    // listed by its prefix, with its last use; never its secret
    await page.reload();
    const row = page.locator(`tr[data-token="${name}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain(`${secret.slice(0, 12)}…`);
    await expect(row.textContent()).resolves.not.toContain('never');
    expect(await page.content()).not.toContain(secret);

    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
    const refused = await asTill(secret, 'GET', '/api/auth/me');
    expect(refused.status).toBe(401);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    await context.close();
  });
});

if (e2e.skipReason !== null) {
  describe('API tokens end to end', () => {
    it.skip(`needs Chromium: ${e2e.skipReason}`, () => undefined);
  });
}
