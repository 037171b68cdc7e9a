// One error model: every failure is RFC 9457 application/problem+json with a stable code from
// @couponscan/shared/errors, and 5xx answers never carry details. Also /api/health.
import {
  ERROR_CODES,
  PROBLEM_CONTENT_TYPE,
  problemType,
  type Problem,
} from '@couponscan/shared/errors';
import type { Health } from '@couponscan/shared/common';
import type { FastifyInstance } from 'fastify';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createDatabase, type Database } from '../src/db/database.ts';
import { createTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { loggedIn, makeUser, type ApiClient } from './helpers/factories.ts';

let t: TestApp;
let marketer: ApiClient;

beforeAll(async () => {
  t = await createTestApp();
  marketer = await loggedIn(t.app, (await makeUser(t.db, 'marketer')).email);
});
afterAll(() => t.close());

/** Asserts the RFC 9457 shape and returns the problem. */
function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
): Problem {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toContain(PROBLEM_CONTENT_TYPE);
  const problem = JSON.parse(response.body) as Problem;
  expect(ERROR_CODES).toContain(problem.code);
  expect(problem).toMatchObject({ status, code, type: problemType(problem.code) });
  expect(typeof problem.title).toBe('string');
  expect(problem.title).not.toBe('');
  return problem;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function post(url: string, payload: string, contentType: string) {
  return t.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': contentType, cookie: marketer.cookie },
  });
}

describe('client errors', () => {
  it('a malformed JSON body is refused with 400 malformed_request', async () => {
    const response = await post('/api/campaigns', '{"name": "unterminated', 'application/json');
    expectProblem(response, 400, 'malformed_request');
  });

  it('an empty body with a JSON content type is refused with 400 malformed_request', async () => {
    const response = await post('/api/campaigns', '', 'application/json');
    expectProblem(response, 400, 'malformed_request');
  });

  it('an unknown body field is refused with 422, pointing at the field', async () => {
    const response = await post(
      '/api/campaigns',
      JSON.stringify({ name: 'x', discount: { type: 'percent', value: 5 }, owner: 'me' }),
      'application/json',
    );
    const problem = expectProblem(response, 422, 'validation_failed');
    expect(problem.errors).toEqual([{ pointer: '/body/owner', message: 'is not allowed' }]);
  });

  it('every field error is listed at once, each with a pointer', async () => {
    const response = await post(
      '/api/campaigns',
      JSON.stringify({ discount: { type: 'percent', value: 'ten' }, maxRedemptionsPerCoupon: 0 }),
      'application/json',
    );
    const problem = expectProblem(response, 422, 'validation_failed');
    const pointers = (problem.errors ?? []).map((e) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/body/name',
        '/body/discount/value',
        '/body/maxRedemptionsPerCoupon',
      ]),
    );
  });

  it.each([
    ['a form', 'name=x', 'application/x-www-form-urlencoded'],
    ['XML', '<campaign name="x"/>', 'application/xml'],
  ])('%s body is refused with 415 unsupported_media_type', async (_, payload, contentType) => {
    const response = await post('/api/campaigns', payload, contentType);
    expectProblem(response, 415, 'unsupported_media_type');
  });

  it('a plain-text body is refused by the schema with 422 validation_failed', async () => {
    const response = await post('/api/campaigns', 'name=x', 'text/plain');
    expectProblem(response, 422, 'validation_failed');
  });

  it('a body over 1 MiB is refused with 413 payload_too_large', async () => {
    const response = await post(
      '/api/campaigns',
      JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
      'application/json',
    );
    expectProblem(response, 413, 'payload_too_large');
  });

  it('an unknown route answers 404 not_found', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/no-such-thing?x=1' });
    const problem = expectProblem(response, 404, 'not_found');
    expect(problem.detail).toBe('No route for GET /api/no-such-thing');
  });

  it('a known path with an unknown method answers 404 not_found', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: '/api/stores' });
    expectProblem(response, 404, 'not_found');
  });
});

describe('server errors hide their details', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildApp({ config: testConfig(), db: t.db });
    app.get('/api/test/explode', () => {
      throw new Error('secret detail: password=hunter2 at /srv/app.ts:42');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('an unexpected exception answers 500 internal_error without its message or stack', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/test/explode' });
    const problem = expectProblem(response, 500, 'internal_error');
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toContain('app.ts');
    expect(problem).not.toHaveProperty('stack');
    expect(Object.keys(problem).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
  });
});

describe('with the database unreachable', () => {
  let db: Database;
  let app: FastifyInstance;

  beforeAll(async () => {
    db = createDatabase(`postgres://postgres@127.0.0.1:${await closedPort()}/nowhere`, 1);
    app = await buildApp({ config: testConfig(), db });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  it('health answers 503 degraded with the database down', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json<Health>()).toMatchObject({
      status: 'degraded',
      database: { status: 'down', latencyMs: null },
    });
  });

  it('a request that needs the database answers 503 database_unavailable with Retry-After, without the driver’s message', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'someone@example.test', password: 'whatever-password' },
    });
    expectProblem(response, 503, 'database_unavailable');
    expect(response.headers['retry-after']).toBe('2');
    expect(response.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect/);
  });
});

describe('health', () => {
  it('health answers 200 ok with the database ok and its latency', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    const health = response.json<Health>();
    expect(health).toMatchObject({ status: 'ok', database: { status: 'ok' } });
    expect(health.database.latencyMs).toEqual(expect.any(Number));
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
