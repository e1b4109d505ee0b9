# The refund proxy in a container (docs/deploy.md, "In a container"). Built in one stage; run from another that holds
# only the production dependencies and the three files of dist/ that `node dist/node.js` needs: none of the test
# runtimes (workerd, Bun, Deno, miniflare), no compiler, no sources.

FROM node:20-bookworm-slim AS build
# better-sqlite3 installs a prebuilt addon when one fits; these build it from source when none does.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8787 DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# The production dependencies, from the lockfile. --omit=optional drops TypeScript, which npm otherwise keeps for
# valibot's optional peer dependency. Install scripts are skipped: the one that matters, better-sqlite3's, already
# built its addon in the build stage for this same Node, so it is copied instead of downloaded or compiled again.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node \
  ./node_modules/better-sqlite3/build/Release/better_sqlite3.node
COPY --from=build /app/dist/node.js /app/dist/refund-button.js /app/dist/refund-desk.js ./dist/
# The SQLite ledger (unless DATABASE_URL is set): a volume the unprivileged user owns.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8787) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/node.js"]
