// Every operation of the OpenAPI document, fuzzed over real HTTP: path parameters, query strings,
// headers and bodies drawn from the operation's own schemas with hostile values mixed in (NUL
// bytes, broken percent-encoding, SQL and HTML injection, huge and non-finite numbers, lone
// surrogates), and whole bodies that are huge, binary, deeply nested or of the wrong content
// type, as every role and as nobody. Every answer must be below 500; every refusal must be
// problem+json with its status and a `code`, and carry no stack trace; a refused request must
// change nothing stored (row triggers on every table record each committed change). Successes
// are checked against the document by test/setup/answers-match-spec.ts, like every test's.
//
// The operations come from the document the app generates, so new routes are fuzzed without any
// change here. The seed is printed; replay with FUZZ_SEED=<seed>; FUZZ_RUNS sets the requests
// per operation (default 30).
import { PROBLEM_CONTENT_TYPE } from '@couponscan/shared/errors';
import http from 'node:http';
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApiDocument } from '../src/openapi.ts';
import { createTestApp, listen, type TestApp } from './helpers/app.ts';
import { loggedIn, makeCoupon, makeStore, makeUser, type ApiClient } from './helpers/factories.ts';

const SEED =
  process.env.FUZZ_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED);
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
}
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

// the operations as the app declares them (the same document docs/openapi.json holds)
const document = (await generateOpenApiDocument()) as Document;
const OPERATIONS = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    name: `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    path,
    operation,
  })),
);

// ---------------------------------------------------------------------------------------------
// Hostile values

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '\uD800',
  '\uFEFF',
  '\u202Eevil',
  "' OR '1'='1",
  "'; drop table coupons; --",
  '" OR ""="',
  '1; select pg_sleep(10)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '=HYPERLINK("https://evil.example","x")',
  '+1+1',
  '-1+1',
  '@SUM(A1)',
  '\t=1',
  '\r=1',
  '../../../../etc/passwd',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  'null',
  'true',
  '1e309',
  'Infinity',
  '-Infinity',
  'NaN',
  '-0',
  '0x10',
  '9'.repeat(400),
  '2026-12-31T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '😀'.repeat(100),
  'A'.repeat(5000),
  'x'.repeat(70_000),
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      -1,
      0,
      -0,
      2 ** 31,
      2 ** 53 + 1,
      1e308,
      -1e308,
      Number.MIN_VALUE,
      0.5,
      null,
      true,
      [],
      {},
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

// ---------------------------------------------------------------------------------------------
// Values drawn from a schema, some of their leaves hostile

/** Ids of things that exist, so that fuzzed requests reach past "not found". */
const realIds: string[] = [];
const realCodes: string[] = [];

/** A value of `schema`; with `hostile`, some of its leaves are hostile instead. */
function validValue(schema: Schema, depth = 0, hostile = false): fc.Arbitrary<unknown> {
  const child = (s: Schema, d: number) => (hostile ? value(s, d) : validValue(s, d));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined && alternatives.length > 0)
    return fc.oneof(...alternatives.map((s) => child(s, depth)));
  if (schema.allOf !== undefined && schema.allOf.length > 0)
    return child(schema.allOf[schema.allOf.length - 1] ?? {}, depth);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = schema.properties ?? {};
      if (depth > 4 || Object.keys(properties).length === 0) return fc.constant({});
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties))
        record[name] = child(property, depth + 1);
      return fc.record(record, { requiredKeys: schema.required ?? [] });
    }
    case 'array':
      return fc.array(child(schema.items ?? {}, depth + 1), {
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -1000, -(2 ** 31)),
        max: Math.min(schema.maximum ?? 1000, 2 ** 31 - 1),
      });
    case 'number':
      return fc.double({
        min: schema.exclusiveMinimum ?? schema.minimum ?? -1000,
        max: schema.maximum ?? 1000,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string': {
      if (schema.format === 'uuid')
        return fc.oneof(fc.constantFrom(...realIds), fc.uuid({ version: [4, 7] }));
      if (schema.format === 'date-time')
        return fc
          .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
          .map((d) => d.toISOString());
      if (schema.format === 'email') return fc.emailAddress();
      if (schema.pattern !== undefined) {
        try {
          return fc.stringMatching(new RegExp(schema.pattern), { size: 'xsmall' });
        } catch {
          // a pattern fast-check cannot draw from: any short string
        }
      }
      return fc.string({
        minLength: Math.min(schema.minLength ?? 0, 20),
        maxLength: Math.min(schema.maxLength ?? 30, 30),
      });
    }
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** A value for `schema`: mostly valid, sometimes hostile. */
function value(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 8, arbitrary: validValue(schema, depth, true) },
    { weight: 1, arbitrary: hostileValue },
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

type Actor = 'nobody' | 'staff' | 'marketer' | 'admin';
const ACTORS: Actor[] = ['nobody', 'staff', 'marketer', 'admin'];

interface FuzzRequest {
  actor: Actor;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** Percent-encodes; a lone surrogate (which has no UTF-8) becomes its WTF-8 bytes, also hostile. */
function encode(raw: unknown): string {
  const text = String(raw);
  try {
    return encodeURIComponent(text);
  } catch {
    return `${encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, ''))}%ED%A0%80`;
  }
}

/** A path segment: a real id or code, a value of its schema, or a hostile one, perhaps raw. */
function pathSegment(schema: Schema): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...realIds, ...realCodes) },
    { weight: 2, arbitrary: validValue(schema).map(encode) },
    { weight: 2, arbitrary: hostileString.map(encode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%00', '%E0%A4%A', '%', '%zz', '..', '%2e%2e%2f', 'a%2Fb', ';x=1'),
    },
  );
}

function queryString(parameters: Parameter[]): fc.Arbitrary<string> {
  const known = parameters.filter((p) => p.in === 'query');
  const pairs = fc.array(
    fc.oneof(
      ...(known.length === 0
        ? [fc.constant<[string, string]>(['x', '1'])]
        : known.map((p) =>
            fc
              .oneof(value(p.schema ?? {}), hostileValue)
              .map((v): [string, string] => [
                p.name,
                encode(typeof v === 'string' ? v : JSON.stringify(v)),
              ]),
          )),
      hostileString.map((v): [string, string] => [encode(v), encode(v)]),
      fc.constantFrom<[string, string]>(
        ['limit', '1e309'],
        ['cursor', '%00'],
        ['a', '%E0%A4%A'],
        ['__proto__', 'x'],
        ['limit[]', '1'],
      ),
    ),
    { maxLength: 4 },
  );
  return pairs.map((list) =>
    list.length === 0 ? '' : `?${list.map(([k, v]) => `${k}=${v}`).join('&')}`,
  );
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '*/*',
  'application/problem+json',
  'application/json, text/plain',
];

function deeplyNested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** The body: the operation's own shape with hostile leaves, or something else entirely. */
function requestBody(
  operation: Operation,
): fc.Arbitrary<{ type: string | null; body: Buffer | null }> {
  const content = operation.requestBody?.content ?? {};
  const declared = Object.entries(content);
  const json = (v: unknown) => Buffer.from((JSON.stringify(v) as string | undefined) ?? 'null');
  const shaped = declared.map(([type, { schema }]) =>
    type.includes('json')
      ? value(schema ?? {}).map((v) => ({ type, body: json(v) }))
      : fc
          .array(
            fc.oneof(fc.constantFrom('code', 'ABCD-EFGH', '=1+1', '"unterminated'), hostileString),
            {
              maxLength: 5,
            },
          )
          .map((lines) => ({ type, body: Buffer.from(lines.join('\n')) })),
  );
  const anyType = fc.oneof(fc.constantFrom(...CONTENT_TYPES), fc.constant(null));
  return fc.oneof(
    ...(shaped.length === 0 ? [] : shaped.map((arbitrary) => ({ weight: 6, arbitrary }))),
    { weight: 1, arbitrary: fc.constant({ type: null, body: null }) },
    {
      weight: 1,
      arbitrary: fc.record({ type: anyType, body: fc.jsonValue({ maxDepth: 3 }).map(json) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: anyType,
        body: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: anyType,
        body: fc
          .constantFrom(
            deeplyNested(5000),
            `{"a":${deeplyNested(100_000)}}`,
            'x'.repeat(1024 * 1024 + 10),
            JSON.stringify({ code: 'A'.repeat(2 * 1024 * 1024) }),
            '{"__proto__":{"admin":true}}',
            '{"constructor":{"prototype":{"admin":true}}}',
            '{"code": "\\u0000"}',
            '{',
            '',
            'null',
            '\u0000',
          )
          .map((text) => Buffer.from(text)),
      }),
    },
  );
}

function headers(operation: Operation): fc.Arbitrary<Record<string, string>> {
  const declared = (operation.parameters ?? []).filter((p) => p.in === 'header');
  const entries: fc.Arbitrary<[string, string]>[] = [
    ...declared.map((p) =>
      fc
        .oneof(
          validValue(p.schema ?? {}).map(String),
          fc.constantFrom('', 'short', 'x'.repeat(300), 'ä-not-ascii-ä', ' spaced key '),
        )
        .map((v): [string, string] => [p.name, v]),
    ),
    fc.constantFrom<[string, string]>(
      ['origin', 'https://evil.example'],
      ['origin', 'null'],
      ['sec-fetch-site', 'cross-site'],
      ['sec-fetch-site', 'same-origin'],
      ['authorization', 'Bearer not-a-token'],
      ['authorization', 'Basic YWRtaW46YWRtaW4='],
      ['x-forwarded-for', '1.2.3.4'],
      ['accept', 'text/html'],
      ['accept-encoding', 'gzip, br'],
      ['content-encoding', 'gzip'],
      ['x-http-method-override', 'DELETE'],
    ),
  ];
  return fc
    .array(fc.oneof(...entries), { maxLength: 3 })
    .map((list) =>
      Object.fromEntries(
        list.map(([name, v]) => [name, v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')]),
      ),
    );
}

/** A request the schemas accept, by a signed-in role, aimed at things that exist. */
function wellFormedRequest(
  method: string,
  path: string,
  operation: Operation,
): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.parameters ?? [];
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
  const segments = fc.tuple(
    ...names.map((name) => fc.constantFrom(...(name === 'code' ? realCodes : realIds)).map(encode)),
  );
  const query = parameters.filter((p) => p.in === 'query');
  const queryRecord: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of query) queryRecord[p.name] = validValue(p.schema ?? {});
  const headerRecord: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of parameters.filter((p) => p.in === 'header'))
    headerRecord[p.name] = validValue(p.schema ?? {});
  const declared = Object.entries(operation.requestBody?.content ?? {});
  const body =
    declared.length === 0
      ? fc.constant({ type: null, body: null })
      : fc.oneof(
          ...declared.map(([type, { schema }]) =>
            type.includes('json')
              ? validValue(schema ?? {}).map((v) => ({
                  type,
                  body: Buffer.from(JSON.stringify(v)),
                }))
              : fc
                  .array(fc.stringMatching(/^[A-Z0-9]{6,12}$/), { maxLength: 5 })
                  .map((codes) => ({ type, body: Buffer.from(['code', ...codes].join('\n')) })),
          ),
        );
  return fc
    .record({
      // admins may do the most, so they reach furthest past the role check
      actor: fc.constantFrom<Actor>('staff', 'marketer', 'marketer', 'admin', 'admin'),
      segments,
      query: fc.record(queryRecord, {
        requiredKeys: query.filter((p) => p.required === true).map((p) => p.name),
      }),
      headers: fc.record(headerRecord),
      body,
    })
    .map(({ actor, segments: values, query: q, headers: h, body: b }) => {
      let i = 0;
      const pairs = Object.entries(q).map(([k, v]) => `${k}=${encode(v)}`);
      const url =
        path.replace(/\{[^}]+\}/g, () => values[i++] ?? '') +
        (pairs.length === 0 ? '' : `?${pairs.join('&')}`);
      const all: Record<string, string> = Object.fromEntries(
        Object.entries(h).map(([k, v]) => [k, String(v)]),
      );
      if (b.type !== null) all['content-type'] = b.type;
      all.__cookie = 'session';
      return { actor, method, url, headers: all, body: b.body };
    });
}

function fuzzRequest(
  method: string,
  path: string,
  operation: Operation,
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    wellFormedRequest(method, path, operation),
    hostileRequest(method, path, operation),
    hostileRequest(method, path, operation),
  );
}

/** Anything: hostile path parameters, queries, headers, bodies, content types and cookies. */
function hostileRequest(
  method: string,
  path: string,
  operation: Operation,
): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.parameters ?? [];
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
  const segments = fc.tuple(
    ...names.map((name) => pathSegment(parameters.find((p) => p.name === name)?.schema ?? {})),
  );
  return fc
    .record({
      actor: fc.constantFrom(...ACTORS),
      segments,
      query: queryString(parameters),
      headers: headers(operation),
      body: requestBody(operation),
      cookie: fc.constantFrom('session', 'session', 'session', 'session', 'mangled', 'nul'),
    })
    .map(({ actor, segments: values, query, headers: extra, body, cookie }) => {
      let i = 0;
      const url = path.replace(/\{[^}]+\}/g, () => values[i++] ?? '') + query;
      const all: Record<string, string> = { ...extra };
      if (body.type !== null) all['content-type'] = body.type;
      all.__cookie = cookie;
      return { actor, method, url, headers: all, body: body.body };
    });
}

// ---------------------------------------------------------------------------------------------
// The app, over real HTTP

let t: TestApp;
let base: URL;
const sessions = new Map<Actor, ApiClient>();
const emails = new Map<Actor, string>();
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
/** How many answers of each status class, printed at the end: the fuzzer reaches past 4xx. */
const answered = new Map<string, number>();

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(request: FuzzRequest, cookie: string | null): Promise<Answer> {
  const headers: Record<string, string> = { ...request.headers };
  delete headers.__cookie;
  if (cookie !== null) headers.cookie = cookie;
  if (request.body !== null) headers['content-length'] = String(request.body.length);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.url,
        headers,
        agent,
        timeout: 20_000,
      },
      (response) => {
        const contentType = response.headers['content-type'] ?? '';
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          resolve({
            status: response.statusCode ?? 0,
            contentType,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        };
        // an event stream never ends: its head is the answer
        if (contentType.startsWith('text/event-stream')) {
          response.destroy();
          done();
          return;
        }
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= 256 * 1024) chunks.push(chunk);
        });
        response.on('end', done);
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => {
      outgoing.destroy(new Error(`no answer within 20 s: ${request.method} ${request.url}`));
    });
    // a server that answers 413 before reading the whole body may close the socket under us
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') return;
      reject(error);
    });
    outgoing.end(request.body ?? undefined);
  });
}

async function login(actor: Actor): Promise<void> {
  const email = emails.get(actor);
  if (email !== undefined) sessions.set(actor, await loggedIn(t.app, email));
}

function cookieFor(request: FuzzRequest): string | null {
  const session = sessions.get(request.actor)?.cookie;
  if (session === undefined) return null;
  switch (request.headers.__cookie) {
    case 'mangled':
      return `${session}x; couponscan_session=; =; a=${'b'.repeat(100)}`;
    case 'nul':
      return `${session.slice(0, -2)}%00`;
    default:
      return session;
  }
}

/** Records every committed row change, so that a refused request can be shown to change nothing. */
async function watchEveryTable(): Promise<void> {
  await sql`
    create table fuzz_changes (id bigserial primary key, relation text not null, op text not null);
    create function fuzz_note_change() returns trigger language plpgsql as $fn$
    begin
      insert into fuzz_changes (relation, op) values (tg_table_schema || '.' || tg_table_name, tg_op);
      return null;
    end $fn$;
    do $do$
    declare r record;
    begin
      for r in
        select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relkind in ('r', 'p') and not c.relispartition
           -- ours, and the job queue's jobs (not its own bookkeeping, which its timers update)
           and ((n.nspname = 'public' and c.relname <> 'fuzz_changes')
                or (n.nspname = 'pgboss' and c.relname = 'job'))
      loop
        execute format(
          'create trigger fuzz_note after insert or update or delete on %I.%I
             for each row execute function fuzz_note_change()', r.nspname, r.relname);
      end loop;
    end $do$;
  `.execute(t.db);
}

async function lastChange(): Promise<number> {
  const { rows } = await sql<{
    id: string | null;
  }>`select max(id)::text as id from fuzz_changes`.execute(t.db);
  return Number(rows[0]?.id ?? 0);
}

async function changesSince(id: number): Promise<string[]> {
  const { rows } = await sql<{ change: string }>`
    select op || ' ' || relation as change from fuzz_changes where id > ${id} order by id`.execute(
    t.db,
  );
  return rows.map((row) => row.change);
}

/** What a refusal may still write: the audit trail of a redemption attempt or a look-up. */
function allowedOnRefusal(method: string, path: string): Set<string> {
  if (method === 'POST' && path === '/api/redemptions')
    return new Set([
      'INSERT public.scans',
      'INSERT public.idempotency_keys',
      'UPDATE public.idempotency_keys',
    ]);
  if (method === 'GET' && path === '/api/coupons/{code}') return new Set(['INSERT public.scans']);
  return new Set();
}

beforeAll(async () => {
  // Not logged into the suite's secret check: the fuzzer puts real coupon codes where ids go
  // (/api/users/<code>), and no server can tell such a misplaced code from an id in its logs.
  t = await createTestApp({ logger: false });
  base = new URL(await listen(t.app));
  // things to aim at: none of them is one of the acting users, so no request locks them out
  const store = await makeStore(t.db);
  const { campaign, coupon } = await makeCoupon(t.db, { maxRedemptionsPerCoupon: 3 });
  const victim = await makeUser(t.db, 'staff', { storeId: store.id });
  realIds.push(store.id, campaign.id, coupon.id, victim.id);
  realCodes.push(coupon.code, encodeURIComponent(coupon.code.slice(0, 8)));
  for (const role of ['staff', 'marketer', 'admin'] as const) {
    const user = await makeUser(t.db, role, role === 'staff' ? { storeId: store.id } : {});
    emails.set(role, user.email);
    await login(role);
  }
  const redemption = await sessions.get('staff')?.redeem(coupon.code);
  const id = (redemption?.body as { redemption?: { id?: string } } | undefined)?.redemption?.id;
  if (id !== undefined) realIds.push(id);
  const batch = await sessions
    .get('marketer')
    ?.request('POST', `/api/campaigns/${campaign.id}/batches`, { count: 5 });
  const batchId = (batch?.body as { id?: string } | undefined)?.id;
  if (batchId !== undefined) realIds.push(batchId);
  await watchEveryTable();
  process.stdout.write(
    `route fuzzer: fast-check seed ${SEED}, ${RUNS} requests per operation (replay with FUZZ_SEED=${SEED})\n`,
  );
});
afterAll(async () => {
  process.stdout.write(
    `route fuzzer answers: ${[...answered]
      .sort()
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ')}\n`,
  );
  agent.destroy();
  await t.close();
});

