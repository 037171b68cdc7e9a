// /api/stores: admins create stores (codes unique, case-insensitively); admins and marketers list
// them with cursor pagination.
import type { Page } from '@couponscan/shared/common';
import type { Problem } from '@couponscan/shared/errors';
import type { Store } from '@couponscan/shared/stores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { loggedIn, makeStore, makeUser, type ApiClient } from './helpers/factories.ts';

let t: TestApp;
let admin: ApiClient;
let marketer: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  admin = await loggedIn(t.app, (await makeUser(t.db, 'admin')).email);
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

/** Follows nextCursor to the end; the ids of every item, in the order they came. */
async function walkAllPages(client: ApiClient, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = await client.request<Page<Store>>('GET', `/api/stores?limit=${limit}${query}`);
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...response.body.items.map((store) => store.id));
    cursor = response.body.nextCursor;
    if (cursor === null) return ids;
  }
  throw new Error('pagination never ended');
}

describe('creating stores', () => {
  it('an admin creates a store: 201 with the code upper-cased and the name trimmed', async () => {
    const response = await admin.request<Store>('POST', '/api/stores', {
      code: 'berlin-01',
      name: '  Berlin Mitte ',
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ code: 'BERLIN-01', name: 'Berlin Mitte' });
    const row = await t.db
      .selectFrom('stores')
      .selectAll()
      .where('id', '=', response.body.id)
      .executeTakeFirstOrThrow();
    expect(row.code).toBe('BERLIN-01');
  });

  it('a second store with the same code, in any case, is refused with 409 conflict', async () => {
    const first = await admin.request('POST', '/api/stores', { code: 'HAMBURG-1', name: 'A' });
    expect(first.status).toBe(201);
    const second = await admin.request<Problem>('POST', '/api/stores', {
      code: 'hamburg-1',
      name: 'B',
    });
    expect(second.status).toBe(409);
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect(second.body).toMatchObject({ code: 'conflict', status: 409 });
    const rows = await t.db
      .selectFrom('stores')
      .select('id')
      .where('code', '=', 'HAMBURG-1')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['a code with a space', { code: 'BAD CODE', name: 'x' }, '/body/code'],
    ['a one-character code', { code: 'A', name: 'x' }, '/body/code'],
    ['a missing name', { code: 'OK-CODE' }, '/body/name'],
    ['an empty name', { code: 'OK-CODE', name: '' }, '/body/name'],
    ['a name of only spaces', { code: 'OK-CODE', name: '   ' }, '/body/name'],
    ['an unknown field', { code: 'OK-CODE', name: 'x', city: 'Berlin' }, '/body/city'],
  ])('a store with %s is refused with 422 validation_failed', async (_, body, pointer) => {
    const response = await admin.request<Problem>('POST', '/api/stores', body);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'validation_failed' });
    expect(response.body.errors?.map((e) => e.pointer)).toContain(pointer);
  });

  it('a marketer cannot create a store: 403 forbidden', async () => {
    const response = await marketer.request('POST', '/api/stores', { code: 'MKT-1', name: 'x' });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'forbidden' });
  });
});

describe('listing stores', () => {
  it('admins and marketers both see a store that was created', async () => {
    const store = await makeStore(t.db, 'Listed Store');
    for (const client of [admin, marketer]) {
      const response = await client.request<Page<Store>>('GET', '/api/stores?limit=500');
      expect(response.status).toBe(200);
      expect(response.body.items).toContainEqual(
        expect.objectContaining({ id: store.id, code: store.code, name: 'Listed Store' }),
      );
    }
  });

  it('walking the pages with the cursor gives every store exactly once, newest first', async () => {
    for (let i = 0; i < 7; i++) await makeStore(t.db);
    const expected = await t.db
      .selectFrom('stores')
      .select('id')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    expect(expected.length).toBeGreaterThan(3);

    const ids = await walkAllPages(admin, 3);
    expect(ids).toEqual(expected.map((row) => row.id));
  });

  it('stores created in the same instant are neither skipped nor repeated across pages', async () => {
    // One statement gives every row the same created_at, with microseconds (as bulk imports do).
    const sameInstant = '2031-05-04T03:02:01.123456Z';
    const batch = await t.db
      .insertInto('stores')
      .values(
        Array.from({ length: 5 }, (_, i) => ({
          code: `SAME-${i}`,
          name: `Same instant ${i}`,
          created_at: sameInstant,
        })),
      )
      .returning('id')
      .execute();

    const ids = await walkAllPages(admin, 2);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { id } of batch) expect(ids).toContain(id);
  });

  it('a cursor this API did not give out is refused with 422 validation_failed', async () => {
    const response = await admin.request<Problem>('GET', '/api/stores?cursor=not-a-cursor');
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ pointer: '/querystring/cursor' }],
    });
  });

  it('a limit above 500 is refused with 422 validation_failed', async () => {
    const response = await admin.request<Problem>('GET', '/api/stores?limit=501');
    expect(response.status).toBe(422);
    expect(response.body.errors?.map((e) => e.pointer)).toContain('/querystring/limit');
  });
});
