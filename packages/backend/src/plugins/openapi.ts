// The API describes itself: @fastify/swagger turns every route's schema into OpenAPI 3.1, served
// at /api/openapi.json, with an interactive reference (Scalar, bundled: no CDN) at /api/docs.
// Routes declare their answers with lib/responses.ts. `pnpm openapi` writes docs/openapi.json.
import { ProblemSchema } from '@couponscan/shared/errors';
import { SESSION_COOKIE } from '@couponscan/shared/auth';
import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import packageJson from '../../package.json' with { type: 'json' };
import { PROBLEM_SCHEMA_ID } from '../lib/responses.ts';

/** Every route names one of these in `tags`; the reference groups routes by them. */
export const TAGS = [
  { name: 'auth', description: 'Log in and out; the session cookie' },
  { name: 'stores', description: 'Shops where coupons are redeemed' },
  { name: 'users', description: 'Admins, marketers and staff' },
  { name: 'campaigns', description: 'Offers and their validity' },
  { name: 'coupons', description: 'Issuing, previewing and voiding coupons' },
  { name: 'redemptions', description: 'Redeeming, undoing, and the ledger' },
  { name: 'batches', description: 'Issuing at scale, printable sheets' },
  { name: 'imports', description: 'Existing codes from CSV' },
  { name: 'exports', description: 'CSV exports' },
  { name: 'stats', description: "The marketers' dashboard: figures and the live feed" },
  { name: 'webhooks', description: 'Endpoints that are told of events, and their delivery log' },
  { name: 'operations', description: 'Health, readiness and the API description' },
  { name: 'api-tokens', description: 'Tokens for tills and other programs (Bearer)' },
] as const;
export type Tag = (typeof TAGS)[number]['name'];

export const OPENAPI_PATH = '/api/openapi.json';
export const DOCS_PATH = '/api/docs';

/**
 * A route that reads its body as a stream (a CSV upload) has no `body` schema for Fastify to
 * validate; `documentedBody` describes it for the document only.
 */
function withDocumentedBody<T>(schema: T): T {
  if (typeof schema !== 'object' || schema === null || !('documentedBody' in schema)) return schema;
  const { documentedBody, ...rest } = schema as T & { documentedBody: unknown };
  return { ...rest, body: documentedBody } as T;
}

function operationId(method: string, url: string): string {
  const words = url
    .replace(/^\/api\//, '')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '');
  return [method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join(
    '',
  );
}

export default fp(
  async (app: FastifyInstance) => {
    // Refusals reference one shared component instead of repeating it on every route.
    app.addSchema({ ...ProblemSchema, $id: PROBLEM_SCHEMA_ID, title: PROBLEM_SCHEMA_ID });

    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'couponscan API',
          version: packageJson.version,
          summary: 'Coupons with QR codes: issue them, redeem them once, see what happened.',
          description:
            'Every refusal is an RFC 9457 problem document (`application/problem+json`) with a ' +
            'stable `code`; see docs/errors.md. Flows, idempotency and pagination: docs/api.md.',
          license: { name: 'MIT', identifier: 'MIT' },
        },
        servers: [{ url: '/', description: 'This server' }],
        tags: TAGS.map((tag) => ({ ...tag })),
        components: {
          securitySchemes: {
            session: {
              type: 'apiKey',
              in: 'cookie',
              name: SESSION_COOKIE,
              description: 'Set by POST /api/auth/login (HttpOnly, SameSite=Lax).',
            },
            bearerAuth: {
              type: 'http',
              scheme: 'bearer',
              description:
                'An API token (`cs_live_…`) an admin created with POST /api/api-tokens; it has ' +
                'the role (and store) it was created with. See docs/api.md.',
            },
          },
        },
        security: [{ session: [] }, { bearerAuth: [] }],
      },
      // a stable operationId per route unless it names one: POST /api/redemptions/:id/reversal
      // → postRedemptionsIdReversal (client generators and the reference link by it)
      transform: ({ schema, url, route }) => ({
        schema: {
          ...withDocumentedBody(schema),
          operationId:
            (schema as { operationId?: string } | undefined)?.operationId ??
            operationId(Array.isArray(route.method) ? String(route.method[0]) : route.method, url),
        },
        url,
      }),
      refResolver: {
        // components keep their $id as name (`Problem`), not `def-0`
        buildLocalReference: (json, _baseUri, _fragment, i) =>
          typeof json.$id === 'string' ? json.$id : `def-${i}`,
      },
    });

    app.get(
      OPENAPI_PATH,
      {
        schema: { hide: true },
      },
      (_request, reply) => reply.type('application/json').send(app.swagger()),
    );

    await app.register(scalar, {
      routePrefix: DOCS_PATH,
      configuration: {
        url: OPENAPI_PATH,
        pageTitle: 'couponscan API reference',
        // fonts come from a CDN otherwise; the reference must work offline and under our CSP
        withDefaultFonts: false,
        hideClientButton: true,
        telemetry: false,
      },
    });
  },
  { name: 'openapi', dependencies: ['errors'] },
);
