// The coupon code format, shared so that the scanner rejects a misread before any request and the
// backend agrees with it byte for byte.
//
// Generated codes: an optional campaign prefix (2–8 characters), 19 random characters
// (95 bits from a CSPRNG) and one check character (Luhn mod 32), all in Crockford base32
// (https://www.crockford.com/base32.html), shown in groups of four: `SPRING-7K3M-9QXW-2HTR-5B8N-QR4C`.
// Imported codes (from another system) keep their own format: 4–64 letters and digits that do not
// have the shape of a generated code, so the two can always be told apart.

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RANDOM_LENGTH = 19;
/** Random characters plus the check character. */
export const GENERATED_BODY_LENGTH = RANDOM_LENGTH + 1;
export const PREFIX_MIN_LENGTH = 2;
export const PREFIX_MAX_LENGTH = 8;
export const IMPORTED_MIN_LENGTH = 4;
export const IMPORTED_MAX_LENGTH = 64;
/** Entropy of a generated code in bits. */
export const GENERATED_CODE_BITS = RANDOM_LENGTH * 5;

const N = CODE_ALPHABET.length;
const VALUE = new Map<string, number>(Array.from(CODE_ALPHABET, (char, index) => [char, index]));
/** Only characters of CODE_ALPHABET (which are all ASCII). */
const IN_ALPHABET = /^[0-9A-HJKMNP-TV-Z]+$/;

export type CouponCodeKind = 'generated' | 'imported';
export type ParsedCode =
  | { ok: true; kind: CouponCodeKind; code: string }
  | { ok: false; reason: 'empty' | 'malformed' | 'check_failed' };

function luhnSum(chars: string, startFactor: 1 | 2): number {
  let factor = startFactor;
  let sum = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const value = VALUE.get(chars.charAt(i));
    if (value === undefined) throw new RangeError(`not a code character: ${chars.charAt(i)}`);
    const addend = factor * value;
    sum += Math.floor(addend / N) + (addend % N);
    factor = factor === 2 ? 1 : 2;
  }
  return sum;
}

/** The Luhn mod 32 check character of `chars` (all in CODE_ALPHABET). */
export function checkCharacter(chars: string): string {
  const remainder = luhnSum(chars, 2) % N;
  return CODE_ALPHABET.charAt((N - remainder) % N);
}

/** True when the last character of `code` is the check character of the rest. */
export function hasValidCheckCharacter(code: string): boolean {
  if (code.length < 2 || !IN_ALPHABET.test(code)) return false;
  return luhnSum(code, 1) % N === 0;
}

/** Upper-case, without spaces or dashes: how any code is compared. */
export function compactCode(input: string): string {
  return input.toUpperCase().replace(/[\s\-‐‑–—]/g, '');
}

/** Crockford's reading rules: O is 0, I and L are 1. */
function crockfordFold(compact: string): string {
  return compact.replace(/O/g, '0').replace(/[IL]/g, '1');
}

function hasGeneratedShape(folded: string): boolean {
  return (
    folded.length >= GENERATED_BODY_LENGTH &&
    folded.length <= GENERATED_BODY_LENGTH + PREFIX_MAX_LENGTH &&
    folded.length !== GENERATED_BODY_LENGTH + 1 &&
    IN_ALPHABET.test(folded)
  );
}

/**
 * The app's own coupon link, `<app origin>/c/<CODE>` (e.g. `https://scan.shop.example/c/7K3M…`):
 * what the QR images the backend makes carry, so that a phone's own camera app opens the app.
 * The scanner takes a URL as a coupon only in this shape and on its own host; any
 * other URL is "not a coupon". Bare codes stay valid QR contents.
 */
export const COUPON_LINK_PATH = '/c/';

export function couponLink(origin: string, code: string): string {
  return `${origin.replace(/\/+$/, '')}${COUPON_LINK_PATH}${encodeURIComponent(code)}`;
}

