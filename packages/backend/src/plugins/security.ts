// Security headers. Pages (the scanner, the console, the API reference) get helmet's and a
// Content-Security-Policy they work under: scripts only from this origin (Vite emits no inline
// script), the camera's stream and QR images as blob:/data:, styles inline (React and
// html5-qrcode set them); checked in a real Chromium by packages/scanner/e2e/csp.e2e.test.ts.
// The API's answers (JSON, CSV, PDF, PNG, an event stream) are never a page to run, so they get
// the short set OWASP's REST Security Cheat Sheet gives for APIs: nothing may load or frame them,
// no sniffing, no referrer, not stored by caches unless the route says otherwise.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import fp from 'fastify-plugin';
import { DOCS_PATH } from './openapi.ts';

type Directives = Record<string, string[] | null>;

export function contentSecurityPolicy(extra: Directives = {}): Directives {
  return {
    'default-src': ["'self'"],
    'base-uri': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'media-src': ["'self'", 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'form-action': ["'self'"],
    // a plain-HTTP trial on a LAN must not have its requests rewritten to https
    'upgrade-insecure-requests': null,
    ...extra,
  };
}

function serialise(directives: Directives): string {
  return Object.entries(directives)
    .filter((entry): entry is [string, string[]] => entry[1] !== null)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

/** The hashes of a page's inline scripts, so exactly those may run ('sha256-…'). */
function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (match) =>
      `'sha256-${createHash('sha256')
        .update(match[1] ?? '')
        .digest('base64')}'`,
  );
}

/**
 * The headers helmet sets with `options`, worked out once. Helmet's headers depend on its options
 * only, never on the request, so every answer gets the same object; @fastify/helmet built a new
 * helmet (parsing the CSP again) and set each header on every request.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  // helmet's middlewares read nothing of the request; a failure is thrown, not passed on
  helmet(options)(
    Object.create(null) as IncomingMessage,
    recorder as unknown as ServerResponse,
    () => undefined,
  );
  return Object.fromEntries(headers);
}

/** HSTS for 180 days, only where HTTPS is expected (a Secure cookie means the site is on TLS). */
const HSTS = { maxAge: 180 * 24 * 3600, includeSubDomains: false };

/**
 * The headers of every API answer (OWASP REST Security Cheat Sheet, "Security headers"). A route
 * that may be cached says so itself (QR images); its header replaces `cache-control` here.
 */
export function apiHeaders(https: boolean): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
    ...(https ? { 'strict-transport-security': `max-age=${HSTS.maxAge}` } : {}),
  };
}

/**
 * API paths; the API reference under DOCS_PATH is pages and their scripts. Judged by the route
 * that matched (the router decodes the path, so `/%61pi/…` runs an API route), or by the URL where
 * none did.
 */
function isApi(request: FastifyRequest): boolean {
  const path = request.routeOptions.url ?? request.url;
  return path.startsWith('/api/') && !path.startsWith(`${DOCS_PATH}/`) && path !== DOCS_PATH;
}

export default fp(
  (app: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    const https = app.config.cookieSecure;
    const forPages = Object.freeze(
      helmetHeaders({
        contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy() },
        strictTransportSecurity: https ? HSTS : false,
      }),
    );
    const forApi = Object.freeze(apiHeaders(https));
    app.addHook('onRequest', (request, reply, next) => {
      void reply.headers(isApi(request) ? forApi : forPages);
      next();
    });

    // The API reference's page starts with one inline script: allow exactly that one.
    app.addHook('onSend', (request, reply, payload, next) => {
      if (
        typeof payload === 'string' &&
        request.url.startsWith(`${DOCS_PATH}/`) &&
        String(reply.getHeader('content-type')).startsWith('text/html')
      ) {
        void reply.header(
          'content-security-policy',
          serialise(
            contentSecurityPolicy({ 'script-src': ["'self'", ...inlineScriptHashes(payload)] }),
          ),
        );
      }
      next(null, payload);
    });
    done();
  },
  { name: 'security', dependencies: ['openapi'] },
);
