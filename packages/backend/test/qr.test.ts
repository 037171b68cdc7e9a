// QR images of coupons: they decode back to the code, with the size, margin and error
// correction asked for, and only for coupons that exist.
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { couponLink } from '@couponscan/shared/code';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { getRaw, loggedIn, makeCoupon, makeUser, type ApiClient } from './helpers/factories.ts';

// jsqr is CommonJS with an `exports.default`: Node hands the function over as `.default`
const jsQR = jsQRModule.default;

let t: TestApp;
let marketer: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

// app.inject asks as http://localhost:80
const ORIGIN = 'http://localhost:80';

function image(client: ApiClient | null, url: string) {
  return getRaw(t.app, client, url);
}

function decodePng(bytes: Buffer) {
  const png = PNG.sync.read(bytes);
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  return { width: png.width, height: png.height, data: found?.data ?? null };
}

/**
 * Rasterises the SVG that `qrcode` writes (one path of `M x y`, `m dx dy` and `h n` strokes, one
 * module high) at 8 px a module, and decodes that.
 */
function decodeSvg(svg: string): string | null {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const path = /<path stroke="#000000" d="([^"]+)"/.exec(svg);
  const modules = Number(viewBox?.[1]);
  const scale = 8;
  const size = modules * scale;
  const pixels = new Uint8ClampedArray(size * size * 4).fill(255);
  let x = 0;
  let y = 0;
  for (const [, command, a, b] of (path?.[1] ?? '').matchAll(/([MmHh])([\d.]+)(?: ([\d.]+))?/g)) {
    if (command === 'M') [x, y] = [Number(a), Number(b)];
    if (command === 'm') [x, y] = [x + Number(a), y + Number(b)];
    if (command === 'h') {
      for (let column = x; column < x + Number(a); column++) {
        for (let py = Math.floor(y) * scale; py < (Math.floor(y) + 1) * scale; py++) {
          for (let px = column * scale; px < (column + 1) * scale; px++) {
            pixels.fill(0, (py * size + px) * 4, (py * size + px) * 4 + 3);
          }
        }
      }
      x += Number(a);
    }
  }
  return jsQR(pixels, size, size)?.data ?? null;
}

describe('GET /api/coupons/:code/qr.png', () => {
  it("decodes to the app's coupon link, <origin>/c/<CODE>, on the origin it was asked from", async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await image(marketer, `/api/coupons/${coupon.code}/qr.png`);

    expect(response.status).toBe(200);
    expect(response.type).toBe('image/png');
    expect(response.cacheControl).toBe('private, max-age=86400');
    expect(decodePng(response.raw)).toEqual({
      width: 256,
      height: 256,
      data: couponLink(ORIGIN, coupon.code),
    });
  });

  it('accepts the code as people write it, and honours size, margin and a higher error correction', async () => {
    const { coupon } = await makeCoupon(t.db);
    const typed = coupon.displayCode.toLowerCase();
    const response = await image(
      marketer,
      `/api/coupons/${encodeURIComponent(typed)}/qr.png?size=512&margin=2&ecc=H`,
    );

    expect(response.status).toBe(200);
    expect(decodePng(response.raw)).toEqual({
      width: 512,
      height: 512,
      data: couponLink(ORIGIN, coupon.code),
    });
  });

  it('a size or margin out of range is 422 validation_failed, error correction below M too', async () => {
    const { coupon } = await makeCoupon(t.db);
    for (const query of ['size=10', 'size=5000', 'margin=40', 'ecc=L']) {
      const response = await image(marketer, `/api/coupons/${coupon.code}/qr.png?${query}`);
      expect(response.status).toBe(422);
      expect(JSON.parse(response.text)).toMatchObject({ code: 'validation_failed' });
    }
  });
});

describe('GET /api/coupons/:code/qr.svg', () => {
  it("is an SVG of the asked size that decodes to the app's coupon link", async () => {
    const { coupon } = await makeCoupon(t.db);
    const response = await image(marketer, `/api/coupons/${coupon.code}/qr.svg?size=300`);

    expect(response.status).toBe(200);
    expect(response.type).toBe('image/svg+xml');
    expect(response.text).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="300" height="300"/,
    );
    // the link's modules plus the quiet zone of 4 on each side
    const side = QRCode.create(couponLink(ORIGIN, coupon.code), { errorCorrectionLevel: 'M' })
      .modules.size;
    expect(response.text).toContain(`viewBox="0 0 ${side + 8} ${side + 8}"`);
    expect(decodeSvg(response.text)).toBe(couponLink(ORIGIN, coupon.code));
  });
});

describe('what is refused', () => {
  it('an unknown code is 404, a mistyped one 422 invalid_code', async () => {
    const { coupon } = await makeCoupon(t.db);
    const last = coupon.code.at(-1) === '0' ? '1' : '0';
    const mistyped = coupon.code.slice(0, -1) + last;
    const unknown = await image(marketer, '/api/coupons/NOSUCHCODE/qr.svg');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(unknown.text)).toMatchObject({ code: 'not_found' });
    const wrong = await image(marketer, `/api/coupons/${mistyped}/qr.png`);
    expect(wrong.status).toBe(422);
    expect(JSON.parse(wrong.text)).toMatchObject({ code: 'invalid_code' });
  });

  it('staff get 403 and nobody without a session 401; admins may', async () => {
    const { coupon } = await makeCoupon(t.db);
    const staff = await loggedIn(t.app, (await makeUser(t.db, 'staff')).email);
    const admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
    for (const format of ['svg', 'png']) {
      const url = `/api/coupons/${coupon.code}/qr.${format}`;
      expect(JSON.parse((await image(staff, url)).text)).toMatchObject({
        status: 403,
        code: 'forbidden',
      });
      expect(JSON.parse((await image(null, url)).text)).toMatchObject({
        status: 401,
        code: 'unauthenticated',
      });
      expect((await image(admin, url)).status).toBe(200);
    }
  });
});
