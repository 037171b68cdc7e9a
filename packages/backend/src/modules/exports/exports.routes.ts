// GET /api/campaigns/:id/coupons.csv and GET /api/redemptions.csv, streamed from PostgreSQL.
import { IdParamsSchema } from '@couponscan/shared/common';
import {
  CouponsCsvQuerySchema,
  CSV_CONTENT_TYPE,
  RedemptionsCsvQuerySchema,
} from '@couponscan/shared/exports';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ATTACHMENT_HEADERS, file, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { exportCouponsCsv, exportRedemptionsCsv } from './exports.service.ts';

const exportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(['marketer', 'admin']);
  // a download that stops reading gives its transaction and bulk-pool connection back
  const stall = { stallMs: app.config.exportStallSeconds * 1000 };

  app.get(
    '/api/campaigns/:id/coupons.csv',
    {
      onRequest: marketers,
      schema: {
        tags: ['exports'],
        summary: "A campaign's coupons as CSV",
        params: IdParamsSchema,
        querystring: CouponsCsvQuerySchema,
        response: {
          200: file('text/csv', 'The coupons, streamed', ATTACHMENT_HEADERS),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request, reply) => {
      const { filename, csv } = await exportCouponsCsv(
        app.bulkDb,
        request.params.id,
        request.query,
        stall,
      );
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(csv);
    },
  );

  app.get(
    '/api/redemptions.csv',
    {
      onRequest: marketers,
      schema: {
        tags: ['exports'],
        summary: 'The redemption ledger as CSV',
        querystring: RedemptionsCsvQuerySchema,
        response: {
          200: file('text/csv', 'The ledger, streamed', ATTACHMENT_HEADERS),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request, reply) => {
      const { filename, csv } = await exportRedemptionsCsv(app.bulkDb, request.query, stall);
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(csv);
    },
  );
  return Promise.resolve();
};

export default exportsRoutes;
