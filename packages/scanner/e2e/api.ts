// Talking to the real backend from the test itself: an admin issues a fresh coupon.
import type { Campaign } from '@couponscan/shared/campaigns';
import type { Page } from '@couponscan/shared/common';
import type { Coupon, CouponPreview } from '@couponscan/shared/coupons';
import type { LedgerEntry } from '@couponscan/shared/redemptions';

export async function signIn(baseUrl: string, email: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo-password' }),
  });
  if (!response.ok)
    throw new Error(`login as ${email}: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]);
  return cookie.join('; ');
}

/**
 * One session per user for the whole file, as a real client keeps its cookie: signing in before
 * every call ran into the login rate limit (429) once a run took long enough.
 */
const sessions = new Map<string, Promise<string>>();

function sessionOf(baseUrl: string, email: string): Promise<string> {
  const key = `${baseUrl} ${email}`;
  let session = sessions.get(key);
  if (session === undefined) {
    session = signIn(baseUrl, email);
    sessions.set(key, session);
    // a failed sign-in is not kept
    session.catch(() => sessions.delete(key));
  }
  return session;
}

async function json<T>(baseUrl: string, cookie: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A fresh coupon of the demo campaign, or of a new campaign allowing `maxRedemptions` uses. */
export async function issueCoupon(baseUrl: string, maxRedemptions = 1): Promise<Coupon> {
  const cookie = await sessionOf(baseUrl, 'admin@example.com');
  let campaignId: string;
  if (maxRedemptions === 1) {
    const campaigns = await json<Page<Campaign>>(baseUrl, cookie, '/api/campaigns');
    const campaign = campaigns.items.find(
      (item) => item.status === 'active' && item.maxRedemptionsPerCoupon === 1,
    );
    if (campaign === undefined) throw new Error('the demo data has no active campaign');
    campaignId = campaign.id;
  } else {
    const campaign = await json<Campaign>(baseUrl, cookie, '/api/campaigns', {
      name: `Loyalty card ${Date.now()}`,
      discount: { type: 'percent', value: 5, currency: null, description: '' },
      maxRedemptionsPerCoupon: maxRedemptions,
    });
    campaignId = campaign.id;
  }
  const issued = await json<{ items: Coupon[] }>(
    baseUrl,
    cookie,
    `/api/campaigns/${campaignId}/coupons`,
    { count: 1 },
  );
  const coupon = issued.items[0];
  if (coupon === undefined) throw new Error('no coupon issued');
  return coupon;
}

/** The coupon's redemptions in the ledger (reversals not counted). */
export async function redemptionsOf(baseUrl: string, coupon: Coupon): Promise<LedgerEntry[]> {
  const cookie = await sessionOf(baseUrl, 'admin@example.com');
  const page = await json<Page<LedgerEntry>>(
    baseUrl,
    cookie,
    `/api/redemptions?couponId=${coupon.id}&limit=100`,
  );
  // filtered here too: the ledger's own couponId filter is newer than some backends
  return page.items.filter((entry) => entry.kind === 'redemption' && entry.couponId === coupon.id);
}

export async function previewAsStaff(baseUrl: string, code: string): Promise<CouponPreview> {
  const cookie = await sessionOf(baseUrl, 'staff@example.com');
  return json<CouponPreview>(baseUrl, cookie, `/api/coupons/${encodeURIComponent(code)}`);
}
