// Security headers (@fastify/helmet) and a Content-Security-Policy the scanner, the console and
// the API reference work under: scripts only from this origin (Vite emits no inline script), the
// camera's stream and QR images as blob:/data:, styles inline (React and html5-qrcode set
// them). Checked in a real Chromium by packages/scanner/e2e/csp.e2e.test.ts.
import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
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

export default fp(
  async (app: FastifyInstance) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy() },
      // HSTS only where HTTPS is expected (a Secure cookie means the site is served over TLS)
      strictTransportSecurity: app.config.cookieSecure
        ? { maxAge: 180 * 24 * 3600, includeSubDomains: false }
        : false,
    });

    // The API reference's page starts with one inline script: allow exactly that one.
    app.addHook('onSend', (request, reply, payload) => {
      if (
        request.url.startsWith(`${DOCS_PATH}/`) &&
        typeof payload === 'string' &&
        String(reply.getHeader('content-type')).startsWith('text/html')
      ) {
        void reply.header(
          'content-security-policy',
          serialise(
            contentSecurityPolicy({ 'script-src': ["'self'", ...inlineScriptHashes(payload)] }),
          ),
        );
      }
      return Promise.resolve(payload);
    });
  },
  { name: 'security', dependencies: ['openapi'] },
);
