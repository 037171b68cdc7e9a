// The origin a request was made to: the app's own, which every coupon link (QR images, printed
// sheets) points at. X-Forwarded-* count only under TRUST_PROXY (Fastify's trustProxy).
import type { FastifyRequest } from 'fastify';

export function appOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
