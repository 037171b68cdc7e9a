// /api/campaigns: marketers and admins.
import {
  CampaignDetailSchema,
  CampaignListItemSchema,
  CampaignSchema,
  CreateCampaignBodySchema,
  ListCampaignsQuerySchema,
  UpdateCampaignBodySchema,
} from '@couponscan/shared/campaigns';
import { IdParamsSchema, PageSchema } from '@couponscan/shared/common';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import {
  createCampaign,
  getCampaign,
  listAllCampaigns,
  updateCampaignById,
} from './campaigns.service.ts';

const campaignsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(['marketer', 'admin']);

  app.post(
    '/api/campaigns',
    {
      onRequest: marketers,
      schema: {
        tags: ['campaigns'],
        summary: 'Create a campaign',
        body: CreateCampaignBodySchema,
        response: {
          201: ok(CampaignSchema, 'The new campaign'),
          ...problemResponses(400, 422, ...SIGNED_IN, 413, 415),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createCampaign(app.db, request.body, currentUser(request).id)),
  );

  app.get(
    '/api/campaigns',
    {
      onRequest: marketers,
      schema: {
        tags: ['campaigns'],
        summary: 'List campaigns',
        querystring: ListCampaignsQuerySchema,
        response: {
          200: ok(
            PageSchema(CampaignListItemSchema),
            'One page of campaigns, each with its counts and rate',
          ),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request) => listAllCampaigns(app.db, request.query),
  );

  app.get(
    '/api/campaigns/:id',
    {
      onRequest: marketers,
      schema: {
        tags: ['campaigns'],
        summary: 'A campaign with its counts',
        params: IdParamsSchema,
        response: {
          200: ok(CampaignDetailSchema, 'The campaign'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => getCampaign(app.db, request.params.id),
  );

  app.patch(
    '/api/campaigns/:id',
    {
      onRequest: marketers,
      schema: {
        params: IdParamsSchema,
        tags: ['campaigns'],
        summary: 'Change a campaign, or pause, resume or archive it',
        body: UpdateCampaignBodySchema,
        response: {
          200: ok(CampaignDetailSchema, 'The changed campaign'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 413, 415),
        },
      },
    },
    async (request) => updateCampaignById(app.db, request.params.id, request.body),
  );
  return Promise.resolve();
};

export default campaignsRoutes;
