// QR images of a coupon's code, with the `qrcode` package. The QR carries the normalised code
// (upper-case letters and digits fit QR's compact alphanumeric mode); the scanner reads it.
import { parseCouponCode } from '@couponscan/shared/code';
import type { QrQuery } from '@couponscan/shared/qr';
import QRCode from 'qrcode';
import type { Database } from '../../db/database.ts';
import { HttpProblem } from '../../plugins/errors.ts';
import { couponExists } from './qr.repository.ts';

async function knownCode(db: Database, raw: string): Promise<string> {
  const parsed = parseCouponCode(raw);
  if (!parsed.ok) {
    throw new HttpProblem(
      422,
      'invalid_code',
      parsed.reason === 'check_failed'
        ? 'The check character does not match: the code was mistyped or misread.'
        : 'A coupon code has 4 to 64 letters and digits.',
    );
  }
  if ((await couponExists(db, parsed.code)) === undefined)
    throw new HttpProblem(404, 'not_found', 'No coupon has this code.');
  return parsed.code;
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
