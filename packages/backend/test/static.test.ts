// The built scanner served from STATIC_DIR: its files and client-side routes, but never a source
// map, however the path is spelled (the scanner's build keeps hidden maps on disk for error
// trackers; the backend's own map sits next to dist/server.js, outside STATIC_DIR).
import { PROBLEM_CONTENT_TYPE } from '@couponscan/shared/errors';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';

const MAP_CONTENT = '{"version":3,"sources":["../src/secret-source.tsx"],"mappings":"AAAA"}';

let t: TestApp;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'couponscan-static-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>couponscan</title>');
  fs.writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1);\n');
  fs.writeFileSync(path.join(root, 'assets', 'app.js.map'), MAP_CONTENT);
  fs.writeFileSync(path.join(root, 'assets', 'style.css.MAP'), MAP_CONTENT);
  t = await createTestApp({ config: { staticDir: root } });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the scanner app from STATIC_DIR', () => {
  it('serves its files and answers client-side routes with index.html', async () => {
    expect((await t.app.inject({ url: '/assets/app.js' })).statusCode).toBe(200);
    const link = await t.app.inject({ url: '/c/SOMECODE' });
    expect(link.statusCode).toBe(200);
    expect(link.body).toContain('<title>couponscan</title>');
  });

  it.each([
    ['GET', '/assets/app.js.map'],
    ['HEAD', '/assets/app.js.map'],
    ['GET', '/assets/app.js.map?v=1'],
    ['GET', '/assets/style.css.MAP'],
    ['GET', '/assets/app.js%2Emap'],
    ['GET', '/assets//app.js.map'],
    ['GET', '/assets/./app.js.map'],
    ['GET', '/./assets/app.js.map'],
    ['GET', '/assets/APP.JS.MAP'],
  ] as const)('never serves a source map: %s %s', async (method, url) => {
    const response = await t.app.inject({ method, url });
    expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.body).not.toContain('"mappings"');
    if (method === 'GET') expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  });
});
