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
import { appOrigin } from '../../lib/app-origin.ts';
import { ATTACHMENT_HEADERS, file, ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import {
  cancelBatch,
  createBatch,
  getBatch,
  listBatches,
  listBatchesAcrossCampaigns,
} from './batches.service.ts';
import { printBatchSheet } from './batch-printing.ts';

const LOCATION_HEADERS = {
  location: Type.String({ description: 'The batch: /api/batches/{id}' }),
};

const batchesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(['marketer', 'admin']);

  app.post(
    '/api/campaigns/:id/batches',
    {
      onRequest: marketers,
      schema: {
        params: IdParamsSchema,
        tags: ['batches'],
        summary: 'Issue up to a million coupons (a background job beyond 10,000)',
        body: CreateBatchBodySchema,
        response: {
          201: ok(BatchSchema, 'Issued within the request', LOCATION_HEADERS),
          202: ok(BatchSchema, 'Queued: poll the Location for progress', LOCATION_HEADERS),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, 413, 415, {
            422: ['validation_failed', 'code_space_too_small'],
          }),
        },
      },
    },
    async (request, reply) => {
      const { batch, completed } = await createBatch(
        app.db,
        { bulk: app.bulkDb, jobs: app.jobs },
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
        tags: ['batches'],
        summary: "A campaign's last 100 batches, newest first",
        params: IdParamsSchema,
        response: {
          200: ok(Type.Object({ items: Type.Array(BatchSchema) }), 'The batches'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => ({ items: await listBatches(app.db, request.params.id) }),
  );

  app.get(
    '/api/batches',
    {
      onRequest: marketers,
      schema: {
        tags: ['batches'],
        summary: 'Batches across campaigns, e.g. the ones still at work (?status=queued,running)',
        querystring: ListBatchesQuerySchema,
        response: {
          200: ok(PageSchema(BatchListItemSchema), 'One page of batches'),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request) => listBatchesAcrossCampaigns(app.db, request.query),
  );

  app.get(
    '/api/batches/:id',
    {
      onRequest: marketers,
      schema: {
        tags: ['batches'],
        summary: "A batch's status and progress",
        params: IdParamsSchema,
        response: {
          200: ok(BatchSchema, 'The batch'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => getBatch(app.db, request.params.id),
  );

  app.post(
    '/api/batches/:id/cancel',
    {
      onRequest: marketers,
      schema: {
        tags: ['batches'],
        summary: 'Cancel a queued or running batch',
        params: IdParamsSchema,
        response: {
          200: ok(BatchSchema, 'The cancelled batch'),
          // no body is read, but one that is too large or of an unknown type is refused first
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, 413, 415),
        },
      },
    },
    async (request) => cancelBatch(app.db, request.params.id),
  );

  app.get(
    '/api/batches/:id/sheet.pdf',
    {
      onRequest: marketers,
      schema: {
        tags: ['batches'],
        summary: "A batch's coupons on printable A4 pages (PDF)",
        params: IdParamsSchema,
        querystring: SheetQuerySchema,
        response: {
          200: file('application/pdf', 'The sheet, streamed', ATTACHMENT_HEADERS),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, {
            422: ['sheet_too_large', 'validation_failed'],
          }),
        },
      },
    },
    async (request, reply) => {
      const { filename, pdf } = await printBatchSheet(
        app.bulkDb,
        request.params.id,
        request.query.part,
        appOrigin(request),
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
