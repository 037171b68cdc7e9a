// QR images of a coupon's code, with the `qrcode` package. The QR carries the app's coupon link,
// `<app origin>/c/<CODE>` (packages/shared/src/code.ts), which the scanner reads as the code and a
// phone's own camera app opens. The origin is the one the marketer asked from: the
// backend serves the app (STATIC_DIR), and the scanner's dev server proxies /api keeping its Host.
import { couponLink } from '@couponscan/shared/code';
import type { QrQuery } from '@couponscan/shared/qr';
import QRCode from 'qrcode';
import type { Database } from '../../db/database.ts';
import { parseCodeOrThrow } from '../../lib/coupon-code.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { couponExists } from '../coupons/coupons.repository.ts';

async function knownCode(db: Database, raw: string): Promise<string> {
  const code = parseCodeOrThrow(raw);
  if ((await couponExists(db, code)) === undefined)
    throw new HttpProblem(404, 'not_found', 'No coupon has this code.');
  return code;
}

/** What every QR code of a coupon encodes (these images and the printed sheets): its link. */
export function couponQrText(origin: string, code: string): string {
  return couponLink(origin, code);
}

function options(query: QrQuery) {
  return {
    errorCorrectionLevel: query.ecc ?? 'M',
    margin: query.margin ?? 4,
    width: query.size ?? 256,
  };
}

export async function couponQrSvg(
  db: Database,
  raw: string,
  query: QrQuery,
  origin: string,
): Promise<string> {
  const code = await knownCode(db, raw);
  return QRCode.toString(couponQrText(origin, code), { ...options(query), type: 'svg' });
}

export async function couponQrPng(
  db: Database,
  raw: string,
  query: QrQuery,
  origin: string,
): Promise<Buffer> {
  const code = await knownCode(db, raw);
  return QRCode.toBuffer(couponQrText(origin, code), { ...options(query), type: 'png' });
}
