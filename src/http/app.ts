/**
 * The HTTP application: middleware, routes, the OpenAPI document and the one error handler.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Alerting } from '../alerts/index.ts';
import { AppError } from '../errors.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { IngestService } from '../ingest/service.ts';
import type { LiveTail } from '../search/live-tail.ts';
import type { SearchService } from '../search/service.ts';
import type { AuditStore } from '../store/interface.ts';
import type { TeamService } from '../teams/service.ts';
import type { Cidr } from '../net/cidr.ts';
import { AddressSet } from '../net/cidr.ts';
import { type MetricsAccess, registerMetricsRoute, requestTiming } from '../metrics/http.ts';
import { instrumentation } from '../metrics/index.ts';
import { registerUiRoutes, sessionAuthentication, type UiDeps, usesSession } from '../ui/index.ts';
import { authenticate } from './auth.ts';
import { FailedAuthLimiter } from './auth-limiter.ts';
import type { AuthRefusals } from './auth-refusals.ts';
import type { AppEnv } from './context.ts';
import { onError, validationHook } from './errors.ts';
import { OPENAPI_PATH, registerOpenApiDocument } from './openapi.ts';
import { registerAlertPreviewRoutes } from './routes/alert-preview.ts';
import { registerAlertStateRoutes } from './routes/alert-states.ts';
import { registerAlertTestRoutes } from './routes/alert-test.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import { registerExportRoutes } from './routes/export.ts';
import { registerFieldRoutes } from './routes/fields.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerIngestRoutes } from './routes/ingest.ts';
import { registerSavedSearchRoutes } from './routes/saved-searches.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerSystemRoutes } from './routes/system.ts';
import { registerTailRoutes } from './routes/tail.ts';
import { registerStreamRoutes } from './routes/streams.ts';
import type { StreamService } from '../streams/service.ts';
import { registerTeamRoutes } from './routes/teams.ts';

export interface AppDeps {
  store: AuditStore;
  alerting: Alerting;
  audit: AuditTrail;
  teams: TeamService;
  ingest: IngestService;
  search: SearchService;
  tail: LiveTail;
  /** Event streams; without them the stream routes are not served. */
  streams?: StreamService;
  logger: Logger;
  maxBodyBytes: number;
  version: string;
  /** AUDITLOG_BASE_URL: the server the OpenAPI document names; else the origin it was asked at. */
  baseUrl?: string;
  /** The web page at `/` and its sessions; without it the server is the API alone. */
  ui?: UiDeps;
  /** Failed authentications allowed per client address and window before 429. */
  authFailures?: { max: number; windowSeconds: number };
  /** Reverse proxies whose X-Forwarded-For names the client. */
  trustedProxies?: Cidr[];
  /** GET /metrics, and request timing when it is served (src/metrics/). */
  metrics?: MetricsAccess;
}

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  if (deps.metrics?.metrics) app.use('*', requestTiming(deps.metrics.metrics));

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

  registerHealthRoutes(app, { store: deps.store });
  registerOpenApiDocument(app, { version: deps.version, ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}) });
  // One limiter for keys, sign-ins to the page and the metrics token (src/http/auth-refusals.ts).
  const refusals: AuthRefusals = {
    limiter: deps.authFailures ? new FailedAuthLimiter({ maxFailures: deps.authFailures.max, windowMs: deps.authFailures.windowSeconds * 1000 }) : undefined,
    record: (failure) => deps.audit.recordAuthFailure(failure),
  };
  const trustedProxies = deps.trustedProxies ? new AddressSet(deps.trustedProxies) : undefined;
  if (deps.metrics) registerMetricsRoute(app, deps.metrics, { refusals, trustedProxies });
  const auth = authenticate({ teams: deps.teams, refusals, ...(trustedProxies ? { trustedProxies } : {}) });
  const sessionAuth = deps.ui ? sessionAuthentication(deps.ui.sessions, { trustedProxies }) : undefined;
  app.use('/api/v1/*', async (c, next) => {
    if (c.req.path === OPENAPI_PATH) return next();
    // The web page calls the API with its session cookie instead of a key.
    if (sessionAuth && usesSession(c)) return sessionAuth(c, next);
    return auth(c, next);
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
        ip: c.get('clientIp'),
        userAgent: c.req.header('user-agent'),
      });
    } catch (err) {
      c.get('logger').error({ err }, 'could not record the call in the audit trail');
    }
  });
  registerIngestRoutes(app, { ingest: deps.ingest, teams: deps.teams, maxBodyBytes: deps.maxBodyBytes });
  // Before the search routes: /events/tail must not be read as the event id "tail".
  registerTailRoutes(app, { tail: deps.tail });
  registerExportRoutes(app, { search: deps.search, store: instrumentation(deps.metrics?.metrics).reads(deps.store, 'export') });
  registerFieldRoutes(app, { search: deps.search, store: deps.store });
  registerSearchRoutes(app, { search: deps.search, store: deps.store });
  registerTeamRoutes(app, { teams: deps.teams });
  registerSystemRoutes(app, { search: deps.search });
  registerSavedSearchRoutes(app, { savedSearches: deps.alerting.savedSearches });
  registerAlertTestRoutes(app, { alerts: deps.alerting.service, tester: deps.alerting.tester, store: deps.store });
  registerAlertRoutes(app, { alerts: deps.alerting.service, engine: deps.alerting.engine });
  registerAlertPreviewRoutes(app, { store: deps.store });
  registerAlertStateRoutes(app, { alerts: deps.alerting.service });
  if (deps.streams) registerStreamRoutes(app, { streams: deps.streams });
  if (deps.ui) registerUiRoutes(app, deps.ui, { audit: deps.audit, refusals, trustedProxies });
  return app;
}
