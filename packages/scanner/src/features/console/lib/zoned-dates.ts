// Campaign windows are entered as calendar days: "valid from 1 Dec" starts at midnight and
// "valid until 31 Dec" ends when 31 Dec ends, both in the campaign's time zone. The API stores
// instants and treats `validUntil` as exclusive (a coupon expires at `now >= validUntil`), so the
// end of 31 Dec is the instant 1 Jan starts. Only Intl is used: no time-zone library to download.

/** `YYYY-MM-DD` */
export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(instant: number, timeZone: string) {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const values: Record<string, number> = {};
  for (const part of format.formatToParts(instant)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year ?? 0,
    month: values.month ?? 1,
    day: values.day ?? 1,
    hour: values.hour ?? 0,
    minute: values.minute ?? 0,
    second: values.second ?? 0,
  };
}

/** How far `timeZone` is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (instant - (instant % 1000));
}

export function isLocalDate(value: string): boolean {
  const match = LOCAL_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** The instant `date` starts (its first midnight) in `timeZone`. */
export function startOfDay(date: LocalDate, timeZone: string): Date {
  const match = LOCAL_DATE.exec(date);
  if (match === null) throw new RangeError(`not a date: ${date}`);
  const wall = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // the offset may change between the guess and the answer (a DST switch): settle it twice
  let instant = wall - offsetAt(wall, timeZone);
  instant = wall - offsetAt(instant, timeZone);
  // a zone that skips midnight (DST at 00:00) starts the day at the first instant that exists
  if (localDateOf(new Date(instant), timeZone) !== date) instant += 3_600_000;
  return new Date(instant);
}

/** The instant `date` ends in `timeZone`: when the next day starts (exclusive, as the API reads it). */
export function endOfDay(date: LocalDate, timeZone: string): Date {
  const match = LOCAL_DATE.exec(date);
  if (match === null) throw new RangeError(`not a date: ${date}`);
  const next = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + 1));
  return startOfDay(next.toISOString().slice(0, 10), timeZone);
}

/** The calendar day `instant` falls on in `timeZone`. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const p = parts(instant.getTime(), timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The last day an exclusive end instant covers: the day of the instant just before it. */
export function lastDayBefore(end: Date, timeZone: string): LocalDate {
  return localDateOf(new Date(end.getTime() - 1), timeZone);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/**
 * An instant on the campaign's clock and in UTC, to the second, the same in every browser
 * language (no 12/31 against 31/12): "31 Dec 2026, 23:59:59 Europe/Berlin" and
 * "2026-12-31T22:59:59Z".
 */
export function exactParts(instant: Date, timeZone: string): { local: string; utc: string } {
  const p = parts(instant.getTime(), timeZone);
  const utc = new Date(instant.getTime() - (instant.getTime() % 1000)).toISOString();
  return {
    local: `${String(p.day)} ${MONTHS[p.month - 1] ?? ''} ${String(p.year)}, ${two(p.hour)}:${two(p.minute)}:${two(p.second)} ${timeZone}`,
    utc: utc.replace('.000Z', 'Z'),
  };
}

/** The last whole second an exclusive end instant still covers (23:59:59 for a day's end). */
export function lastSecondBefore(end: Date): Date {
  return new Date(end.getTime() - 1000);
}

export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Every zone the browser knows, `first` (the campaign's, else the viewer's) first. */
export function timeZoneChoices(first: string = viewerTimeZone()): string[] {
  const zones =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
  const viewer = viewerTimeZone();
  return [first, viewer, ...zones.filter((zone) => zone !== 'UTC'), 'UTC'].filter(
    (zone, index, all) => all.indexOf(zone) === index,
  );
}
