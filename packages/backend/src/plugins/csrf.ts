// Cross-site request forgery: a change to state must come from the app itself.
// SameSite=Lax alone let a cross-site `text/plain` form post ride the session cookie. Browsers
// say where a request comes from (Sec-Fetch-Site, Origin); a request that says "another site"
// is refused whatever its content type. A request that says nothing did not come from a
// browser (every browser in use sends Origin on a cross-origin POST), so it carries no ambient
// cookie risk. The same rule as Go's http.CrossOriginProtection:
// https://words.filippo.io/csrf/ and
// https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PROBLEM_CONTENT_TYPE, type ErrorCode } from '@couponscan/shared/errors';
import { problemResponse, type ProblemResponse } from '../lib/responses.ts';
import { HttpProblem } from '../lib/http-problem.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether `origin` names the host the request was sent to (default ports folded). */
function isOwnHost(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    return url.host === new URL(`${url.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/** Whether a state-changing request may proceed; `publicOrigins` are the app's own origins. */
export function comesFromTheApp(
  request: FastifyRequest,
  publicOrigins: readonly string[],
): boolean {
  // An API token (Authorization header) is never sent by a browser on its own, and without a
  // cookie there is no ambient credential to forge with. With a cookie as well the request is
  // judged like any other: a header must never switch off the check for a cookie.
  if (request.headers.authorization !== undefined && request.headers.cookie === undefined) {
    return true;
  }
  const origin = request.headers.origin;
  if (origin !== undefined && publicOrigins.includes(origin)) return true;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  if (origin === undefined) return true;
  // served from the same host (STATIC_DIR, or a dev proxy that keeps the Host header)
  return isOwnHost(origin, request.host);
}

type Responses = Record<string, unknown>;

/** Declares 403 cross_site_request on a route, next to the 403 codes it has (OpenAPI). */
function declareCrossSiteRefusal(responses: Responses | undefined): Responses {
  const declared = responses?.['403'] ?? responses?.[403];
  const codes = new Set<ErrorCode>(['cross_site_request']);
  const schema = (declared as ProblemResponse | undefined)?.content[PROBLEM_CONTENT_TYPE].schema as
    { properties?: { code?: { enum?: ErrorCode[] } } } | undefined;
  for (const code of schema?.properties?.code?.enum ?? []) codes.add(code);
  const merged = { ...responses };
  delete merged[403];
  merged['403'] = problemResponse(403, [...codes], 'Refused by role, store or origin');
  return merged;
}

export default fp(
  (app: FastifyInstance) => {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!route.url.startsWith('/api/') || methods.every((m) => SAFE_METHODS.has(m))) return;
      const schema = (route.schema ?? {}) as { response?: Responses; hide?: boolean };
      if (schema.hide === true) return;
      route.schema = { ...schema, response: declareCrossSiteRefusal(schema.response) };
    });

    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method) || !request.url.startsWith('/api/')) return;
      if (!comesFromTheApp(request, app.config.publicOrigins)) {
        throw new HttpProblem(
          403,
          'cross_site_request',
          'This request came from another site. Use the couponscan app.',
        );
      }
      return Promise.resolve();
    });
  },
  { name: 'csrf', dependencies: ['errors'] },
);
