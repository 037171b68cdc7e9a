// The shape of every failure: RFC 9457 problem+json with a stable `code` from
// @couponscan/shared/errors. Services throw HttpProblem; plugins/errors.ts renders it.
import {
  PROBLEM_CONTENT_TYPE,
  problemType,
  type ErrorCode,
  type FieldError,
  type Problem,
} from '@couponscan/shared/errors';
import type { FastifyReply } from 'fastify';

const TITLES: Partial<Record<ErrorCode, string>> = {
  malformed_request: 'The request cannot be read',
  validation_failed: 'The request is not valid',
  invalid_code: 'This is not a valid coupon code',
  unauthenticated: 'Please log in',
  invalid_credentials: 'Email or password is wrong',
  forbidden: 'You are not allowed to do this',
  not_found: 'Not found',
  rate_limited: 'Too many requests',
  header_too_large: 'The request headers are too large',
  internal_error: 'Something went wrong on our side',
  database_unavailable: 'The database is unavailable',
  database_busy: 'The database is busy',
};

/** An expected failure with a stable code; thrown by services, rendered by plugins/errors.ts. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly errors?: FieldError[],
  ) {
    super(detail ?? code);
    this.name = 'HttpProblem';
  }
}

export function problemBody(
  status: number,
  code: ErrorCode,
  detail?: string,
  extensions: Record<string, unknown> = {},
  errors?: FieldError[],
): Problem {
  return {
    ...extensions,
    type: problemType(code),
    title: TITLES[code] ?? code.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase()),
    status,
    ...(detail === undefined ? {} : { detail }),
    code,
    ...(errors === undefined ? {} : { errors }),
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}
