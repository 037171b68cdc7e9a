// QR images of a coupon's code, with the `qrcode` package. The QR carries the normalised code
// (upper-case letters and digits fit QR's compact alphanumeric mode); the scanner reads it.
import type { QrQuery } from '@couponscan/shared/qr';
import QRCode from 'qrcode';
import type { Database } from '../../db/database.ts';
import { parseCodeOrThrow } from '../../lib/coupon-code.ts';
import { HttpProblem } from '../../plugins/errors.ts';
import { couponExists } from './qr.repository.ts';

async function knownCode(db: Database, raw: string): Promise<string> {
  const code = parseCodeOrThrow(raw);
  if ((await couponExists(db, code)) === undefined)
    throw new HttpProblem(404, 'not_found', 'No coupon has this code.');
  return code;
}

function options(query: QrQuery) {
  return {
    errorCorrectionLevel: query.ecc ?? 'M',
    margin: query.margin ?? 4,
    width: query.size ?? 256,
  };
}

export async function couponQrSvg(db: Database, raw: string, query: QrQuery): Promise<string> {
  const code = await knownCode(db, raw);
  return QRCode.toString(code, { ...options(query), type: 'svg' });
}

export async function couponQrPng(db: Database, raw: string, query: QrQuery): Promise<Buffer> {
  const code = await knownCode(db, raw);
  return QRCode.toBuffer(code, { ...options(query), type: 'png' });
}