const STACK_TRACE = /\n\s+at |node_modules|\.[cm]?[jt]s:\d+:\d+|\b(Type|Reference|Syntax)Error\b/;

describe('fuzzing every operation of the OpenAPI document', () => {
  it('lists the operations it fuzzes', () => {
    expect(OPERATIONS.length).toBeGreaterThan(30);
  });

  it.each(OPERATIONS.map((o, index) => [o.name, o, index] as const))(
    '%s: no 5xx, refusals are problem+json without a stack, and a refusal changes nothing',
    async (_name, { method, path, operation }, index) => {
      await fc.assert(
        fc.asyncProperty(fuzzRequest(method, path, operation), async (request) => {
          const before = await lastChange();
          const answer = await send(request, cookieFor(request));
          const changes = await changesSince(before);
          answered.set(String(answer.status), (answered.get(String(answer.status)) ?? 0) + 1);
          const where = `${request.actor} ${request.method} ${request.url.slice(0, 200)}`;

          expect(answer.status, `${where}: ${answer.body.slice(0, 500)}`).toBeLessThan(500);
          expect(answer.body, `${where}: a stack trace`).not.toMatch(STACK_TRACE);
          if (answer.status >= 400) {
            expect(answer.contentType, where).toContain(PROBLEM_CONTENT_TYPE);
            const problem = JSON.parse(answer.body) as { status?: number; code?: unknown };
            expect(problem.status, where).toBe(answer.status);
            expect(typeof problem.code, where).toBe('string');
            const allowed = allowedOnRefusal(method, path);
            expect(
              changes.filter((change) => !allowed.has(change)),
              `${where}: a refused request changed stored data`,
            ).toEqual([]);
          }
          // logging out ends the actor's session: log in again for the next request
          if (path === '/api/auth/logout' && answer.status < 400) await login(request.actor);
        }),
        { seed: SEED + index, numRuns: RUNS },
      );
    },
    120_000,
  );
});
