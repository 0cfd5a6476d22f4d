# auditlog: Node 24 runs the TypeScript sources directly (type stripping), so there is no build
# step; `npm ci` installs exactly the lock file (better-sqlite3 brings its prebuilt binary). The
# web page's bundle is made in memory by esbuild (a dependency) when the server starts.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY index-templates ./index-templates
COPY queries ./queries
RUN mkdir -p /data && chown node:node /data
USER node
ENV AUDITLOG_HOST=0.0.0.0 AUDITLOG_PORT=8080 AUDITLOG_DATA_DIR=/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/readyz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "src/cli/main.ts", "serve"]
