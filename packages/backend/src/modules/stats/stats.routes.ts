// /api/stats: the marketers' dashboard. Figures, suspicious activity, and the live feed as
// server-sent events (https://html.spec.whatwg.org/multipage/server-sent-events.html).
import type { Role } from '@couponscan/shared/auth';
import {
  StatsOverviewQuerySchema,
  StatsOverviewSchema,
  StatsStreamQuerySchema,
  SuspiciousActivitySchema,
  SuspiciousQuerySchema,
  type StreamEventName,
} from '@couponscan/shared/stats';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import { poolOf } from '../../db/database.ts';
import { file, ok, problemResponses, SIGNED_IN } from '../../lib/responses.ts';
import { currentUser } from '../../plugins/auth.ts';
import { LedgerListener, type FeedMessage } from './ledger-listener.ts';
import { statsOverview, suspiciousActivity } from './stats.service.ts';
import { campaignExists } from '../campaigns/campaigns.repository.ts';
import { HttpProblem } from '../../lib/http-problem.ts';

const DASHBOARD_ROLES: readonly Role[] = ['marketer', 'admin'];
/** A stream whose client reads slower than this many bytes pile up is dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

function sseFrame(event: StreamEventName, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const marketers = app.authorize(DASHBOARD_ROLES);
  const listener = new LedgerListener(
    {
      connectionString: poolOf(app.db).options.connectionString,
      application_name: 'couponscan-live-feed',
      keepAlive: true,
    },
    app.log,
  );
  const streams = new Set<ServerResponse>();
  const heartbeatSeconds = app.config.liveFeedHeartbeatSeconds;
  /** Open streams per user id, for the per-user cap (STATS_STREAMS_PER_USER). */
  const openStreams = new Map<string, number>();

  app.get(
    '/api/stats/overview',
    {
      onRequest: marketers,
      schema: {
        tags: ['stats'],
        summary: 'Dashboard figures: totals, per day, per store, refusals, latest redemptions',
        querystring: StatsOverviewQuerySchema,
        response: {
          200: ok(StatsOverviewSchema, 'The figures'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => statsOverview(app.db, request.query),
  );

  app.get(
    '/api/stats/suspicious',
    {
      onRequest: marketers,
      schema: {
        tags: ['stats'],
        summary: 'Suspicious activity: bursts of failed scans, codes reused across stores',
        querystring: SuspiciousQuerySchema,
        response: {
          200: ok(SuspiciousActivitySchema, 'What looks suspicious'),
          ...problemResponses(400, 422, ...SIGNED_IN, 404),
        },
      },
    },
    async (request) => suspiciousActivity(app.db, request.query),
  );

  app.get(
    '/api/stats/stream',
    {
      onRequest: marketers,
      schema: {
        tags: ['stats'],
        summary: 'The live feed of redemptions and reversals (server-sent events)',
        querystring: StatsStreamQuerySchema,
        response: {
          200: file(
            'text/event-stream',
            'Server-sent events: `ready`, `ledger`, `resync`, and a `ping` event every `heartbeatSeconds` (sent in `ready`), so a client that hears nothing for two heartbeats knows the stream is dead',
          ),
          ...problemResponses(400, 422, ...SIGNED_IN, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      // Each stream holds a socket and a subscription for as long as it is open: a user (or a
      // stolen session) cannot open them without bound. Counted per process, from here on, so
      // that simultaneous requests cannot all pass the check.
      const open = openStreams.get(user.id) ?? 0;
      if (open >= app.config.streamsPerUser) {
        void reply.header('retry-after', String(heartbeatSeconds));
        throw new HttpProblem(
          429,
          'rate_limited',
          `At most ${app.config.streamsPerUser} live feeds per user are open at once; close one (another tab or device) first.`,
        );
      }
      openStreams.set(user.id, open + 1);
      let counted = true;
      const uncount = () => {
        if (!counted) return;
        counted = false;
        const left = (openStreams.get(user.id) ?? 1) - 1;
        if (left <= 0) openStreams.delete(user.id);
        else openStreams.set(user.id, left);
      };
      const campaignId = request.query.campaignId ?? null;
      try {
        if (campaignId !== null && !(await campaignExists(app.db, campaignId))) {
          throw new HttpProblem(404, 'not_found', 'There is no such campaign.');
        }
        // Wait for LISTEN, so that whatever commits after `ready` is announced on this stream.
        await listener.whenListening(5_000);
      } catch (error) {
        uncount();
        throw error;
      }
      const { sessionId, apiTokenId } = user;

      reply.hijack();
      const res = reply.raw;
      // a hijacked reply writes none of Fastify's headers (the security headers among them)
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) res.setHeader(name, value);
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx: pass events through at once instead of buffering the response
        'x-accel-buffering': 'no',
      });
      streams.add(res);
      let closed = false;
      const write = (chunk: string) => {
        if (closed) return;
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          end();
          return;
        }
        res.write(chunk);
      };
      const unsubscribe = listener.subscribe((message: FeedMessage) => {
        if (message.type === 'resync') write(sseFrame('resync', {}));
        else if (campaignId === null || message.event.campaignId === campaignId)
          write(sseFrame('ledger', message.event));
      });
      const heartbeat = setInterval(() => {
        // an event, not an SSE comment: EventSource surfaces events only
        write(sseFrame('ping', {}));
        // A session or API token revoked meanwhile (logout, user disabled, password reset) ends
        // the stream.
        app
          .resolveCaller(request)
          .then((user) => {
            if (
              user?.sessionId !== sessionId ||
              user.apiTokenId !== apiTokenId ||
              !DASHBOARD_ROLES.includes(user.role)
            )
              end();
          })
          .catch((error: unknown) => {
            request.log.warn({ err: error }, 'stream: session check');
          });
      }, heartbeatSeconds * 1000);
      function end() {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(res);
        uncount();
        res.end();
      }
      res.on('close', end);
      res.on('error', end);

      // Clients reconnect after 3 s when the connection drops (the SSE `retry` field).
      res.write('retry: 3000\n\n');
      write(sseFrame('ready', { campaignId, heartbeatSeconds }));
    },
  );

  // Streams never end on their own: end them first, so closing the server does not wait on them.
  app.addHook('preClose', async () => {
    for (const res of [...streams]) res.end();
    streams.clear();
    await listener.close();
  });
  app.addHook('onClose', async () => {
    await listener.close();
  });
  return Promise.resolve();
};

export default statsRoutes;
