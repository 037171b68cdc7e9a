// Fixtures written straight to the database, and clients that log in through the real API.
import { randomBytes } from 'node:crypto';
import type { Role } from '@couponscan/shared/auth';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/database.ts';
import { hashPassword } from '../../src/modules/auth/password.ts';
import { issueCoupons } from '../../src/modules/coupons/coupons.service.ts';

export const TEST_PASSWORD = 'test-password-1';
let passwordHash: Promise<string> | null = null;

const unique = () => randomBytes(4).toString('hex');

export async function makeStore(db: Database, name = `Store ${unique()}`) {
  return db
    .insertInto('stores')
    .values({ code: `S-${unique().toUpperCase()}`, name })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeUser(
  db: Database,
  role: Role,
  options: { storeId?: string; name?: string; email?: string } = {},
) {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const storeId = role === 'staff' ? (options.storeId ?? (await makeStore(db)).id) : null;
  return db
    .insertInto('users')
    .values({
      email: options.email ?? `${role}-${unique()}@example.test`,
      name: options.name ?? `${role} ${unique()}`,
      role,
      store_id: storeId,
      password_hash: await passwordHash,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function makeCampaign(
  db: Database,
  options: {
    maxRedemptionsPerCoupon?: number;
    validFrom?: Date | null;
    validUntil?: Date | null;
    status?: 'active' | 'paused' | 'archived';
    storeIds?: string[];
    name?: string;
  } = {},
) {
  const campaign = await db
    .insertInto('campaigns')
    .values({
      name: options.name ?? `Campaign ${unique()}`,
      discount_type: 'percent',
      discount_value: 15,
      discount_description: '15% off',
      max_redemptions_per_coupon: options.maxRedemptionsPerCoupon ?? 1,
      valid_from: options.validFrom ?? null,
      valid_until: options.validUntil ?? null,
      status: options.status ?? 'active',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (options.storeIds !== undefined && options.storeIds.length > 0) {
    await db
      .insertInto('campaign_stores')
      .values(options.storeIds.map((storeId) => ({ campaign_id: campaign.id, store_id: storeId })))
      .execute();
  }
  return campaign;
}

export async function makeCoupon(
  db: Database,
  campaignOptions: Parameters<typeof makeCampaign>[1] = {},
) {
  const campaign = await makeCampaign(db, campaignOptions);
  const [coupon] = await issueCoupons(db, campaign.id, 1);
  if (coupon === undefined) throw new Error('no coupon issued');
  return { campaign, coupon };
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/** A logged-in user talking to the app, over app.inject or over real HTTP when given a URL. */
export class ApiClient {
  cookie = '';

  constructor(private readonly target: FastifyInstance | string) {}

  async login(email: string, password = TEST_PASSWORD): Promise<ApiResponse> {
    const response = await this.request('POST', '/api/auth/login', { email, password });
    const setCookie = response.headers['set-cookie'];
    if (response.status === 200 && setCookie !== undefined)
      this.cookie = setCookie.split(';')[0] ?? '';
    return response;
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const allHeaders: Record<string, string> = { ...headers };
    if (this.cookie !== '') allHeaders.cookie = this.cookie;
    if (body !== undefined) allHeaders['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (typeof this.target === 'string') {
      const response = await fetch(this.target + url, {
        method,
        headers: allHeaders,
        body: payload,
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers.entries()),
        body: (text === '' ? null : JSON.parse(text)) as T,
      };
    }
    const response = await this.target.inject({ method, url, headers: allHeaders, payload });
    const headersOut: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined)
        headersOut[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    return {
      status: response.statusCode,
      headers: headersOut,
      body: (response.body === '' ? null : response.json()) as T,
    };
  }

  redeem(
    code: string,
    key: string = randomBytes(12).toString('hex'),
    extra: Record<string, unknown> = {},
  ) {
    return this.request('POST', '/api/redemptions', { code, ...extra }, { 'idempotency-key': key });
  }
}

export async function loggedIn(
  target: FastifyInstance | string,
  email: string,
): Promise<ApiClient> {
  const client = new ApiClient(target);
  const response = await client.login(email);
  if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
  return client;
}

export interface RawResponse {
  status: number;
  type: string;
  disposition: string;
  cacheControl: string | undefined;
  raw: Buffer;
  text: string;
}

/** A GET whose answer is not JSON (CSV, PDF, images), as `client` or with no session. */
export async function getRaw(
  app: FastifyInstance,
  client: ApiClient | null,
  url: string,
): Promise<RawResponse> {
  const response = await app.inject({
    method: 'GET',
    url,
    headers: client === null || client.cookie === '' ? {} : { cookie: client.cookie },
  });
  return {
    status: response.statusCode,
    type: String(response.headers['content-type']),
    disposition: String(response.headers['content-disposition']),
    cacheControl: response.headers['cache-control'],
    raw: response.rawPayload,
    text: response.body,
  };
}
