// The marketers' console end to end: the production build served by the real backend on a real
// PostgreSQL, in Debian's Chromium. Screenshots of every main screen at 360, 390, 768, 1024 and
// 1280 px go to e2e/.artifacts/console/ (git-ignored); each screen is scanned with axe-core, and
// from 360 to 1280 px checked for anything that sticks out sideways.
import { AxeBuilder } from '@axe-core/playwright';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueCoupon } from './api.ts';
import {
  newApiToken,
  newCouponOf,
  newStaffMember,
  newStore,
  redeemAsStaff,
  statusOfMe,
} from './console-api.ts';

const e2e = inject('e2e');
const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), '.artifacts', 'console');

let browser: Browser;

async function signInAs(email: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({
    baseURL: e2e.baseUrl,
    viewport,
    acceptDownloads: true,
  });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/console');
  return page;
}

interface Screen {
  name: string;
  path: string;
  /** Brings out what the plain page hides: a delivery log, an import report, a row being edited. */
  prepare?: (page: Page) => Promise<void>;
}

async function openTablesInDetails(page: Page): Promise<void> {
  for (const summary of await page.getByText('Show as a table').all()) await summary.click();
}

/** A CSV the import refuses line by line: too short, a repeat, and a 100-character value. */
const refusedCsv = ['code', 'AB', 'MYOWNCODE77', 'MYOWNCODE77', 'X'.repeat(100)].join('\n');

function mainScreens(campaignUrl: string, couponCode: string): Screen[] {
  return [
    {
      name: 'dashboard',
      path: '/console',
      prepare: async (page) => {
        for (const table of [
          'Latest redemptions',
          'Bursts of unknown codes',
          'Used coupons shown at another store',
        ]) {
          // .last(): the panel around the table is a region of the same name
          await page.getByRole('region', { name: table, exact: true }).last().waitFor();
        }
      },
    },
    { name: 'campaigns', path: '/console/campaigns' },
    { name: 'campaign-new', path: '/console/campaigns/new' },
    { name: 'campaign', path: campaignUrl },
    { name: 'campaign-edit', path: `${campaignUrl}/edit` },
    {
      name: 'issue',
      path: `${campaignUrl}/issue`,
      prepare: async (page) => {
        await page.getByLabel('CSV file').setInputFiles({
          name: 'codes.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(refusedCsv),
        });
        await page.getByRole('button', { name: 'Import codes' }).click();
        await page.getByRole('region', { name: 'Lines refused', exact: true }).waitFor();
      },
    },
    { name: 'coupons', path: `${campaignUrl}/coupons` },
    {
      name: 'coupon',
      path: `${campaignUrl}/coupons/${couponCode}`,
      prepare: (page) => page.getByRole('region', { name: 'Redemptions', exact: true }).waitFor(),
    },
    { name: 'batches', path: '/console/batches' },
    {
      name: 'stores',
      path: '/console/admin/stores',
      // one row in its editing state
      prepare: async (page) => {
        await page
          .getByRole('button', { name: /^Edit / })
          .first()
          .click();
        await page.getByRole('button', { name: 'Save' }).waitFor();
      },
    },
    { name: 'users', path: '/console/admin/users' },
    { name: 'ledger', path: '/console/admin/ledger' },
    { name: 'api-tokens', path: '/console/admin/api-tokens' },
    {
      name: 'webhooks',
      path: '/console/admin/webhooks',
      prepare: async (page) => {
        await page
          .getByRole('button', { name: /^Deliveries to / })
          .first()
          .click();
        await page.getByRole('region', { name: 'Deliveries', exact: true }).waitFor();
      },
    },
  ];
}

/** Opens a screen and waits until it has loaded, whatever it shows. */
async function visit(page: Page, screen: Screen): Promise<void> {
  await page.goto(screen.path);
  await page.locator('h1').first().waitFor();
  await screen.prepare?.(page);
  // loaded: no "Loading …" left and the charts drawn (the live feed keeps the network busy)
  await page.waitForFunction(
    () => document.querySelector('.page-status, .chart-placeholder') === null,
  );
}

/**
 * What a phone user would have to scroll sideways for: the page itself, any element of the
 * screen that reaches past the viewport's edges (a table scrolling in its own region too), and a
 * table's controls that are out of view or smaller than a 44 px touch target.
 */
