// /api/campaigns/:id/coupons (issue, list), /api/coupons/:code (preview), /api/coupons/:code/void.
import { IdParamsSchema, PageSchema } from '@couponscan/shared/common';
import {
  CodeParamsSchema,
  CouponPreviewSchema,
  CouponSchema,
  IssueCouponsBodySchema,
  IssueCouponsResponseSchema,
  ListCouponsQuerySchema,
  PreviewQuerySchema,
  VoidCouponBodySchema,
} from '@couponscan/shared/coupons';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { extraRateLimit } from '../../lib/extra-rate-limit.ts';
import { ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import { issueCoupons, listCoupons, previewCoupon, voidCoupon } from './coupons.service.ts';

const couponsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(['marketer', 'admin']);

  app.post(
    '/api/campaigns/:id/coupons',
    {
      onRequest: marketers,
      schema: {
        params: IdParamsSchema,
        tags: ['coupons'],
        summary: 'Issue up to 10,000 coupons at once',
        body: IssueCouponsBodySchema,
        response: {
          201: ok(IssueCouponsResponseSchema, 'The new coupons'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, 413, 415),
        },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send({ items: await issueCoupons(app.db, request.params.id, request.body.count) }),
  );

  app.get(
    '/api/campaigns/:id/coupons',
    {
      onRequest: marketers,
      schema: {
        params: IdParamsSchema,
        tags: ['coupons'],
        summary: "List a campaign's coupons",
        querystring: ListCouponsQuerySchema,
        response: {
          200: ok(PageSchema(CouponSchema), 'One page of coupons'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => listCoupons(app.db, request.params.id, request.query),
  );

  // guessing codes: limited per user and per IP; every look-up is a scan row too
  const lookupsPerUser = extraRateLimit(app, {
    name: 'lookup-user',
    perMinute: app.config.rateLimit.lookupsPerMinute,
    key: (request) => request.user?.id ?? request.ip,
  });
  const lookupsPerIp = extraRateLimit(app, {
    name: 'lookup-ip',
    perMinute: app.config.rateLimit.lookupsPerIpPerMinute,
    key: (request) => request.ip,
  });

  app.get(
    '/api/coupons/:code',
    {
      onRequest: [app.authorize(['staff', 'marketer', 'admin']), lookupsPerIp, lookupsPerUser],
      schema: {
        params: CodeParamsSchema,
        tags: ['coupons'],
        summary: 'Preview a coupon: would it redeem here and now?',
        querystring: PreviewQuerySchema,
        response: {
          200: ok(CouponPreviewSchema, 'What the coupon is worth and whether it redeems'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 429, { 422: ['invalid_code'] }),
        },
      },
    },
    async (request) =>
      previewCoupon(app.db, currentUser(request), request.params.code, request.query.storeId),
  );

  app.post(
    '/api/coupons/:code/void',
    {
      onRequest: marketers,
      schema: {
        params: CodeParamsSchema,
        tags: ['coupons'],
        summary: 'Void (cancel) a coupon',
        body: VoidCouponBodySchema,
        response: {
          200: ok(CouponSchema, 'The voided coupon'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, 413, 415, {
            422: ['invalid_code'],
          }),
        },
      },
    },
    async (request) =>
      voidCoupon(app.db, currentUser(request), request.params.code, request.body.reason),
  );
  return Promise.resolve();
};

export default couponsRoutes;
