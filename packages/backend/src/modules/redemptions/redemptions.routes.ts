// /api/redemptions: redeem (with an Idempotency-Key), undo, and the ledger.
import { IdParamsSchema, PageSchema } from '@couponscan/shared/common';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  LedgerEntrySchema,
  ListRedemptionsQuerySchema,
  RedeemBodySchema,
  RedemptionSuccessSchema,
  ReversalBodySchema,
} from '@couponscan/shared/redemptions';
import { PROBLEM_CONTENT_TYPE } from '@couponscan/shared/errors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { currentUser } from '../../plugins/auth.ts';
import { HttpProblem } from '../../plugins/errors.ts';
import { listRedemptions, redeemCoupon, reverseRedemption } from './redemptions.service.ts';

/**
 * Sends JSON text as it is: the database built and stored the answer, so Node neither parses nor
 * serialises it (a string payload skips the response serialiser; the schema still documents it).
 */
function sendJsonText(
  reply: FastifyReply,
  status: number,
  contentType: string,
  json: string,
): FastifyReply {
  return reply.status(status).type(contentType).send(json);
}

const redemptionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const redeemers = app.authorize(['staff', 'admin']);

  app.post(
    '/api/redemptions',
    {
      onRequest: redeemers,
      schema: { body: RedeemBodySchema, response: { 201: RedemptionSuccessSchema } },
      config: {
        // redeem_coupon() checks the session again in its own statement
        cachedSession: true,
        rateLimit: {
          max: app.config.rateLimit.redemptionsPerMinute,
          timeWindow: 60_000,
          hook: 'preHandler',
          keyGenerator: (request) => `redeem:${request.user?.id ?? request.ip}`,
        },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const key = request.headers[IDEMPOTENCY_KEY_HEADER];
      if (typeof key !== 'string' || key === '') {
        throw new HttpProblem(
          400,
          'idempotency_key_required',
          'Send an Idempotency-Key header (a new UUID per attempt, the same on every retry of it).',
        );
      }
      if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
        throw new HttpProblem(
          400,
          'validation_failed',
          'The Idempotency-Key must be 8 to 255 visible ASCII characters.',
          {},
          [
            {
              pointer: '/headers/idempotency-key',
              message: 'must be 8 to 255 visible ASCII characters',
            },
          ],
        );
      }
      const answer = await redeemCoupon(
        app.db,
        user,
        request.body,
        key,
        app.config.undoWindowMinutes,
      );
      if (answer.replayed) void reply.header('idempotent-replayed', 'true');
      return sendJsonText(
        reply,
        answer.status,
        answer.status === 201 ? 'application/json; charset=utf-8' : PROBLEM_CONTENT_TYPE,
        answer.body,
      );
    },
  );

  app.post(
    '/api/redemptions/:id/reversal',
    {
      onRequest: redeemers,
      schema: {
        params: IdParamsSchema,
        body: ReversalBodySchema,
        response: { 201: LedgerEntrySchema },
      },
    },
    async (request, reply) => {
      const reversal = await reverseRedemption(
        app.db,
        currentUser(request),
        request.params.id,
        request.body.reason,
        app.config.undoWindowMinutes,
      );
      return reply.status(201).send(reversal);
    },
  );

  app.get(
    '/api/redemptions',
    {
      onRequest: app.authorize(['staff', 'marketer', 'admin']),
      schema: {
        querystring: ListRedemptionsQuerySchema,
        response: { 200: PageSchema(LedgerEntrySchema) },
      },
    },
    async (request) =>
      listRedemptions(app.db, currentUser(request), request.query, app.config.undoWindowMinutes),
  );
  return Promise.resolve();
};

export default redemptionsRoutes;
