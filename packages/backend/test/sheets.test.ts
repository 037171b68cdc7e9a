// The printable A4 sheet of a batch: a PDF that parses, with 15 coupons a page, the
// code in text under each QR, QR codes that carry the coupon link, and a clear error above
// 10,000 coupons.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { couponLink, formatCouponCode } from '@couponscan/shared/code';
import { inflateSync } from 'node:zlib';
import type { Batch } from '@couponscan/shared/batches';
import { PDFDocument, PDFRawStream } from 'pdf-lib';
import { sheetCell } from '../src/modules/batches/batch-sheet.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { getRaw, loggedIn, makeCampaign, makeUser, type ApiClient } from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;
let marketerId: string;

beforeAll(async () => {
  t = await createTestApp();
  const user = await makeUser(t.db, 'marketer');
  marketerId = user.id;
  marketer = await loggedIn(t.app, user.email);
});
afterAll(() => t.close());

function download(client: ApiClient | null, url: string) {
  return getRaw(t.app, client, url);
}

/** The decompressed drawing instructions of every page. */
function pageContents(pdf: PDFDocument): string[] {
  return pdf.getPages().map((page) => {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFRawStream ? [contents] : [];
    return streams.map((stream) => inflateSync(stream.contents).toString('latin1')).join('\n');
  });
}

/** The text of a PDF as a reader extracts it (poppler's pdftotext), pages split by form feeds. */
function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8');
}

/** pdffonts' table: name, type, encoding, emb(edded), sub(set), uni(code map). */
function pdfFonts(pdf: Buffer): string {
  return execFileSync('pdffonts', ['-'], { input: pdf }).toString('utf8');
}

/** pdfkit writes text in the standard fonts as hex strings. */
const hex = (text: string) => Buffer.from(text, 'latin1').toString('hex');