/** Whether a scanned text is a URL (scheme://…) rather than a bare code. */
export function isUrlText(scanned: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(scanned.trim());
}

/** The host and code text of a coupon link (query and fragment ignored), or null. */
export function readCouponLink(scanned: string): { host: string; codeText: string } | null {
  if (!isUrlText(scanned)) return null;
  let url: URL;
  try {
    url = new URL(scanned.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const match = /^\/c\/([^/]+)\/?$/.exec(url.pathname);
  if (match?.[1] === undefined) return null;
  try {
    return { host: url.host, codeText: decodeURIComponent(match[1]) };
  } catch {
    return null;
  }
}

/** The code inside a scanned text: the text itself, or the last path segment of a URL. */
export function extractCodeText(scanned: string): string {
  const text = scanned.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  try {
    const url = new URL(text);
    const segments = url.pathname.split('/').filter((segment) => segment !== '');
    const last = segments.at(-1);
    return last === undefined ? '' : decodeURIComponent(last);
  } catch {
    return text;
  }
}

/**
 * Parses what a person typed or a camera read. A text with the shape of a generated code must
 * carry a valid check character; anything else of 4–64 letters and digits may be an imported code.
 */
export function parseCouponCode(scanned: string): ParsedCode {
  const compact = compactCode(extractCodeText(scanned));
  if (compact === '') return { ok: false, reason: 'empty' };
  if (!/^[A-Z0-9]+$/.test(compact)) return { ok: false, reason: 'malformed' };
  const folded = crockfordFold(compact);
  if (hasGeneratedShape(folded)) {
    return hasValidCheckCharacter(folded)
      ? { ok: true, kind: 'generated', code: folded }
      : { ok: false, reason: 'check_failed' };
  }
  if (compact.length < IMPORTED_MIN_LENGTH || compact.length > IMPORTED_MAX_LENGTH) {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, kind: 'imported', code: compact };
}

/** Whether an imported code could be mistaken for a generated one (and so must be refused). */
export function looksGenerated(compact: string): boolean {
  return hasGeneratedShape(crockfordFold(compact));
}

/** Normalised prefix, or an error message a marketer can act on. */
export function parsePrefix(
  input: string,
): { ok: true; prefix: string } | { ok: false; message: string } {
  const prefix = compactCode(input);
  if (prefix.length < PREFIX_MIN_LENGTH || prefix.length > PREFIX_MAX_LENGTH) {
    return {
      ok: false,
      message: `a prefix has ${PREFIX_MIN_LENGTH} to ${PREFIX_MAX_LENGTH} characters`,
    };
  }
  const invalid = prefix.replace(/[0-9A-HJKMNP-TV-Z]/g, '');
  if (invalid !== '') {
    return {
      ok: false,
      message: `a prefix uses only ${CODE_ALPHABET} (no I, L, O or U, which are easily misread); found ${Array.from(new Set(invalid)).join(', ')}`,
    };
  }
  return { ok: true, prefix };
}

/** A new generated code (compact form) from a CSPRNG; `prefix` must come from parsePrefix. */
export function generateCouponCode(prefix = ''): string {
  const bytes = new Uint8Array(RANDOM_LENGTH);
  globalThis.crypto.getRandomValues(bytes);
  // 256 is a multiple of 32, so the low five bits of a byte are uniform.
  let random = '';
  for (const byte of bytes) random += CODE_ALPHABET.charAt(byte & 31);
  const body = prefix + random;
  return body + checkCharacter(body);
}

/** How a code is shown to people: generated codes in groups of four after the prefix. */
export function formatCouponCode(code: string): string {
  if (!hasGeneratedShape(code) || !hasValidCheckCharacter(code)) return code;
  const prefixLength = code.length - GENERATED_BODY_LENGTH;
  const groups = code.slice(prefixLength).match(/.{1,4}/g) ?? [];
  return [...(prefixLength > 0 ? [code.slice(0, prefixLength)] : []), ...groups].join('-');
}
