import { describe, expect, it } from 'vitest';
import {
  CODE_ALPHABET,
  GENERATED_CODE_BITS,
  checkCharacter,
  couponLink,
  formatCouponCode,
  generateCouponCode,
  hasValidCheckCharacter,
  isUrlText,
  looksGenerated,
  parseCouponCode,
  parsePrefix,
  readCouponLink,
} from '../src/code.ts';

describe('coupon code format', () => {
  it('generated codes carry at least 80 bits from the CSPRNG', () => {
    expect(GENERATED_CODE_BITS).toBeGreaterThanOrEqual(80);
    const codes = new Set(Array.from({ length: 2000 }, () => generateCouponCode()));
    expect(codes.size).toBe(2000);
  });

  it('uses Crockford base32 only: no I, L, O or U', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(CODE_ALPHABET).not.toMatch(/[ILOU]/);
    for (let i = 0; i < 200; i++) expect(generateCouponCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{20}$/);
  });

  it('every generated code passes its own check and parses as generated', () => {
    for (let i = 0; i < 500; i++) {
      const code = generateCouponCode(i % 2 === 0 ? 'SPRNG' : '');
      expect(hasValidCheckCharacter(code)).toBe(true);
      expect(parseCouponCode(code)).toEqual({ ok: true, kind: 'generated', code });
    }
  });

  it('a single mistyped character is rejected by the check character', () => {
    const code = generateCouponCode();
    for (let position = 0; position < code.length; position++) {
      for (const replacement of CODE_ALPHABET) {
        if (replacement === code.charAt(position)) continue;
        const typo = code.slice(0, position) + replacement + code.slice(position + 1);
        expect(hasValidCheckCharacter(typo)).toBe(false);
      }
    }
  });

  it('two swapped neighbouring characters are rejected by the check character', () => {
    let detected = 0;
    let swaps = 0;
    for (let n = 0; n < 50; n++) {
      const code = generateCouponCode();
      for (let i = 0; i < code.length - 1; i++) {
        if (code[i] === code[i + 1]) continue;
        swaps++;
        const swapped = code.slice(0, i) + code.charAt(i + 1) + code.charAt(i) + code.slice(i + 2);
        if (!hasValidCheckCharacter(swapped)) detected++;
      }
    }
    // Luhn mod N misses only the swap of the two characters whose values differ by N/2... rarely.
    expect(detected / swaps).toBeGreaterThan(0.95);
  });

  it('normalises case, spaces, dashes and Crockford look-alikes before checking', () => {
    const code = generateCouponCode('SPRNG');
    const display = formatCouponCode(code);
    expect(display).toMatch(/^SPRNG-([0-9A-Z]{4}-){4}[0-9A-Z]{4}$/);
    const sloppy = ` ${display.toLowerCase().replaceAll('-', ' - ')} `
      .replaceAll('0', 'o')
      .replaceAll('1', 'l');
    expect(parseCouponCode(sloppy)).toEqual({ ok: true, kind: 'generated', code });
  });

  it('accepts a URL that ends in the code', () => {
    const code = generateCouponCode();
    const display = formatCouponCode(code);
    expect(parseCouponCode(`https://shop.example/c/${display}`)).toMatchObject({ ok: true, code });
    expect(parseCouponCode(`https://shop.example/c/${code}?utm=qr#x`)).toMatchObject({
      ok: true,
      code,
    });
  });

  it('the coupon link is <origin>/c/<CODE>, and reading it gives back the host and the code', () => {
    const code = generateCouponCode();
    const link = couponLink('https://scan.shop.example/', code);
    expect(link).toBe(`https://scan.shop.example/c/${code}`);
    expect(readCouponLink(link)).toEqual({ host: 'scan.shop.example', codeText: code });
    expect(readCouponLink(`${link}?utm=qr#x`)).toEqual({
      host: 'scan.shop.example',
      codeText: code,
    });
  });

  it('only a /c/<code> path is a coupon link: other URLs and bare codes are not', () => {
    expect(readCouponLink('https://menu.example/menu')).toBeNull();
    expect(readCouponLink('https://menu.example/c/pasta/today')).toBeNull();
    expect(readCouponLink('https://menu.example/x/c/ABCD')).toBeNull();
    expect(readCouponLink('ftp://shop.example/c/ABCD')).toBeNull();
    expect(readCouponLink(generateCouponCode())).toBeNull();
    expect(isUrlText('https://menu.example/menu')).toBe(true);
    expect(isUrlText(generateCouponCode())).toBe(false);
  });

  it('tells a misread generated code from an imported code', () => {
    const code = generateCouponCode();
    const wrongCheck = code.slice(0, -1) + (code.endsWith('0') ? '1' : '0');
    expect(parseCouponCode(wrongCheck)).toEqual({ ok: false, reason: 'check_failed' });
    expect(parseCouponCode('summer-2025-ab')).toEqual({
      ok: true,
      kind: 'imported',
      code: 'SUMMER2025AB',
    });
    expect(looksGenerated(code)).toBe(true);
    expect(looksGenerated('SUMMER2025AB')).toBe(false);
  });

  it('refuses empty, too short, too long and non-alphanumeric input', () => {
    expect(parseCouponCode('  ')).toEqual({ ok: false, reason: 'empty' });
    expect(parseCouponCode('AB1')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseCouponCode('A'.repeat(65))).toEqual({ ok: false, reason: 'malformed' });
    expect(parseCouponCode('DROP TABLE;')).toEqual({ ok: false, reason: 'malformed' });
    expect(parseCouponCode('ÄÖÜ12345')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('check character matches the Luhn mod N definition on a known value', () => {
    // Worked by hand: values 1,2,3 → factors from the right 2,1,2 → 2+2+6 = 10 → (32-10)%32 = 22 → 'P'
    expect(checkCharacter('123')).toBe('P');
    expect(hasValidCheckCharacter('123P')).toBe(true);
  });

  it('prefixes use the code alphabet and a helpful message says why not', () => {
    expect(parsePrefix('spring')).toEqual({ ok: false, message: expect.stringContaining('I') });
    expect(parsePrefix('sprng')).toEqual({ ok: true, prefix: 'SPRNG' });
    expect(parsePrefix('X')).toMatchObject({ ok: false });
  });
});
