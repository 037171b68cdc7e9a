// /api/campaigns/:id/batches (issue, list), /api/batches (all campaigns' batches, e.g. running),
// /api/batches/:id (progress), /api/batches/:id/cancel.
import {
  BatchListItemSchema,
  BatchSchema,
  CreateBatchBodySchema,
  ListBatchesQuerySchema,
  SheetQuerySchema,
} from '@couponscan/shared/batches';
import { IdParamsSchema, PageSchema } from '@couponscan/shared/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { currentUser } from '../../plugins/auth.ts';
import {
  cancelBatch,
  createBatch,
  getBatch,
  ISSUE_BATCH_JOB,
  issueBatchJob,
  listBatches,
  listBatchesAcrossCampaigns,
  printBatchSheet,
} from './batches.service.ts';

const batchesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(['marketer', 'admin']);
  app.jobs.handle(ISSUE_BATCH_JOB, issueBatchJob());

  app.post(
    '/api/campaigns/:id/batches',
    {
      onRequest: marketers,
      schema: {
        params: IdParamsSchema,
        body: CreateBatchBodySchema,
        response: { 201: BatchSchema, 202: BatchSchema },
      },
    },
    async (request, reply) => {
      const { batch, completed } = await createBatch(
        app.db,
        app.jobs,
        currentUser(request),
        request.params.id,
        request.body,
      );
      // 202: a background job issues it; poll the Location for progress
      return reply
        .status(completed ? 201 : 202)
        .header('location', `/api/batches/${batch.id}`)
        .send(batch);
    },
  );

  app.get(
    '/api/campaigns/:id/batches',
    {
      onRequest: marketers,
      schema: {
        params: IdParamsSchema,
        response: { 200: Type.Object({ items: Type.Array(BatchSchema) }) },
      },
    },
    async (request) => ({ items: await listBatches(app.db, request.params.id) }),
  );

  app.get(
    '/api/batches',
    {
      onRequest: marketers,
      schema: {
        querystring: ListBatchesQuerySchema,
        response: { 200: PageSchema(BatchListItemSchema) },
      },
    },
    async (request) => listBatchesAcrossCampaigns(app.db, request.query),
  );

  app.get(
    '/api/batches/:id',
    {
      onRequest: marketers,
      schema: { params: IdParamsSchema, response: { 200: BatchSchema } },
    },
    async (request) => getBatch(app.db, request.params.id),
  );

  app.post(
    '/api/batches/:id/cancel',
    {
      onRequest: marketers,
      schema: { params: IdParamsSchema, response: { 200: BatchSchema } },
    },
    async (request) => cancelBatch(app.db, request.params.id),
  );

  app.get(
    '/api/batches/:id/sheet.pdf',
    {
      onRequest: marketers,
      schema: { params: IdParamsSchema, querystring: SheetQuerySchema },
    },
    async (request, reply) => {
      const { filename, pdf } = await printBatchSheet(
        app.db,
        request.params.id,
        request.query.part,
        // the status line is sent by then: a failure can only cut the download short
        (error) => {
          request.log.error({ err: error }, 'printing a sheet failed');
        },
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(pdf);
    },
  );
  return Promise.resolve();
};

export default batchesRoutes;
