// /api/redemptions: redeem (with an Idempotency-Key), undo, and the ledger.
import { IdParamsSchema, PageSchema } from '@couponscan/shared/common';
import { REFUSAL_OUTCOMES } from '@couponscan/shared/errors';
import {
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKeyHeadersSchema,
  LedgerEntrySchema,
  ListRedemptionsQuerySchema,
  RedeemBodySchema,
  RedemptionRefusalSchema,
  RedemptionSuccessSchema,
  ReversalBodySchema,
} from '@couponscan/shared/redemptions';
import { PROBLEM_CONTENT_TYPE } from '@couponscan/shared/errors';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { redemptions } from '../../lib/metrics.ts';
import { ok, problemResponse, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import { listRedemptions, redeemCoupon, reverseRedemption } from './redemptions.service.ts';

/** What a refusal adds to the Problem: the scan's outcome and what is known of the coupon. */
const RefusalMembersSchema = Type.Partial(
  Type.Omit(RedemptionRefusalSchema, [
    'type',
    'title',
    'status',
    'detail',
    'instance',
    'code',
    'errors',
  ]),
);

const ReplayedHeadersSchema = {
  'idempotent-replayed': Type.Literal('true', {
    description: 'Set when this is the stored answer to an earlier request with the same key',
  }),
};

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

/** The outcome of an answer the database built (a refusal's `outcome` member), for metrics. */
function outcomeOf(status: number, json: string): string {
  if (status === 201) return 'redeemed';
  return /"outcome"\s*:\s*"([a-z_]+)"/.exec(json)?.[1] ?? 'other';
}

const redemptionsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const redeemers = app.authorize(['staff', 'admin']);

  app.post(
    '/api/redemptions',
    {
      onRequest: redeemers,
      schema: {
        tags: ['redemptions'],
        summary: 'Redeem a coupon (once per Idempotency-Key)',
        description:
          'Refusals (404, 409, 422) record a scan and carry `outcome` (equal to `code`), ' +
          '`scanId`, and for known coupons `displayCode`, `campaignName` and `discount`.',
        headers: IdempotencyKeyHeadersSchema,
        body: RedeemBodySchema,
        response: {
          201: ok(RedemptionSuccessSchema, 'Redeemed', ReplayedHeadersSchema),
          ...problemResponses(...SIGNED_IN, 413, 415, 429, {
            400: ['malformed_request', 'idempotency_key_required'],
            // the database restarting or a bounded wait running out: retry with the same key
            503: ['database_unavailable', 'database_busy'],
          }),
          404: problemResponse(404, ['not_found'], 'No coupon has this code', RefusalMembersSchema),
          409: problemResponse(
            409,
            [...REFUSAL_OUTCOMES, 'idempotency_request_in_progress'],
            'Refused: the coupon cannot be redeemed here and now, or the first request with this key is still running',
            RefusalMembersSchema,
          ),
          422: problemResponse(
            422,
            ['invalid_code', 'validation_failed', 'idempotency_key_reused'],
            'Not a coupon code, a body that does not match the schema, no such store, or the key was used for another request',
            RefusalMembersSchema,
          ),
        },
      },
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
      // declared and checked by the schema (a missing key is idempotency_key_required)
      const key = request.headers[IDEMPOTENCY_KEY_HEADER];
      const answer = await redeemCoupon(
        app.db,
        user,
        request.body,
        key,
        app.config.undoWindowMinutes,
      );
      if (answer.replayed) void reply.header('idempotent-replayed', 'true');
      else {
        redemptions.inc({ outcome: outcomeOf(answer.status, answer.body) });
        // committed: redeem_coupon() is one statement in its own transaction
        if (answer.ledgerId !== null) app.ledgerAnnouncer.announce(answer.ledgerId);
      }
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
        tags: ['redemptions'],
        summary: 'Undo a redemption with a new ledger row',
        params: IdParamsSchema,
        body: ReversalBodySchema,
        response: {
          201: ok(LedgerEntrySchema, 'The reversal'),
          ...problemResponses(400, 422, 401, 404, 413, 415, {
            403: ['forbidden', 'undo_window_passed'],
            409: ['already_reversed'],
          }),
        },
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
      app.ledgerAnnouncer.announce(reversal.id);
      return reply.status(201).send(reversal);
    },
  );

  app.get(
    '/api/redemptions',
    {
      onRequest: app.authorize(['staff', 'marketer', 'admin']),
      schema: {
        tags: ['redemptions'],
        summary: 'The ledger: redemptions and reversals, newest first',
        querystring: ListRedemptionsQuerySchema,
        response: {
          200: ok(PageSchema(LedgerEntrySchema), 'One page of ledger entries'),
          ...problemResponses(400, 422, ...SIGNED_IN),
        },
      },
    },
    async (request) =>
      listRedemptions(app.db, currentUser(request), request.query, app.config.undoWindowMinutes),
  );
  return Promise.resolve();
};

export default redemptionsRoutes;
