/**
 * The HTTP application: middleware, routes, the OpenAPI document and the one error handler.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { isIP } from 'node:net';
import type { Alerting } from '../alerts/index.ts';
import { AppError } from '../errors.ts';
import type { AuditTrail } from '../services/audit-trail.ts';
import type { IngestService } from '../services/ingest.ts';
import type { LiveTail } from '../services/live-tail.ts';
import type { SearchService } from '../services/search.ts';
import type { AuditStore } from '../store/interface.ts';
import type { TeamService } from '../teams/service.ts';
import { authenticate } from './auth.ts';
import type { AppEnv } from './context.ts';
import { onError, validationHook } from './errors.ts';
import { registerAlertTestRoutes } from './routes/alert-test.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import { registerIngestRoutes } from './routes/ingest.ts';
import { registerSavedSearchRoutes } from './routes/saved-searches.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerSystemRoutes } from './routes/system.ts';
import { registerTailRoutes } from './routes/tail.ts';
import { registerTeamRoutes } from './routes/teams.ts';

export interface AppDeps {
  store: AuditStore;
  alerting: Alerting;
  audit: AuditTrail;
  teams: TeamService;
  ingest: IngestService;
  search: SearchService;
  tail: LiveTail;
  logger: Logger;
  maxBodyBytes: number;
  version: string;
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('logger', deps.logger.child({ requestId }));
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    c.get('logger').info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
  app.onError(onError);
  app.notFound((c) => onError(new AppError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    await deps.store.ping();
    return c.json({ status: 'ready', store: deps.store.kind, retention: deps.store.retention });
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'auditlog API', version: deps.version, description: 'Ingest, search and manage audit events per team.' },
  });

  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === '/api/v1/openapi.json') return next();
    return authenticate(deps.teams)(c, next);
  });
  app.use('/api/v1/*', async (c, next) => {
    await next();
    const principal = c.get('principal');
    // Ingest is neither a read nor an admin call; recording it would double every event.
    if (!principal || (c.req.method === 'POST' && c.req.path === '/api/v1/events')) return;
    try {
      await deps.audit.record({
        principal,
        method: c.req.method,
        path: c.req.path,
        query: c.req.query(),
        status: c.res.status,
        requestId: c.get('requestId'),
        ip: clientIp(c),
        userAgent: c.req.header('user-agent'),
      });
    } catch (err) {
      c.get('logger').error({ err }, 'could not record the call in the audit trail');
    }
  });
  registerIngestRoutes(app, { ingest: deps.ingest, teams: deps.teams, maxBodyBytes: deps.maxBodyBytes });
  // Before the search routes: /events/tail must not be read as the event id "tail".
  registerTailRoutes(app, { tail: deps.tail });
  registerSearchRoutes(app, { search: deps.search, store: deps.store });
  registerTeamRoutes(app, { teams: deps.teams });
  registerSystemRoutes(app, { search: deps.search });
  registerSavedSearchRoutes(app, { savedSearches: deps.alerting.savedSearches });
  registerAlertTestRoutes(app, { alerts: deps.alerting.service, tester: deps.alerting.tester, store: deps.store });
  registerAlertRoutes(app, { alerts: deps.alerting.service, engine: deps.alerting.engine });
  return app;
}

/** The peer address, IPv4-mapped IPv6 unwrapped; undefined when not on a socket (app.request in tests). */
function clientIp(c: Context<AppEnv>): string | undefined {
  try {
    const address = getConnInfo(c).remote.address?.replace(/^::ffff:(?=\d+\.)/, '');
    return address && isIP(address) ? address : undefined;
  } catch {
    return undefined;
  }
}
