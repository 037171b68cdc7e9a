// GET /api/campaigns/:id/coupons.csv and GET /api/redemptions.csv, streamed from PostgreSQL.
import { IdParamsSchema } from '@couponscan/shared/common';
import {
  CouponsCsvQuerySchema,
  CSV_CONTENT_TYPE,
  RedemptionsCsvQuerySchema,
} from '@couponscan/shared/exports';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { exportCouponsCsv, exportRedemptionsCsv } from './exports.service.ts';

const exportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(['marketer', 'admin']);

  app.get(
    '/api/campaigns/:id/coupons.csv',
    {
      onRequest: marketers,
      schema: { params: IdParamsSchema, querystring: CouponsCsvQuerySchema },
    },
    async (request, reply) => {
      const { filename, csv } = await exportCouponsCsv(
        app.bulkDb,
        request.params.id,
        request.query,
      );
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(csv);
    },
  );

  app.get(
    '/api/redemptions.csv',
    { onRequest: marketers, schema: { querystring: RedemptionsCsvQuerySchema } },
    async (request, reply) => {
      const { filename, csv } = await exportRedemptionsCsv(app.bulkDb, request.query);
      return reply
        .type(CSV_CONTENT_TYPE)
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(csv);
    },
  );
  return Promise.resolve();
};

export default exportsRoutes;
