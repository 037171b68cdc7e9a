// GET /api/coupons/:code/qr.svg and /api/coupons/:code/qr.png (?size&margin&ecc).
import { CodeParamsSchema } from '@couponscan/shared/coupons';
import { QrQuerySchema } from '@couponscan/shared/qr';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { appOrigin } from '../../lib/app-origin.ts';
import { file, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { couponQrPng, couponQrSvg } from './qr.service.ts';

// a code never changes, so browsers may keep its image; private: it is a voucher
const CACHE_CONTROL = 'private, max-age=86400';
const QR_HEADERS = { 'cache-control': Type.Literal(CACHE_CONTROL) };

const qrRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(['marketer', 'admin']);

  app.get(
    '/api/coupons/:code/qr.svg',
    {
      onRequest: marketers,
      schema: {
        tags: ['coupons'],
        summary: "The coupon's QR code as SVG",
        params: CodeParamsSchema,
        querystring: QrQuerySchema,
        response: {
          200: file('image/svg+xml', 'The QR code', QR_HEADERS),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, { 422: ['invalid_code'] }),
        },
      },
    },
    async (request, reply) =>
      reply
        .type('image/svg+xml')
        .header('cache-control', CACHE_CONTROL)
        .send(await couponQrSvg(app.db, request.params.code, request.query, appOrigin(request))),
  );

  app.get(
    '/api/coupons/:code/qr.png',
    {
      onRequest: marketers,
      schema: {
        tags: ['coupons'],
        summary: "The coupon's QR code as PNG",
        params: CodeParamsSchema,
        querystring: QrQuerySchema,
        response: {
          200: file('image/png', 'The QR code', QR_HEADERS),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, { 422: ['invalid_code'] }),
        },
      },
    },
    async (request, reply) =>
      reply
        .type('image/png')
        .header('cache-control', CACHE_CONTROL)
        .send(await couponQrPng(app.db, request.params.code, request.query, appOrigin(request))),
  );
  return Promise.resolve();
};

export default qrRoutes;
