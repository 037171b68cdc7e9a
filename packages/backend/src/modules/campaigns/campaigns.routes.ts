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
      schema: { body: CreateCampaignBodySchema, response: { 201: CampaignSchema } },
    },
    async (request, reply) =>
      reply.status(201).send(await createCampaign(app.db, request.body, currentUser(request).id)),
  );

  app.get(
    '/api/campaigns',
    {
      onRequest: marketers,
      schema: {
        querystring: ListCampaignsQuerySchema,
        response: { 200: PageSchema(CampaignListItemSchema) },
      },
    },
    async (request) => listAllCampaigns(app.db, request.query),
  );

  app.get(
    '/api/campaigns/:id',
    {
      onRequest: marketers,
      schema: { params: IdParamsSchema, response: { 200: CampaignDetailSchema } },
    },
    async (request) => getCampaign(app.db, request.params.id),
  );

  app.patch(
    '/api/campaigns/:id',
    {
      onRequest: marketers,
      schema: {
        params: IdParamsSchema,
        body: UpdateCampaignBodySchema,
        response: { 200: CampaignDetailSchema },
      },
    },
    async (request) => updateCampaignById(app.db, request.params.id, request.body),
  );
  return Promise.resolve();
};

export default campaignsRoutes;
