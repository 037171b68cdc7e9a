# syntax=docker/dockerfile:1
# couponscan in one image: the backend bundle (packages/backend/dist/server.js) with only its
# production dependencies, serving the built scanner from STATIC_DIR. See docs/deployment.md.
#
#   docker build -t couponscan .
#   docker compose up -d          (with PostgreSQL 18; see docker-compose.yml)

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: install everything, build backend and scanner, deploy the backend's runtime ----
FROM ${NODE_IMAGE} AS build
# pmOnFail=ignore: use the pnpm 12 installed here even if the `packageManager` pin names another
# 12.x, instead of downloading that one (and failing a frozen install over the lockfile's record
# of the package manager itself).
ENV CI=true \
    PNPM_CONFIG_PM_ON_FAIL=ignore \
    TURBO_TELEMETRY_DISABLED=1 \
    DO_NOT_TRACK=1
RUN npm install --global pnpm@12 && pnpm --version
WORKDIR /repo

# Manifests first: the install layer is reused until a manifest or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/shared/package.json packages/shared/
COPY packages/backend/package.json packages/backend/
COPY packages/scanner/package.json packages/scanner/
RUN --mount=type=cache,id=couponscan-pnpm-store,target=/pnpm-store \
    pnpm install --frozen-lockfile --store-dir /pnpm-store

COPY . .
RUN pnpm --filter @couponscan/backend build \
 && pnpm --filter @couponscan/scanner build \
 && test -f packages/backend/dist/server.js \
 && test -f packages/scanner/dist/index.html

# The backend with its production dependencies only (no vitest, esbuild's dev copy, scanner…),
# and without its optional embedded PostgreSQL: the image needs DATABASE_URL.
RUN --mount=type=cache,id=couponscan-pnpm-store,target=/pnpm-store \
    pnpm --filter @couponscan/backend deploy --prod --no-optional --store-dir /pnpm-store /deploy

# ---- runtime ----
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="couponscan" \
      org.opencontainers.image.description="Coupons with QR codes: issue them in a web console, redeem them with a phone, never twice." \
      org.opencontainers.image.licenses="MIT"

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    STATIC_DIR=/app/public \
    EMBEDDED_PG_DIR=/app/data/postgres
WORKDIR /app

COPY --from=build /deploy/package.json ./package.json
COPY --from=build /deploy/node_modules ./node_modules
COPY --from=build /deploy/dist ./dist
COPY --from=build /repo/packages/scanner/dist ./public
# The image carries no embedded PostgreSQL (an optional dependency left out above): set
# DATABASE_URL (compose does). /app/data stays for files the app may keep; `node` owns it.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 3000
# Node's own fetch: the slim image has no curl. Assumes HOST lets loopback in (0.0.0.0 does).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The server handles SIGTERM itself (closes HTTP, the pool, then exits), so node runs as PID 1
# without a shell in between; compose adds `init: true` to reap any child processes.
CMD ["node", "--enable-source-maps", "dist/server.js"]
