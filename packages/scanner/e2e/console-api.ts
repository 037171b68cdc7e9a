// The console's end-to-end tests talk to the real backend directly for what happens elsewhere:
// a staff member at a till, an admin preparing a user.
import type { Page } from '@couponscan/shared/common';
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

/** A new staff member of the demo store, signed in: their session cookie. */
export async function newStaffMember(
  baseUrl: string,
): Promise<{ email: string; name: string; cookie: string }> {
  const admin = await signIn(baseUrl, 'admin@example.com');
  const stores = await call(baseUrl, admin, 'GET', '/api/stores');
  const store = (stores.body as Page<Store>).items.find((item) => item.code === 'DEMO');
  if (store === undefined) throw new Error('the demo data has no DEMO store');
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