function sidewaysProblems(): string[] {
  const problems: string[] = [];
  const width = window.innerWidth;
  const root = document.documentElement;
  if (root.scrollWidth > width) {
    problems.push(`the page is ${String(root.scrollWidth)} px wide`);
  }
  const describe = (element: Element) => {
    const text = (element.getAttribute('aria-label') ?? element.textContent).trim();
    const classes = (element.getAttribute('class') ?? '').trim().replaceAll(/\s+/g, '.');
    return `<${element.tagName.toLowerCase()}${classes === '' ? '' : `.${classes}`}> "${text.slice(0, 40)}"`;
  };
  // what is clipped away is never seen (the column headers of cards are for screen readers)
  const clipped = (element: Element) => {
    for (let node: Element | null = element; node !== null; node = node.parentElement) {
      if (getComputedStyle(node).clipPath !== 'none') return true;
    }
    return false;
  };
  const outside: string[] = [];
  for (const element of document.querySelectorAll('main *')) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if ((box.left < -0.5 || box.right > width + 0.5) && !clipped(element)) {
      outside.push(`${describe(element)} spans ${box.left.toFixed(0)}–${box.right.toFixed(0)}`);
    }
  }
  if (outside.length > 0) {
    problems.push(
      `${String(outside.length)} elements reach past the edges, e.g. ${outside.slice(0, 3).join('; ')}`,
    );
  }
  for (const control of document.querySelectorAll(
    'table button, table a.button, table input, table select',
  )) {
    const box = control.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      problems.push(`row action ${describe(control)} is out of view`);
    }
    if (box.height < 44 || box.width < 44) {
      problems.push(
        `row action ${describe(control)} is ${box.width.toFixed(0)}×${box.height.toFixed(0)} px`,
      );
    }
  }
  return problems;
}

async function metric(page: Page, name: string): Promise<string> {
  return (await page.locator(`[data-metric="${name}"]`).textContent()) ?? '';
}

