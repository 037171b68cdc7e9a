// The API describes itself: the generated OpenAPI document is complete, lints clean, is served
// with a reference that works offline, and the committed docs/openapi.json is current.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/config.ts';
import { generateOpenApiDocument, OPENAPI_FILE, serialiseOpenApiDocument } from '../src/openapi.ts';
import { answersNotMatchingSpec, recordedAnswers, type RecordedAnswer } from './helpers/answers.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';

const run = promisify(execFile);

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean; schema?: { pattern?: string } }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

let t: TestApp;
let document: Document;
beforeAll(async () => {
  t = await createTestApp();
  document = (await generateOpenApiDocument()) as Document;
});
afterAll(() => t.close());

const operations = () =>
  Object.entries(document.paths).flatMap(([url, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ url, method, operation })),
  );

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and served at /api/openapi.json as the app generates it', async () => {
    const response = await t.app.inject({ url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual(JSON.parse(JSON.stringify(document)));
    expect(document.openapi).toBe('3.1.0');
  });

  it('docs/openapi.json is current (run `pnpm openapi` after changing a route)', () => {
    const committed = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : '';
    expect(committed === serialiseOpenApiDocument(document), 'docs/openapi.json is stale').toBe(
      true,
    );
  });

  it('lists every API route, each with a tag, a summary, an operationId and a 500 Problem', () => {
    const apiRoutes = t.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((line) => line.includes('/api/'));
    expect(apiRoutes.length).toBeGreaterThan(0);
    const listed = operations();
    expect(listed.length).toBeGreaterThan(25);
    for (const { url, method, operation } of listed) {
      const name = `${method.toUpperCase()} ${url}`;
      expect(operation.tags?.length, `${name} has a tag`).toBe(1);
      expect(operation.summary, `${name} has a summary`).toBeTruthy();
      expect(operation.operationId, `${name} has an operationId`).toBeTruthy();
      expect(
        operation.responses['500']?.content?.['application/problem+json'],
        `${name} declares 500 problem+json`,
      ).toBeDefined();
      const successes = Object.keys(operation.responses).filter((status) => /^2/.test(status));
      expect(successes.length, `${name} declares its success`).toBeGreaterThan(0);
    }
  });

  it('declares the Idempotency-Key header of POST /api/redemptions, required and with its pattern', () => {
    const header = document.paths['/api/redemptions']?.post?.parameters?.find(
      (p) => p.in === 'header' && p.name === 'idempotency-key',
    );
    expect(header).toMatchObject({ required: true, schema: { pattern: expect.any(String) } });
  });

  it('refusals reference one shared Problem component', () => {
    expect(document.components.schemas.Problem).toMatchObject({
      required: expect.arrayContaining(['type', 'title', 'status', 'code']),
    });
    const text = JSON.stringify(document);
    expect(text).toContain('"$ref":"#/components/schemas/Problem"');
  });

  it('docs/openapi.json passes `redocly lint` with the rules in redocly.yaml', async () => {
    const result = await run(
      'pnpm',
      [
        'exec',
        'redocly',
        'lint',
        path.join(repoRoot, 'docs', 'openapi.json'),
        '--config',
        path.join(repoRoot, 'redocly.yaml'),
      ],
      { cwd: path.join(repoRoot, 'packages', 'backend') },
    ).catch((error: unknown) => error as { stdout?: string; stderr?: string; code?: number });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    expect('code' in result ? result.code : 0, output).toBe(0);
    expect(output).toContain('Woohoo! Your API description is valid.');
  });
});

describe('the interactive reference at /api/docs', () => {
  it('is a page that loads its script from this server, never a CDN', async () => {
    const page = await t.app.inject({ url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const sources = [...page.body.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual(['js/scalar.js']);
    expect(page.body).toContain('/api/openapi.json');
    expect(page.body).not.toMatch(/https?:\/\//);
    const script = await t.app.inject({ url: '/api/docs/js/scalar.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
  });
});

describe('the check that answers match the spec', () => {
  const answer = (overrides: Partial<RecordedAnswer>): RecordedAnswer => ({
    method: 'GET',
    route: '/api/health',
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({
      status: 'ok',
      version: '1',
      uptimeSeconds: 1,
      database: { status: 'ok', latencyMs: 1 },
    }),
    ...overrides,
  });

  it('accepts a declared answer', () => {
    expect(answersNotMatchingSpec([answer({})], document)).toEqual([]);
  });

  it('flags a status the route does not declare', () => {
    expect(answersNotMatchingSpec([answer({ status: 418 })], document)).toEqual([
      expect.stringContaining('status not declared'),
    ]);
  });

  it('flags a body that does not match the schema', () => {
    const wrong = answer({ body: JSON.stringify({ status: 'fine' }) });
    expect(answersNotMatchingSpec([wrong], document)).toEqual([
      expect.stringContaining('does not match the schema'),
    ]);
  });

  it('flags a problem whose code the status does not list', () => {
    const problem = answer({
      route: '/api/auth/me',
      status: 401,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'x', title: 'x', status: 401, code: 'forbidden' }),
    });
    expect(answersNotMatchingSpec([problem], document)).toEqual([
      expect.stringContaining('does not match the schema'),
    ]);
  });

  it('flags a content type the status does not declare', () => {
    expect(answersNotMatchingSpec([answer({ contentType: 'text/csv' })], document)).toEqual([
      expect.stringContaining('content type text/csv not declared'),
    ]);
  });

  it('records the answers the tests receive', async () => {
    const before = recordedAnswers().length;
    await t.app.inject({ url: '/api/auth/me' });
    expect(recordedAnswers().slice(before)).toEqual([
      expect.objectContaining({ method: 'GET', route: '/api/auth/me', status: 401 }),
    ]);
  });
});
