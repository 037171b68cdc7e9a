// POST /api/campaigns/:id/imports: a CSV upload (text/csv), read as a stream.
import { Readable } from 'node:stream';
import { IdParamsSchema } from '@couponscan/shared/common';
import { ImportResultSchema } from '@couponscan/shared/imports';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import { HttpProblem } from '../../lib/http-problem.ts';
import { importCoupons } from './imports.service.ts';

const importsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // In this plugin only: the body is handed over unread, so a file of any size streams through.
  app.addContentTypeParser(['text/csv', 'text/plain'], (_request, payload, done) => {
    done(null, payload);
  });

  app.post(
    '/api/campaigns/:id/imports',
    {
      onRequest: app.authorize(['marketer', 'admin']),
      schema: {
        tags: ['imports'],
        summary: 'Import existing codes from a CSV upload, all or nothing',
        params: IdParamsSchema,
        consumes: ['text/csv'],
        // read as a stream by the handler; declared for the OpenAPI document only
        documentedBody: {
          type: 'string',
          description: 'One code per line, or a column headed "code"',
        },
        response: {
          201: ok(ImportResultSchema, 'Imported: the batch that holds the codes'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 409, 413, 415, {
            422: ['import_invalid', 'code_space_too_small'],
          }),
        },
      },
    },
    async (request, reply) => {
      if (!(request.body instanceof Readable)) {
        throw new HttpProblem(
          415,
          'unsupported_media_type',
          'Upload the codes as text/csv: one code per line, or a column headed "code".',
        );
      }
      const batch = await importCoupons(
        app.bulkDb,
        currentUser(request),
        request.params.id,
        request.body,
      );
      return reply.status(201).send({ batch });
    },
  );
  return Promise.resolve();
};

export default importsRoutes;
