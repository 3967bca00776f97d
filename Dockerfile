# syntax=docker/dockerfile:1
# Bookshelf: multi-stage build, production dependencies only, non-root, health-checked.
#   docker build -t bookshelf .            (Node 22 LTS; --build-arg NODE_VERSION=24 for Node 24 LTS)
#   docker run -p 8080:8080 --env-file bookshelf.env bookshelf
ARG NODE_VERSION=22

# ---- build: compile TypeScript, then drop development dependencies ----------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund \
  && npm cache clean --force

# ---- runtime -----------------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
# The default SQLite file and local covers live under ./data; everything else is read-only to the app.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
# Liveness only (process serves requests); /readyz also checks the database.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 and handles SIGTERM (graceful shutdown, exit 0); `npm start` would rebuild and
# would not forward the signal. The flags are those of `npm start` (README, "Performance").
CMD ["node", "--max-semi-space-size=8", "dist/main.js"]