describe('GET /api/batches/:id/sheet.pdf', () => {
  it('is an A4 PDF with 15 coupons a page, each with its code in text and the campaign and discount', async () => {
    const campaign = await makeCampaign(t.db, { name: 'Spring sale' });
    const created = await marketer.request<Batch>('POST', `/api/campaigns/${campaign.id}/batches`, {
      count: 40,
      prefix: 'SHEET',
    });

    const response = await download(marketer, `/api/batches/${created.body.id}/sheet.pdf`);

    expect(response.status).toBe(200);
    expect(response.type).toBe('application/pdf');
    expect(response.disposition).toBe(`attachment; filename="coupons-${created.body.id}.pdf"`);
    const pdf = await PDFDocument.load(response.raw);
    expect(pdf.getPageCount()).toBe(3);
    for (const page of pdf.getPages()) {
      expect(page.getWidth()).toBeCloseTo(595.28, 1);
      expect(page.getHeight()).toBeCloseTo(841.89, 1);
    }
    expect(pdf.getTitle()).toBe('Spring sale: coupons');

    const pages = pageContents(pdf);
    const coupons = await t.db
      .selectFrom('coupons')
      .select('code')
      .where('batch_id', '=', created.body.id)
      .orderBy('code')
      .execute();
    const displayCodes = coupons.map(({ code }) =>
      code.replace(/^SHEET(.{4})(.{4})(.{4})(.{4})(.{4})$/, 'SHEET-$1-$2-$3-$4-$5'),
    );
    // in code order: the first 15 on page 1, the last 10 on page 3
    for (const [index, displayCode] of displayCodes.entries()) {
      expect(pages[Math.floor(index / 15)]).toContain(`<${hex(displayCode)}>`);
    }
    const lastPage = pdfText(response.raw).split('\f')[2] ?? '';
    expect(lastPage.split('15% off').length).toBe(11);
  });

  // Debian: apt-get install poppler-utils zbar-tools
  const zbarimg = spawnSync('zbarimg', ['--version']).status === 0;
  if (!zbarimg)
    console.warn('sheets.test.ts: zbarimg (zbar-tools) is missing; QR decoding skipped');
  it.skipIf(!zbarimg)(
    "every QR code decodes to the coupon's link, <origin>/c/<CODE>, as qr.png's does; the code is printed under it",
    async () => {
      const campaign = await makeCampaign(t.db, { name: 'Linked' });
      const created = await marketer.request<Batch>(
        'POST',
        `/api/campaigns/${campaign.id}/batches`,
        { count: 6 },
      );
      const codes = (
        await t.db
          .selectFrom('coupons')
          .select('code')
          .where('batch_id', '=', created.body.id)
          .orderBy('code')
          .execute()
      ).map(({ code }) => code);

      const response = await download(marketer, `/api/batches/${created.body.id}/sheet.pdf`);
      expect(response.status).toBe(200);

      // each coupon's place on the page as a printer would render it, read by zbar: its QR code
      // is its own link (the sheet is in code order)
      const dir = mkdtempSync(path.join(tmpdir(), 'couponscan-sheet-'));
      try {
        const dpi = 200;
        const px = (points: number) => String(Math.round((points * dpi) / 72));
        const decoded = codes.map((_, index) => {
          const cell = sheetCell(index);
          const prefix = path.join(dir, `cell-${String(index)}`);
          execFileSync(
            'pdftoppm',
            [
              ...['-r', String(dpi), '-gray', '-png', '-f', '1', '-l', '1', '-singlefile'],
              ...['-x', px(cell.x), '-y', px(cell.y), '-W', px(cell.width), '-H', px(cell.height)],
              '-',
              prefix,
            ],
            { input: response.raw },
          );
          return execFileSync(
            'zbarimg',
            ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', `${prefix}.png`],
            // zbarimg complains on stderr when there is no D-Bus; only its stdout matters
            { stdio: ['ignore', 'pipe', 'ignore'] },
          )
            .toString('utf8')
            .trim();
        });
        // app.inject asks as http://localhost:80, the origin qr.png's links carry too
        expect(decoded).toEqual(codes.map((code) => couponLink('http://localhost:80', code)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const text = pdfText(response.raw);
      for (const code of codes) expect(text).toContain(formatCouponCode(code));
    },
  );

  it('prints a campaign name in Greek and Cyrillic letters as they are (an embedded Unicode font)', async () => {
    const name = 'Καλοκαίρι · Лето · Ünïcödé';
    const campaign = await makeCampaign(t.db, { name });
    const created = await marketer.request<Batch>('POST', `/api/campaigns/${campaign.id}/batches`, {
      count: 2,
    });

    const response = await download(marketer, `/api/batches/${created.body.id}/sheet.pdf`);

    expect(response.status).toBe(200);
    const text = pdfText(response.raw);
    expect(text).toContain('Καλοκαίρι');
    expect(text).toContain('Лето');
    expect(text).toContain('Ünïcödé');
    expect(pdfFonts(response.raw)).toMatch(/DejaVuSans-Bold\s.*\byes\s+yes\b/);
  });

  it('a batch above 10,000 coupons is refused with 422 sheet_too_large naming the parts; ?part= prints one', async () => {
    const campaign = await makeCampaign(t.db);
    const created = await marketer.request<Batch>('POST', `/api/campaigns/${campaign.id}/batches`, {
      count: 20,
    });
    // a batch that says it has 25,000 coupons, without inserting them all
    await t.db
      .updateTable('batches')
      .set({ count: 25_000 })
      .where('id', '=', created.body.id)
      .execute();

    const whole = await download(marketer, `/api/batches/${created.body.id}/sheet.pdf`);
    expect(whole.status).toBe(422);
    expect(whole.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(whole.text)).toMatchObject({
      code: 'sheet_too_large',
      maxCoupons: 10_000,
      parts: 3,
      detail: expect.stringContaining('?part=1 to ?part=3'),
    });

    const first = await download(marketer, `/api/batches/${created.body.id}/sheet.pdf?part=1`);
    expect(first.status).toBe(200);
    expect(first.disposition).toContain('-part-1.pdf');
    expect((await PDFDocument.load(first.raw)).getPageCount()).toBe(2);

    const beyond = await download(marketer, `/api/batches/${created.body.id}/sheet.pdf?part=4`);
    expect(beyond.status).toBe(422);
    expect(JSON.parse(beyond.text)).toMatchObject({ code: 'validation_failed' });
  });

  it('a batch that has not succeeded cannot be printed: 409 conflict', async () => {
    const campaign = await makeCampaign(t.db);
    const queued = await t.db
      .insertInto('batches')
      .values({ campaign_id: campaign.id, count: 20_000, created_by: marketerId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const response = await download(marketer, `/api/batches/${queued.id}/sheet.pdf`);
    expect(response.status).toBe(409);
    expect(JSON.parse(response.text)).toMatchObject({ code: 'conflict' });
  });

  it('staff get 403, nobody without a session 401, an unknown batch 404', async () => {
    const campaign = await makeCampaign(t.db);
    const created = await marketer.request<Batch>('POST', `/api/campaigns/${campaign.id}/batches`, {
      count: 1,
    });
    const staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    const url = `/api/batches/${created.body.id}/sheet.pdf`;
    expect(JSON.parse((await download(staff, url)).text)).toMatchObject({
      status: 403,
      code: 'forbidden',
    });
    expect(JSON.parse((await download(null, url)).text)).toMatchObject({
      status: 401,
      code: 'unauthenticated',
    });
    const missing = await download(
      marketer,
      '/api/batches/00000000-0000-4000-8000-000000000000/sheet.pdf',
    );
    expect(JSON.parse(missing.text)).toMatchObject({ status: 404, code: 'not_found' });
  });
});
