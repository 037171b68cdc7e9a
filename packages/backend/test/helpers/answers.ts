// The spec cannot lie: every answer a test receives from an app built by createTestApp is
// recorded, and after each test file (test/setup/answers-match-spec.ts) checked against the
// OpenAPI document that app generates: the status must be declared for the route, the content
// type declared for that status, and a JSON body must validate against its schema.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

export interface RecordedAnswer {
  method: string;
  /** The route as declared, e.g. `/api/coupons/:code` */
  route: string;
  status: number;
  contentType: string;
  /** The serialised body when it was text; null for streams and buffers. */
  body: string | null;
}

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation>>;
}

const recorded: RecordedAnswer[] = [];
let spec: OpenApiDocument | null = null;

/** Records every answer `app` sends; call before `app.ready()`. */
export function recordAnswers(app: FastifyInstance): void {
  app.addHook('onReady', function () {
    spec ??= app.swagger() as OpenApiDocument;
    return Promise.resolve();
  });
  app.addHook('onSend', (request, reply, payload) => {
    const route = request.routeOptions.url;
    // unknown routes (the not-found handler) have no declaration to check
    if (route !== undefined && request.method !== 'HEAD') {
      recorded.push({
        method: request.method,
        route,
        status: reply.statusCode,
        contentType:
          String(reply.getHeader('content-type') ?? '')
            .split(';')[0]
            ?.trim()
            .toLowerCase() ?? '',
        body: typeof payload === 'string' ? payload : null,
      });
    }
    return Promise.resolve(payload);
  });
}

export function recordedAnswers(): readonly RecordedAnswer[] {
  return recorded;
}

function openApiPath(route: string): string {
  return route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pointer(...segments: string[]): string {
  return segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

/** Every way the recorded answers differ from the spec; empty when they all match. */
export function answersNotMatchingSpec(
  answers: readonly RecordedAnswer[] = recorded,
  document: OpenApiDocument | null = spec,
): string[] {
  if (document === null || answers.length === 0) return [];
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, 'openapi.json');
  const validators = new Map<string, ValidateFunction>();
  const mismatches = new Set<string>();

  for (const answer of answers) {
    const path = openApiPath(answer.route);
    const method = answer.method.toLowerCase();
    const operation: OpenApiOperation | undefined = document.paths?.[path]?.[method];
    const where = `${answer.method} ${answer.route} → ${answer.status}`;
    if (operation === undefined) {
      // routes hidden from the spec (the spec itself, the reference) are not part of the API
      continue;
    }
    const statusKey = [String(answer.status), `${String(answer.status)[0]}XX`, 'default'].find(
      (key) => operation.responses?.[key] !== undefined,
    );
    if (statusKey === undefined) {
      mismatches.add(`${where}: status not declared`);
      continue;
    }
    const content = operation.responses?.[statusKey]?.content;
    if (content === undefined) {
      if (answer.body !== null && answer.body !== '')
        mismatches.add(`${where}: declared without a body, but sent one`);
      continue;
    }
    if (content[answer.contentType] === undefined) {
      mismatches.add(
        `${where}: content type ${answer.contentType || '(none)'} not declared (declared: ${Object.keys(content).join(', ')})`,
      );
      continue;
    }
    if (!/json$/.test(answer.contentType) || answer.body === null) continue;
    const ref = `openapi.json#/${pointer('paths', path, method, 'responses', statusKey, 'content', answer.contentType, 'schema')}`;
    let validate = validators.get(ref);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: ref });
      validators.set(ref, validate);
    }
    if (!validate(JSON.parse(answer.body))) {
      const errors = (validate.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
        .join('; ');
      mismatches.add(
        `${where}: body does not match the schema (${errors}): ${answer.body.slice(0, 300)}`,
      );
    }
  }
  return [...mismatches];
}
