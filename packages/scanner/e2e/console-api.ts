// The console's end-to-end tests talk to the real backend directly for what happens elsewhere:
// a staff member at a till, an admin preparing a user.
import type { Page } from '@couponscan/shared/common';
import type { Coupon } from '@couponscan/shared/coupons';
import type { Store } from '@couponscan/shared/stores';
import { signIn } from './api.ts';

async function call(
  baseUrl: string,
  cookie: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      cookie,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const adminSessions = new Map<string, Promise<string>>();

/** One admin session for the file: the login rate limit counts every sign-in. */
function adminSession(baseUrl: string): Promise<string> {
  let session = adminSessions.get(baseUrl);
  if (session === undefined) {
    session = signIn(baseUrl, 'admin@example.com');
    adminSessions.set(baseUrl, session);
    session.catch(() => adminSessions.delete(baseUrl));
  }
  return session;
}

/** A new staff member of the demo store (or of another), signed in: their session cookie. */
export async function newStaffMember(
  baseUrl: string,
  storeCode = 'DEMO',
): Promise<{ email: string; name: string; cookie: string }> {
  const admin = await adminSession(baseUrl);
  const stores = await call(baseUrl, admin, 'GET', '/api/stores');
  const store = (stores.body as Page<Store>).items.find((item) => item.code === storeCode);
  if (store === undefined) throw new Error(`there is no store ${storeCode}`);
  const suffix = crypto.randomUUID().slice(0, 8);
  const email = `till-${suffix}@example.com`;
  const name = `Till ${suffix}`;
  const created = await call(baseUrl, admin, 'POST', '/api/users', {
    email,
    name,
    password: 'demo-password',
    role: 'staff',
    storeId: store.id,
  });
  if (created.status !== 201) throw new Error(`creating ${email}: ${created.status}`);
  return { email, name, cookie: await signIn(baseUrl, email) };
}

export async function redeemAsStaff(
  baseUrl: string,
  cookie: string,
  code: string,
): Promise<number> {
  const answer = await call(
    baseUrl,
    cookie,
    'POST',
    '/api/redemptions',
    { code },
    { 'idempotency-key': crypto.randomUUID() },
  );
  return answer.status;
}

export async function statusOfMe(baseUrl: string, cookie: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/auth/me`, { headers: { cookie } });
  return response.status;
}

/** A new store, by an admin: its code. */
export async function newStore(baseUrl: string, name: string): Promise<string> {
  const admin = await adminSession(baseUrl);
  const code = `E2E-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
  const created = await call(baseUrl, admin, 'POST', '/api/stores', {
    code,
    name,
    timeZone: 'Europe/Berlin',
  });
  if (created.status !== 201) throw new Error(`creating store ${code}: ${created.status}`);
  return code;
}

/** A new marketer API token, by an admin (its secret is not needed). */
export async function newApiToken(baseUrl: string, name: string): Promise<void> {
  const admin = await adminSession(baseUrl);
  const created = await call(baseUrl, admin, 'POST', '/api/api-tokens', {
    name,
    role: 'marketer',
    storeId: null,
  });
  if (created.status !== 201) throw new Error(`creating token ${name}: ${created.status}`);
}

/** A new coupon of the given campaign, by an admin: its code. */
export async function newCouponOf(baseUrl: string, campaignId: string): Promise<string> {
  const admin = await adminSession(baseUrl);
  const issued = await call(baseUrl, admin, 'POST', `/api/campaigns/${campaignId}/coupons`, {
    count: 1,
  });
  const coupon = (issued.body as { items?: Coupon[] }).items?.[0];
  if (issued.status !== 201 || coupon === undefined) {
    throw new Error(`issuing a coupon of ${campaignId}: ${issued.status}`);
  }
  return coupon.code;
}
