// What a QR code the camera read holds, for the person at the till: a coupon code, a coupon code
// with a wrong check character (printed or read wrong), or something that is not a coupon at all.
// URLs count only in the app's own coupon link format on this app's host (see COUPON_LINK_PATH).
import { isUrlText, parseCouponCode, readCouponLink } from '@couponscan/shared/code';

export type ScannedText =
  { kind: 'code'; code: string } | { kind: 'check_failed' } | { kind: 'not_a_coupon' };

export function readScannedText(text: string, appHost: string): ScannedText {
  let codeText = text;
  if (isUrlText(text)) {
    const link = readCouponLink(text);
    if (link === null || link.host !== appHost) return { kind: 'not_a_coupon' };
    codeText = link.codeText;
  }
  const parsed = parseCouponCode(codeText);
  if (parsed.ok) return { kind: 'code', code: parsed.code };
  return parsed.reason === 'check_failed' ? { kind: 'check_failed' } : { kind: 'not_a_coupon' };
}
