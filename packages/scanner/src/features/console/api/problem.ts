// What to tell a person when a request failed: the API's own `detail` (RFC 9457), never a guess.
import { ApiError, TransportError } from '../../../lib/api-client.ts';

export function problemText(error: unknown): string {
  if (error instanceof ApiError) {
    return error.problem.detail ?? error.problem.title;
  }
  if (error instanceof TransportError) {
    return error.reason === 'timeout'
      ? 'The server did not answer in time. Try again.'
      : 'Cannot reach the server. Check the connection.';
  }
  return 'Something went wrong. Try again.';
}
