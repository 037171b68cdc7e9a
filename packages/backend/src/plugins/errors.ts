// One error model: every failure leaves as RFC 9457 problem+json with a stable `code` from
// @couponscan/shared/errors. 5xx answers never carry details; they are logged instead.
import path from 'node:path';
import '@fastify/static';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, type FieldError } from '@couponscan/shared/errors';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { databaseFailure } from '../db/failures.ts';
import { HttpProblem, problemBody, sendProblem } from '../lib/http-problem.ts';
import { apiHeaders } from './security.ts';

/** Seconds a client should wait before retrying a 503 (the Retry-After header). */
export const RETRY_AFTER_SECONDS = { unavailable: 2, busy: 1 } as const;

type Issue = NonNullable<FastifyError['validation']>[number];

/**
 * Ajv reports a failed union (`anyOf`) as each alternative's failure and then "must match a schema
 * in anyOf", all for one value. Keep what tells the caller something: the failures of an
 * alternative the value had the right type for ("must be > 0"), or else one line naming the
 * alternatives ("must be number or null", "must be one of: "percent", "fixed_amount"").
 */
function summariseUnions(issues: readonly Issue[]): Issue[] {
  const unions = issues.filter((issue) => issue.keyword === 'anyOf');
  if (unions.length === 0) return [...issues];
  const inUnion = new Set<Issue>();
  const summaries = new Map<Issue, Issue[]>();
  for (const union of unions) {
    const branches = issues.filter((issue) => issue.schemaPath.startsWith(`${union.schemaPath}/`));
    for (const branch of branches) inUnion.add(branch);
    const telling = branches.filter(
      (branch) => branch.keyword !== 'type' && branch.keyword !== 'const',
    );
    if (telling.length > 0) {
      summaries.set(union, telling);
      continue;
    }
    const types = branches.filter((b) => b.keyword === 'type').map((b) => String(b.params.type));
    const constants = branches
      .filter((b) => b.keyword === 'const')
      .map((b) => JSON.stringify(b.params.allowedValue));
    const message =
      types.length > 0 && constants.length === 0
        ? `must be ${types.join(' or ')}`
        : constants.length > 0 && types.length === 0
          ? `must be one of: ${constants.join(', ')}`
          : union.message;
    summaries.set(union, [{ ...union, message }]);
  }
  return issues.flatMap((issue) => summaries.get(issue) ?? (inUnion.has(issue) ? [] : [issue]));
}

function validationErrors(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body';
  return summariseUnions(error.validation ?? []).map((issue) => {
    const missing =
      issue.keyword === 'required' && typeof issue.params.missingProperty === 'string'
        ? `/${issue.params.missingProperty}`
        : '';
    const extra =
      issue.keyword === 'additionalProperties' &&
      typeof issue.params.additionalProperty === 'string'
        ? `/${issue.params.additionalProperty}`
        : '';
    return {
      pointer: `/${context}${issue.instancePath}${missing}${extra}`,
      message:
        issue.keyword === 'additionalProperties'
          ? 'is not allowed'
          : (issue.message ?? 'is invalid'),
    };
  });
}

/** The API's security headers (plugins/security.ts) without HSTS, which needs the config. */
const API_ERROR_HEADERS = Object.freeze(apiHeaders(false));
const API_ERROR_HEADER_LINES = Object.entries(API_ERROR_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/** The router's own errors (a path with broken percent-encoding): 400 malformed_request. */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  // answered before any hook ran: the API's security headers are set here (HSTS comes with the
  // next proper answer)
  void sendProblem(
    reply.headers(API_ERROR_HEADERS),
    problemBody(400, 'malformed_request', error.message),
  );
}

