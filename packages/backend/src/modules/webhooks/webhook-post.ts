// One attempt at a delivery: a POST with a deadline for the whole exchange (connect, answer,
// body). Redirects are not followed. When private addresses are refused, the address connected
// to is checked (an IP literal in the URL, or each address DNS gives for the host).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { AddressRefused, hostOf, isPrivateAddress, publicOnlyLookup } from './url-safety.ts';

export type AttemptOutcome = 'succeeded' | 'http_status' | 'timeout' | 'network' | 'refused';

export interface AttemptResult {
  outcome: AttemptOutcome;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface PostOptions {
  timeoutMs: number;
  refusePrivate: boolean;
  /** Aborts the attempt (the worker is stopping): the promise rejects with the signal's reason. */
  signal: AbortSignal;
}

/** At most this much of an answer's body is read (and thrown away). */
const MAX_ANSWER_BYTES = 64 * 1024;

export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(url);
  const host = hostOf(target);
  if (options.refusePrivate && net.isIP(host) !== 0 && isPrivateAddress(host)) {
    return Promise.resolve({
      outcome: 'refused',
      statusCode: null,
      durationMs: elapsed(),
      error: new AddressRefused(host).message,
    });
  }
  if (options.signal.aborted) return Promise.reject(options.signal.reason as Error);
  return new Promise<AttemptResult>((resolve, reject) => {
    let settled = false;
    const finish = (result: Omit<AttemptResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve({ ...result, durationMs: elapsed() });
    };
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: false,
      ...(options.refusePrivate ? { lookup: publicOnlyLookup } : {}),
    });
    const timer = setTimeout(() => {
      request.destroy(new TimeoutError(options.timeoutMs));
    }, options.timeoutMs);
    const onAbort = () => {
      settled = true;
      clearTimeout(timer);
      request.destroy();
      reject(options.signal.reason as Error);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    request.on('response', (response) => {
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) response.destroy();
      });
      const done = () => {
        const status = response.statusCode ?? 0;
        finish(
          status >= 200 && status < 300
            ? { outcome: 'succeeded', statusCode: status, error: null }
            : {
                outcome: 'http_status',
                statusCode: status,
                error: `answered HTTP ${String(status)}`,
              },
        );
      };
      response.on('end', done);
      response.on('close', done);
      response.on('error', () => undefined);
    });
    request.on('error', (error) => {
      if (options.signal.aborted) return;
      if (error instanceof TimeoutError)
        finish({ outcome: 'timeout', statusCode: null, error: error.message });
      else if (error instanceof AddressRefused)
        finish({ outcome: 'refused', statusCode: null, error: error.message });
      else finish({ outcome: 'network', statusCode: null, error: describe(error) });
    });
    request.end(body);
  });
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${String(ms / 1000)} s`);
    this.name = 'TimeoutError';
  }
}

function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === undefined ? error.message : `${code}: ${error.message}`;
}