describe.skipIf(e2e.skipReason !== null)('console end to end', () => {
  let campaignUrl = '';

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

  it('a marketer creates a campaign, issues 1,000 coupons, downloads their 1,000 rows, opens a QR and voids one', async () => {
    const page = await signInAs('marketer@example.com');
    await page.getByRole('link', { name: 'New campaign' }).first().click();
    await page.getByLabel('Name').fill('Autumn e2e');
    await page.getByLabel('Percent', { exact: true }).fill('15');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByLabel('Last day (optional)').fill('2030-12-31');
    // the end of 31 Dec in Berlin, shown as the exact instant before saving
    await expect(page.getByTestId('valid-until-instant').textContent()).resolves.toContain(
      'Ends 31 Dec 2030, 23:59:59 Europe/Berlin = 2030-12-31T22:59:59Z',
    );
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.getByRole('heading', { level: 1, name: 'Autumn e2e' }).waitFor();
    campaignUrl = new URL(page.url()).pathname;

    const tabs = page.getByRole('navigation', { name: 'Campaign' });
    await tabs.getByRole('link', { name: 'Issue coupons' }).click();
    // bad input is refused before anything is sent: a prefix with an I
    const batchPosts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/batches')) {
        batchPosts.push(request.url());
      }
    });
    await page.getByLabel('Prefix (optional)').fill('SPRING');
    await page.getByRole('button', { name: 'Issue coupons…' }).click();
    await page.getByText(/found I/).waitFor();
    expect(batchPosts).toEqual([]);
    await page.getByLabel('Prefix (optional)').fill('');
    await page.getByLabel('How many coupons').fill('1000');
    await page.getByRole('button', { name: 'Issue coupons…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Issue 1,000' }).click();
    await page.getByText('Done: 1,000 coupons issued').first().waitFor({ timeout: 60_000 });

    await tabs.getByRole('link', { name: 'Coupons', exact: true }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV (all)' }).click(),
    ]);
    const file = await download.path();
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines[0]).toMatch(/^code,display_code,status/);
    expect(lines.slice(1)).toHaveLength(1000);

    const firstCode = page.locator('table a').first();
    const displayCode = (await firstCode.textContent()) ?? '';
    await firstCode.click();
    const qr = page.getByRole('img', { name: `QR code of ${displayCode}` });
    await qr.waitFor();
    await expect
      .poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth))
      .toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Void coupon' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Printed on the wrong flyer');
    await dialog.getByRole('button', { name: 'Void coupon' }).click();
    await page.locator('.coupon-detail .badge--voided').waitFor();
    await expect(page.locator('.coupon-detail').textContent()).resolves.toContain(
      'Printed on the wrong flyer',
    );
    await page.context().close();
  });

  it(
    'a batch of 50,000 shows its progress bar moving until done',
    { timeout: 240_000 },
    async () => {
      const page = await signInAs('marketer@example.com');
      await page.goto(`${campaignUrl}/issue`);
      await page.getByLabel('How many coupons').fill('50000');
      await page.getByRole('button', { name: 'Issue coupons…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Issue 50,000' }).click();
      const bar = page.getByRole('progressbar', { name: 'Batch of 50,000' }).first();
      await bar.waitFor();
      const seen = new Set<string>();
      const progress = page.locator('.batch-progress').first();
      await expect
        .poll(
          async () => {
            const status = (await progress.getAttribute('data-batch-status')) ?? '';
            seen.add(`${status}:${(await bar.getAttribute('value')) ?? ''}`);
            return status;
          },
          { timeout: 200_000, interval: 250 },
        )
        .toBe('succeeded');
      await expect(bar.getAttribute('value')).resolves.toBe('50000');
      // the bar was seen before it was full: it moved
      expect([...seen].some((entry) => !entry.startsWith('succeeded'))).toBe(true);
      await page.context().close();
    },
  );

  let staff: { email: string; name: string; cookie: string };

  it("a staff member's redemption shows on the open dashboard within 5 seconds, without a reload", async () => {
    staff = await newStaffMember(e2e.baseUrl);
    const coupon = await issueCoupon(e2e.baseUrl);
    const page = await signInAs('marketer@example.com');
    await page.locator('[data-live="live"]').waitFor({ timeout: 20_000 });
    const before = await metric(page, 'redeemed');
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));

    expect(await redeemAsStaff(e2e.baseUrl, staff.cookie, coupon.code)).toBe(201);
    await expect
      .poll(() => metric(page, 'redeemed'), { timeout: 5_000, interval: 100 })
      .not.toBe(before);
    expect(navigations).toEqual([]);
    await page.context().close();
  });

  it('an admin disables that staff member and their next request is refused', async () => {
    expect(await statusOfMe(e2e.baseUrl, staff.cookie)).toBe(200);
    const page = await signInAs('admin@example.com');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: `Disable ${staff.name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await page.locator(`tr[data-user="${staff.email}"]`).getByText('disabled').waitFor();
    expect(await statusOfMe(e2e.baseUrl, staff.cookie)).toBe(401);

    // what only the server can refuse shows the server's words, and nothing is created
    await page.getByRole('link', { name: 'Stores' }).click();
    await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    const storesBefore = await rows.count();
    await page.getByLabel('Code').fill('DEMO');
    await page.getByLabel('Name', { exact: true }).fill('A second demo store');
    await page.getByRole('button', { name: 'Create store' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'A store with the code DEMO exists already.',
    );
    await expect(rows.count()).resolves.toBe(storesBefore);
    await page.context().close();
  });

  it('an admin registers a webhook; a redemption reaches a real receiver, signed, and is logged and re-sent', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const url = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}/hook`;
    try {
      const page = await signInAs('admin@example.com');
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByLabel('URL').fill(url);
      await page.getByRole('checkbox', { name: /redemption\.created/ }).check();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = (await page.getByLabel('Signing secret', { exact: true }).textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      await page.getByRole('button', { name: 'I have copied it' }).click();

      const redeemer = await newStaffMember(e2e.baseUrl);
      const coupon = await issueCoupon(e2e.baseUrl);
      expect(await redeemAsStaff(e2e.baseUrl, redeemer.cookie, coupon.code)).toBe(201);
      await expect.poll(() => received.length, { timeout: 30_000, interval: 100 }).toBe(1);
      const first = received[0];
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(
        String(first?.headers['couponscan-signature']),
      ) ?? ['', '', ''];
      expect(
        createHmac('sha256', secret)
          .update(`${t}.${first?.body ?? ''}`)
          .digest('hex'),
      ).toBe(v1);
      const eventId = String(first?.headers['couponscan-event-id']);
      expect(JSON.parse(first?.body ?? '{}')).toMatchObject({
        id: eventId,
        type: 'redemption.created',
        data: { code: coupon.code },
      });

      await page.getByRole('button', { name: `Deliveries to ${url}` }).click();
      const log = page.getByRole('region', { name: 'Deliveries' });
      await expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh' }).click();
            return log.getByText('succeeded').count();
          },
          { timeout: 20_000, interval: 250 },
        )
        .toBe(1);
      await log.getByRole('button', { name: `Re-send redemption.created ${eventId}` }).click();
      await expect.poll(() => received.length, { timeout: 30_000, interval: 100 }).toBe(2);
      expect(received[1]?.headers['couponscan-event-id']).toBe(eventId);
      await page.context().close();
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });

  let couponCode = '';

  it(
    "from 360 to 1280 px no main screen scrolls sideways, and every table row's actions are in view and big enough to touch",
    { timeout: 480_000 },
    async () => {
      // something in every table: a redemption of this campaign's coupons (the ledger, the latest
      // redemptions, the coupon's own), shown again at another store, a burst of unknown codes,
      // and an API token
      const admin = await signInAs('admin@example.com', { width: 360, height: 780 });
      couponCode = await newCouponOf(e2e.baseUrl, campaignUrl.split('/').at(-1) ?? '');
      const till = await newStaffMember(e2e.baseUrl);
      expect(await redeemAsStaff(e2e.baseUrl, till.cookie, couponCode)).toBe(201);
      const elsewhere = await newStaffMember(
        e2e.baseUrl,
        await newStore(e2e.baseUrl, 'Hafenstraße, second floor by the escalators'),
      );
      expect(await redeemAsStaff(e2e.baseUrl, elsewhere.cookie, couponCode)).toBe(409);
      for (let guess = 0; guess < 5; guess += 1) {
        expect(await redeemAsStaff(e2e.baseUrl, till.cookie, `NOPE${String(guess)}XYZ`)).not.toBe(
          201,
        );
      }
      await newApiToken(e2e.baseUrl, 'Till 2, Hafenstraße');

      const problems: string[] = [];
      for (const width of [360, 390, 768, 1024, 1280]) {
        await admin.setViewportSize({ width, height: 780 });
        for (const screen of mainScreens(campaignUrl, couponCode)) {
          await visit(admin, screen);
          await openTablesInDetails(admin);
          // the axe-core test below saves those at 390 and 1280 px
          if (width !== 390 && width !== 1280) {
            await admin.screenshot({
              path: path.join(artifacts, `${screen.name}-${String(width)}.png`),
              fullPage: true,
            });
          }
          for (const problem of await admin.evaluate(sidewaysProblems)) {
            problems.push(`${screen.name} @${String(width)}: ${problem}`);
          }
        }
      }

      // an admin's eight sections fold behind the Menu button, which folds again on the way
      await admin.setViewportSize({ width: 360, height: 780 });
      await admin.goto('/console/admin/users');
      const menu = admin.getByRole('button', { name: 'Menu' });
      await menu.click();
      await expect(menu.getAttribute('aria-expanded')).resolves.toBe('true');
      await admin.screenshot({ path: path.join(artifacts, 'menu-360.png') });
      for (const problem of await admin.evaluate(sidewaysProblems)) {
        problems.push(`menu @360: ${problem}`);
      }
      for (const link of await admin
        .getByRole('navigation', { name: 'Console' })
        .getByRole('link')
        .all()) {
        const box = await link.boundingBox();
        if (box === null || box.x < 0 || box.x + box.width > 360 || box.height < 44) {
          problems.push(
            `menu @360: the link "${(await link.textContent()) ?? ''}" is at ${JSON.stringify(box)}`,
          );
        }
      }
      await admin.getByRole('link', { name: 'Ledger' }).click();
      await admin.getByRole('heading', { level: 1, name: 'Ledger' }).waitFor();
      await expect(menu.getAttribute('aria-expanded')).resolves.toBe('false');
      // the keyboard focus is not lost with the hidden link, and Escape folds the menu too
      await expect(menu.evaluate((button) => button === document.activeElement)).resolves.toBe(
        true,
      );
      await menu.click();
      await admin.getByRole('link', { name: 'Webhooks' }).focus();
      await admin.keyboard.press('Escape');
      await expect(menu.getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(menu.evaluate((button) => button === document.activeElement)).resolves.toBe(
        true,
      );

      expect(problems).toEqual([]);
      await admin.context().close();
    },
  );

  it(
    'every main screen passes axe-core with no serious or critical violation, at 390 and 1280 px',
    { timeout: 480_000 },
    async () => {
      const admin = await signInAs('admin@example.com');
      expect(couponCode).not.toBe('');
      const problems: string[] = [];
      for (const width of [390, 1280]) {
        await admin.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        for (const screen of mainScreens(campaignUrl, couponCode)) {
          await visit(admin, screen);
          await expect(admin.locator('h1').count()).resolves.toBe(1);
          await admin.screenshot({
            path: path.join(artifacts, `${screen.name}-${width}.png`),
            fullPage: true,
          });
          // the charts' tables too, after the screenshot (which stays the size of a screen)
          await openTablesInDetails(admin);
          const results = await new AxeBuilder({ page: admin })
            .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
            .analyze();
          for (const violation of results.violations) {
            if (violation.impact === 'serious' || violation.impact === 'critical') {
              problems.push(
                `${screen.name} @${width}: ${violation.id} (${violation.impact}) ${violation.nodes
                  .slice(0, 3)
                  .map((node) => node.target.join(' '))
                  .join(' | ')}`,
              );
            }
          }
        }
      }
      expect(problems).toEqual([]);
      await admin.context().close();
    },
  );
});

if (e2e.skipReason !== null) {
  describe('console end to end', () => {
    it.skip(`needs Chromium: ${e2e.skipReason}`, () => undefined);
  });
}
