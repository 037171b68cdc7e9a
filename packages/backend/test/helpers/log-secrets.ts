// Secrets never reach the logs, checked over the whole suite: every app made by createTestApp logs
// with the server's own logger options at the server's default level (info) into memory, and
// remembers every secret its requests and answers carry — passwords sent, session tokens set,
// Authorization values, API token and webhook secrets answered, and every coupon code in an answer
// or in the path of a request that found its coupon. After each test file (test/setup/secrets-not-logged.ts) no captured line may
// contain any of them. test/logs.test.ts does the same for one realistic day at trace level.
import { SESSION_COOKIE } from '@couponscan/shared/auth';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';

const lines: string[] = [];
const secrets = new Set<string>();

/** Where the apps' logs go. */
export const logCapture = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    lines.push(chunk.toString('utf8'));
    callback();
  },
});

/** Coupon codes as generated or imported (upper-case letters and digits), short ones aside. */
const COUPON_CODE = /^[0-9A-Z]{8,64}$/;
const DISPLAY_CODE = /^[0-9A-Z]{2,}(?:-[0-9A-Z]{2,})+$/;

function remember(value: unknown): void {
  if (typeof value === 'string' && value.length >= 8) secrets.add(value);
}

/** Secret-bearing members of an answer, at any depth. */
function harvest(value: unknown, depth = 0): void {
  if (depth > 6 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) harvest(item, depth + 1);
    return;
  }
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'secret' || key === 'token' || key === 'password') remember(member);
    else if (key === 'code' && typeof member === 'string' && COUPON_CODE.test(member))
      remember(member);
    else if (key === 'displayCode' && typeof member === 'string' && DISPLAY_CODE.test(member))
      remember(member);
    else harvest(member, depth + 1);
  }
}

/** Remembers the secrets in what `app` receives and answers; call before `app.ready()`. */
export function watchSecrets(app: FastifyInstance): void {
  app.addHook('preHandler', (request, _reply, done) => {
    const body: unknown = request.body;
    if (typeof body === 'object' && body !== null) {
      remember((body as Record<string, unknown>).password);
      remember((body as Record<string, unknown>).newPassword);
    }
    const authorization = request.headers.authorization;
    if (typeof authorization === 'string' && authorization.startsWith('Bearer '))
      remember(authorization.slice(7));
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    // a code in the path that named a real coupon (the fuzzers' made-up ones are no secret)
    const params = request.params as Record<string, unknown> | undefined;
    if (reply.statusCode < 400 && typeof params?.code === 'string') remember(params.code);
    const cookies = reply.getHeader('set-cookie');
    for (const cookie of [cookies ?? []].flat()) {
      const match = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(String(cookie));
      remember(match?.[1]);
    }
    if (typeof payload === 'string' && payload.startsWith('{')) {
      try {
        harvest(JSON.parse(payload));
      } catch {
        // not JSON after all
      }
    }
    done(null, payload);
  });
}

/** Each secret found in the captured logs, with the start of the line it is in. */
export function secretsInLogs(): string[] {
  const found: string[] = [];
  for (const line of lines) {
    for (const secret of secrets) {
      if (line.includes(secret)) found.push(`${secret.slice(0, 4)}… in ${line.slice(0, 300)}`);
    }
  }
  return found;
}
