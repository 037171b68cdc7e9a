// How campaigns and times read in the console.
import type { Campaign } from '@couponscan/shared/campaigns';
import { lastDayBefore, localDateOf, viewerTimeZone } from './zoned-dates.ts';

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const shortDay = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

/** A `YYYY-MM-DD` without its year, for chart axes ("31 Dec"). */
export function formatShortLocalDate(date: string): string {
  return shortDay.format(new Date(`${date}T00:00:00Z`));
}

/** A `YYYY-MM-DD` as people read it ("31 Dec 2026"). */
export function formatLocalDate(date: string): string {
  return day.format(new Date(`${date}T00:00:00Z`));
}

export function formatInstant(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "1 Dec 2026 – 31 Dec 2026", "from 1 Dec 2026", "until 31 Dec 2026", "always". */
export function formatValidity(
  campaign: Pick<Campaign, 'validFrom' | 'validUntil'>,
  timeZone = viewerTimeZone(),
): string {
  const from =
    campaign.validFrom === null
      ? null
      : formatLocalDate(localDateOf(new Date(campaign.validFrom), timeZone));
  const until =
    campaign.validUntil === null
      ? null
      : formatLocalDate(lastDayBefore(new Date(campaign.validUntil), timeZone));
  if (from !== null && until !== null) return `${from} – ${until}`;
  if (from !== null) return `from ${from}`;
  if (until !== null) return `until ${until}`;
  return 'no end date';
}
