// What a date-time in a request must be: one PostgreSQL and JavaScript both read as the same
// instant. Used by the validation layer (plugins/validation.ts) and by cursors (pagination.ts).

/** Earliest and latest year a date-time may name: PostgreSQL and Date agree on these. */
export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 date-time with an offset that names a real instant. Leap seconds (`23:59:60`) are
 * refused: JavaScript's Date cannot hold them and PostgreSQL silently rolls them over.
 */
export function isValidDateTime(value: string): boolean {
  const match = RFC3339.exec(value);
  if (match === null) return false;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return false;
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day < 1 || day > (month === 2 ? (leapYear ? 29 : 28) : daysInMonth)) return false;
  if ((hour ?? 99) > 23 || (minute ?? 99) > 59 || (second ?? 99) > 59) return false;
  return Number.isFinite(Date.parse(value));
}
