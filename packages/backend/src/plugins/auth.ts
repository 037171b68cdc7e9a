// Resolves the session cookie, or an API token sent as `Authorization: Bearer <secret>`, to
// `request.user`, and gives routes `app.authorize(roles)`. A request that carries an Authorization
// header is judged by it alone: a wrong token is 401 even next to a valid cookie.
import cookie from '@fastify/cookie';
import { SESSION_COOKIE, type Role } from '@couponscan/shared/auth';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import { poolOf } from '../db/database.ts';
import { BearerAuthenticator } from '../modules/api-tokens/api-tokens.service.ts';
import { authenticate, type AuthUser } from '../modules/auth/auth.service.ts';
import { SessionCache } from '../modules/auth/session-cache.ts';
import { HttpProblem } from '../lib/http-problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /**
     * The route may take the session from the process's cache (SessionCache) because its own
     * statement checks the session again (the redemption); other routes always ask the database.
     */
    cachedSession?: boolean;
  }
  interface FastifyInstance {
    /**
     * 401 without a session, 403 unless the user has one of `roles`. Use it as the route's
     * `onRequest` hook, so the role is checked before the body is parsed and validated: a caller
     * without the role gets 401/403, never the schema's validation errors.
     */
    authorize(roles: readonly Role[]): onRequestAsyncHookHandler & preHandlerAsyncHookHandler;
    setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date): void;
    sessionCache: SessionCache;
    /** Who the request's cookie or API token names now, asked of the database (not the cache). */
    resolveCaller(request: FastifyRequest): Promise<AuthUser | null>;
    clearSessionCookie(reply: FastifyReply): void;
  }
}

/** The authenticated user of a route behind `authorize`. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (request.user === null) {
    throw new HttpProblem(
      401,
      'unauthenticated',
      request.headers.authorization === undefined
        ? 'Please log in.'
        : 'This API token is not valid: it was revoked, or mistyped.',
    );
  }
  return request.user;
}

export default fp(
  async (app: FastifyInstance) => {
    await app.register(cookie);
    app.decorateRequest('user', null);

    const sessionCache = new SessionCache({
      ttlMs: app.config.sessionCacheSeconds * 1000,
      maxEntries: 10_000,
      connection: poolOf(app.db).options,
      log: (message) => {
        app.log.warn(message);
      },
    });
    app.decorate('sessionCache', sessionCache);
    app.addHook('onReady', () => sessionCache.start());
    app.addHook('onClose', () => sessionCache.close());

    const bearer = new BearerAuthenticator(app.db, sessionCache, {
      log: (error) => {
        app.log.warn({ err: error }, 'API token: last use not recorded');
      },
    });

    const resolveCaller = async (request: FastifyRequest, cached: boolean) => {
      const authorization = request.headers.authorization;
      if (authorization !== undefined) return bearer.authenticate(authorization, cached);
      const token = request.cookies[SESSION_COOKIE];
      if (token === undefined) return null;
      return authenticate(app.db, token, cached ? sessionCache : undefined);
    };
    app.decorate('resolveCaller', (request: FastifyRequest) => resolveCaller(request, false));

    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/api/')) return;
      request.user = await resolveCaller(
        request,
        request.routeOptions.config.cachedSession === true,
      );
    });

    app.decorate('authorize', (roles: readonly Role[]) => {
      return async (request: FastifyRequest) => {
        const user = currentUser(request);
        if (!roles.includes(user.role)) {
          throw new HttpProblem(403, 'forbidden', `This needs the role ${roles.join(' or ')}.`);
        }
        return Promise.resolve();
      };
    });

    app.decorate('setSessionCookie', (reply: FastifyReply, token: string, expiresAt: Date) => {
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: app.config.cookieSecure,
        path: '/',
        expires: expiresAt,
      });
    });
    app.decorate('clearSessionCookie', (reply: FastifyReply) => {
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
