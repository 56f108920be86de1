# The dashboard as a service: `docker build -t pagerduty-audit .` then
#   docker run --env-file .env -v "$PWD/audit.config.yaml:/app/audit.config.yaml:ro" -v audit-data:/app/data \
#     -p 3000:3000 pagerduty-audit
# See .env.example for the environment and README "Deploying" for the rest.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000 AUDIT_DATA_DIR=/app/data
COPY --from=build /app/package.json /app/next.config.ts /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/public ./public
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/cli ./cli
COPY --from=build /app/lib ./lib
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Migrations run when the server starts; the SQLite file (if DATABASE_URL is unset) lives in /app/data.
# The CLI is in the image too: docker run --env-file .env pagerduty-audit node bin/pagerduty-audit.mjs --help
CMD ["node_modules/.bin/next", "start", "--hostname", "0.0.0.0"]
