import { describe, expect, it } from 'vitest';
import {
  endOfDay,
  lastDayBefore,
  localDateOf,
  startOfDay,
} from '../../src/features/console/lib/zoned-dates.ts';

describe('calendar days in a time zone', () => {
  it('a day in Berlin winter starts at 23:00 UTC the day before', () => {
    expect(startOfDay('2026-12-01', 'Europe/Berlin').toISOString()).toBe(
      '2026-11-30T23:00:00.000Z',
    );
  });

  it('a day ends when the next one starts (the API reads validUntil as exclusive)', () => {
    expect(endOfDay('2026-06-30', 'Europe/Berlin').toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });

  it('the day DST starts is 23 hours long', () => {
    const start = startOfDay('2026-03-29', 'Europe/Berlin').getTime();
    const end = endOfDay('2026-03-29', 'Europe/Berlin').getTime();
    expect((end - start) / 3_600_000).toBe(23);
  });

  it('the day DST ends is 25 hours long', () => {
    const start = startOfDay('2026-11-01', 'America/New_York').getTime();
    const end = endOfDay('2026-11-01', 'America/New_York').getTime();
    expect((end - start) / 3_600_000).toBe(25);
  });

  it('an end instant reads back as the last day it covers', () => {
    const end = endOfDay('2026-12-31', 'Asia/Tokyo');
    expect(lastDayBefore(end, 'Asia/Tokyo')).toBe('2026-12-31');
    expect(localDateOf(end, 'Asia/Tokyo')).toBe('2027-01-01');
  });
});
