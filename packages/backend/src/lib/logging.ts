// What the server's logs may say about a request: never a secret. A coupon code is a bearer
// value (whoever holds it can redeem it), so codes in URLs (/api/coupons/:code…, /c/:code) and
// code searches (?q=) are masked in request logs; cookies and Authorization headers are redacted
// wherever a log line carries headers. Checked by test/logs.test.ts.
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config.ts';

export const REDACTED = '[redacted]';

/** Query parameters whose values may be (part of) a coupon code or another secret. */
const SECRET_QUERY_PARAMETERS = ['q', 'code', 'token'];

/** `url` with coupon codes and secret query values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query = queryStart < 0 ? '' : url.slice(queryStart);
  const maskedPath = path
    // the segment after /coupons/ wherever it appears (also in a mistyped or doubled path)
    .replace(/(\/coupons\/)[^/]+/gi, `$1${REDACTED}`)
    // the scanner's coupon links
    .replace(/^(\/+c\/)[^/]+/i, `$1${REDACTED}`);
  const maskedQuery = query.replace(
    new RegExp(`([?&](?:${SECRET_QUERY_PARAMETERS.join('|')})=)[^&]*`, 'gi'),
    `$1${REDACTED}`,
  );
  return maskedPath + maskedQuery;
}

interface LoggedRequest {
  method: string;
  url: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The logger of the server process (server.ts); tests pass a `stream` to read what it writes. */
export function loggerOptions(
  level: Config['logLevel'],
  stream?: NodeJS.WritableStream,
): NonNullable<Exclude<FastifyServerOptions['logger'], boolean>> {
  return {
    level,
    ...(stream === undefined ? {} : { stream }),
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        'headers.cookie',
        'headers.authorization',
      ],
      censor: REDACTED,
    },
    serializers: {
      // Fastify's own request serialiser, with the URL masked
      req(request: LoggedRequest) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
          remotePort: request.socket?.remotePort,
        };
      },
    },
  };
}
