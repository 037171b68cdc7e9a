// Time-ordered coupon ids for batches: RFC 9562 UUIDv7.
import { describe, expect, it } from 'vitest';
import { uuidv7Drawer } from '../src/lib/uuidv7.ts';

describe('uuidv7Drawer', () => {
  it('draws RFC 9562 version 7 ids that carry the millisecond they were drawn in', () => {
    const draw = uuidv7Drawer(() => Date.parse('2026-11-29T01:02:03.456Z'));
    const id = draw();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const millis = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(new Date(millis).toISOString()).toBe('2026-11-29T01:02:03.456Z');
  });

  it('ids drawn in later milliseconds sort after earlier ones, and none repeats', () => {
    let now = 1_800_000_000_000;
    const draw = uuidv7Drawer(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 100 === 0) now += 1;
      ids.push(draw());
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 100; i < ids.length; i += 100) {
      expect((ids[i - 1] ?? '') < (ids[i] ?? '')).toBe(true);
    }
  });
});
