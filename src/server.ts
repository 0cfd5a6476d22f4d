/**
 * Starts the HTTP server on a runtime, with the retention schedule and a clean shutdown.
 */
import { serve, type ServerType } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import { createApp } from './http/app.ts';
import type { Runtime } from './runtime.ts';
import { scheduleRetention } from './teams/retention.ts';
import { createUi } from './ui/index.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The HTTP application of a runtime, without a socket (scripts/openapi.ts reads its document). */
export function createHttpApp(rt: Runtime) {
  return createApp({
    store: rt.store,
    audit: rt.audit,
    alerting: rt.alerting,
    teams: rt.teams,
    ingest: rt.ingest,
    search: rt.search,
    tail: rt.tail,
    streams: rt.streams.service,
    logger: rt.logger,
    maxBodyBytes: rt.config.AUDITLOG_MAX_BODY_BYTES,
    version: VERSION,
    ui: createUi(rt),
    authFailures: { max: rt.config.AUDITLOG_AUTH_MAX_FAILURES, windowSeconds: rt.config.AUDITLOG_AUTH_FAILURE_WINDOW_SECONDS },
    trustedProxies: rt.config.AUDITLOG_TRUSTED_PROXIES,
    ...(rt.config.AUDITLOG_BASE_URL ? { baseUrl: rt.config.AUDITLOG_BASE_URL } : {}),
    metrics: { metrics: rt.metrics, token: rt.config.AUDITLOG_METRICS_TOKEN },
  });
}

export async function startServer(rt: Runtime, { port = rt.config.AUDITLOG_PORT, host = rt.config.AUDITLOG_HOST } = {}): Promise<RunningServer> {
  const app = createHttpApp(rt);
  const stopRetention = scheduleRetention(rt.store, rt.teams, rt.config.AUDITLOG_RETENTION_INTERVAL_MINUTES * 60_000, rt.logger);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
    s.once('error', reject);
  });
  // AUDITLOG_ALERTS=off serves the alert API without evaluating rules on this instance.
  if (rt.config.AUDITLOG_ALERTS === 'on') await rt.alerting.start();
  if (rt.config.AUDITLOG_STREAMS === 'on') rt.streams.runner.start();
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  return {
    url,
    port: boundPort,
    async close() {
      stopRetention();
      // The server started the scheduler, so it stops it (the CLI's other commands never start it).
      await rt.alerting.scheduler.stop();
      await rt.streams.runner.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open; they carry no unacknowledged work.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
