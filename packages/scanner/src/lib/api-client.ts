// The one way the app talks to /api: JSON in and out, the session cookie, and every failure turned
// into either an ApiError (the server answered with RFC 9457 problem+json and a stable `code` from
// packages/shared/src/errors.ts) or a TransportError (no answer at all).
// Shared code is imported for its types only: its run-time exports are TypeBox schemas, and the
// staff bundle must stay small (the eslint config enforces it).
import type { ErrorCode, Problem } from '@couponscan/shared/errors';

/** The server answered with an error; `code` is the shared, stable error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** The whole problem document, including extension members (e.g. `earlierRedemptions`). */
  readonly problem: Problem & Record<string, unknown>;
  /** From a Retry-After header (seconds) on 503/429: how long the server asks us to wait. */
  readonly retryAfterMs: number | null;

  constructor(status: number, problem: Problem & Record<string, unknown>, retryAfterMs?: number) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code;
    this.problem = problem;
    this.retryAfterMs = retryAfterMs ?? null;
  }
}

/** No answer: the request timed out or never reached the server. */
export class TransportError extends Error {
  readonly reason: 'timeout' | 'network';

  constructor(reason: 'timeout' | 'network', options?: ErrorOptions) {
    super(
      reason === 'timeout' ? 'the server did not answer in time' : 'the network failed',
      options,
    );
    this.name = 'TransportError';
    this.reason = reason;
  }
}

export function isApiError(error: unknown, code?: ErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Sent as it is instead of JSON (e.g. a CSV upload), with its own content type. */
  rawBody?: { data: Blob | string; contentType: string };
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  /** Per-request deadline; the request is aborted and a TransportError('timeout') thrown. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

type UnauthenticatedListener = () => void;
const unauthenticatedListeners = new Set<UnauthenticatedListener>();

/**
 * Called whenever the server says the session is gone (401 `unauthenticated`), from any request,
 * so the app can send the user to the login screen and back.
 */
export function onUnauthenticated(listener: UnauthenticatedListener): () => void {
  unauthenticatedListeners.add(listener);
  return () => {
    unauthenticatedListeners.delete(listener);
  };
}

const DEFAULT_TIMEOUT_MS = 15_000;

export async function apiRequest<T>(path: string, request: ApiRequest = {}): Promise<T> {
  const url = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.rawBody !== undefined) headers['content-type'] = request.rawBody.contentType;

  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new TransportError('timeout'));
  }, request.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const abortFromCaller = () => {
    controller.abort();
  };
  request.signal?.addEventListener('abort', abortFromCaller, { once: true });

  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? 'GET',
      headers,
      body:
        request.rawBody !== undefined
          ? request.rawBody.data
          : request.body === undefined
            ? null
            : JSON.stringify(request.body),
      credentials: 'same-origin',
      signal: controller.signal,
    });
  } catch (error) {
    if (request.signal?.aborted === true) throw error;
    const timedOut = controller.signal.reason instanceof TransportError;
    throw new TransportError(timedOut ? 'timeout' : 'network', { cause: error });
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', abortFromCaller);
  }

  if (response.ok) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  const error = new ApiError(
    response.status,
    await readProblem(response),
    retryAfterMs(response.headers.get('retry-after')),
  );
  if (error.code === 'unauthenticated') {
    for (const listener of unauthenticatedListeners) listener();
  }
  throw error;
}

/** Retry-After in delay-seconds form (RFC 9110 §10.2.3); the date form is not used by our server. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/** A `code` from the server; an unknown one (a newer server) is handled as any other error. */
function hasCode(body: unknown): body is Problem & Record<string, unknown> {
  return (
    typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string'
  );
}

/** The problem document, or one made up from the status when a proxy answered with something else. */
async function readProblem(response: Response): Promise<Problem & Record<string, unknown>> {
  try {
    const body: unknown = await response.json();
    if (hasCode(body)) return body;
  } catch {
    // not JSON: fall through
  }
  const code: ErrorCode =
    response.status === 401
      ? 'unauthenticated'
      : response.status === 429
        ? 'rate_limited'
        : response.status >= 502 && response.status <= 504
          ? 'service_unavailable'
          : 'internal_error';
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    code,
  };
}