/**
 * Errors of Node's HTTP parser, before Fastify sees a request: headers too large (431) or a
 * malformed request (400). Written by hand on the socket, as problem+json, then closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge
      ? problemBody(431, 'header_too_large', 'The request headers are too large.')
      : problemBody(400, 'malformed_request', 'The request is not valid HTTP.'),
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      API_ERROR_HEADER_LINES +
      `Connection: close\r\n\r\n${body}`,
  );
}

/** Whether the request lacks a header its route's schema requires. */
function isMissingHeader(error: FastifyError, header: string): boolean {
  return (
    error.validationContext === 'headers' &&
    (error.validation ?? []).some(
      (issue) => issue.keyword === 'required' && issue.params.missingProperty === header,
    )
  );
}

export default fp(
  (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
      if (error instanceof HttpProblem) {
        return sendProblem(
          reply,
          problemBody(error.status, error.code, error.detail, error.extensions, error.errors),
        );
      }
      if (error.validation !== undefined) {
        const errors = validationErrors(error);
        if (isMissingHeader(error, 'idempotency-key')) {
          return sendProblem(
            reply,
            problemBody(
              400,
              'idempotency_key_required',
              'Send an Idempotency-Key header (a new UUID per attempt, the same on every retry of it).',
              {},
              errors,
            ),
          );
        }
        const detail = errors.map((e) => `${e.pointer} ${e.message}`).join('; ');
        return sendProblem(reply, problemBody(422, 'validation_failed', detail, {}, errors));
      }
      const status = error.statusCode ?? 500;
      if (status === 429) {
        return sendProblem(
          reply,
          problemBody(429, 'rate_limited', 'Please wait a moment and try again.'),
        );
      }
      if (status === 413)
        return sendProblem(reply, problemBody(413, 'payload_too_large', error.message));
      if (status === 415) {
        return sendProblem(reply, problemBody(415, 'unsupported_media_type', error.message));
      }
      if (status >= 400 && status < 500) {
        // Fastify's own client errors: malformed JSON, empty body with a JSON content type …
        return sendProblem(reply, problemBody(400, 'malformed_request', error.message));
      }
      // The last line behind the schemas: a value PostgreSQL refuses as data (class 22: NUL in
      // text 22021, out-of-range times 22008, bad numbers 22003, bad uuids 22P02) is the
      // client's mistake, not a server error. Logged, since a schema should have caught it.
      const sqlState = (error as { code?: unknown }).code;
      if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) {
        request.log.warn({ sqlState }, 'the database refused a value the schemas let through');
        return sendProblem(
          reply,
          problemBody(422, 'validation_failed', 'A value in the request is not valid.'),
        );
      }
      const failure = databaseFailure(error);
      if (failure !== null) {
        // the database's bad day, not a bug: a short warning, and an answer that says "retry"
        request.log.warn(
          { err: { message: error.message, code: (error as { code?: unknown }).code } },
          `database ${failure}`,
        );
        reply.header('retry-after', String(RETRY_AFTER_SECONDS[failure]));
        return sendProblem(
          reply,
          failure === 'unavailable'
            ? problemBody(
                503,
                'database_unavailable',
                'The database cannot be reached just now. Try again in a moment; a retry with the same Idempotency-Key never redeems twice.',
              )
            : problemBody(
                503,
                'database_busy',
                'The database did not answer in time (a lock held elsewhere, or a slow statement), so nothing was saved. Try again with the same Idempotency-Key.',
              ),
        );
      }
      request.log.error({ err: error }, 'unhandled error');
      if (status === 503) return sendProblem(reply, problemBody(503, 'service_unavailable'));
      return sendProblem(
        reply,
        problemBody(500, 'internal_error', 'The error was logged. Please try again.'),
      );
    });

    app.setNotFoundHandler((request, reply) => {
      const pathname = request.url.split('?')[0] ?? '';
      if (
        app.config.staticDir !== null &&
        request.method === 'GET' &&
        !pathname.startsWith('/api/') &&
        path.extname(pathname) === ''
      ) {
        // a client-side route of the scanner app
        return reply.type('text/html').sendFile('index.html');
      }
      return sendProblem(
        reply,
        problemBody(404, 'not_found', `No route for ${request.method} ${pathname}`),
      );
    });
  },
  { name: 'errors' },
);
