// How amounts and times read to staff at the till.
import type { Discount } from '@couponscan/shared/campaigns';

export function formatDiscount(discount: Discount): string {
  switch (discount.type) {
    case 'percent':
      return `${formatNumber(discount.value ?? 0)}% off`;
    case 'fixed_amount': {
      const value = discount.value ?? 0;
      const amount =
        discount.currency === null
          ? formatNumber(value)
          : new Intl.NumberFormat(undefined, {
              style: 'currency',
              currency: discount.currency,
            }).format(value);
      return `${amount} off`;
    }
    case 'free_item':
      return discount.description === '' ? 'Free item' : discount.description;
  }
}

function formatNumber(value: number): string {
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(value);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatTime(iso: string): string {
  return time.format(new Date(iso));
}

/** "3 minutes ago", "yesterday", "in 2 days". */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}
