/**
 * A real HTTP server on loopback with the alert and saved-search routes, mounted the way
 * src/http/app.ts mounts routes (request id, key authentication, one error handler), over a
 * real runtime (SQLite store, control db) and an alerts.db in a fresh data directory. Two
 * teams with a key of every role, as in test/http/harness.ts.
 */
import { serve, type ServerType } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Alerting, createAlerting, SqliteAlertStateStore } from '../../src/alerts/index.ts';
import { loadConfig } from '../../src/config.ts';
import { AppError } from '../../src/errors.ts';
import { authenticate } from '../../src/http/auth.ts';
import type { AppEnv } from '../../src/http/context.ts';
import { onError, validationHook } from '../../src/http/errors.ts';
import { registerAlertRoutes } from '../../src/http/routes/alerts.ts';
import { registerSavedSearchRoutes } from '../../src/http/routes/saved-searches.ts';
import { registerSearchRoutes } from '../../src/http/routes/search.ts';
import { createLogger, createRuntime, type Runtime } from '../../src/runtime.ts';
import type { Role } from '../../src/teams/model.ts';

export interface TeamKeys {
  team: string;
  keys: Record<Role, string>;
}

export interface AlertHarness {
  url: string;
  rt: Runtime;
  alerting: Alerting;
  teams: { a: TeamKeys; b: TeamKeys };
  operatorKey: string;
  call(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startAlertHarness(): Promise<AlertHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-alert-http-'));
  const operatorKey = 'alert-test-operator-key-0123456789';
  const config = loadConfig({ AUDITLOG_DATA_DIR: dir, AUDITLOG_OPERATOR_KEY: operatorKey, AUDITLOG_LOG_LEVEL: 'silent', AUDITLOG_STORE: 'sqlite' });
  const logger = createLogger(config);
  const rt = await createRuntime(config, logger);
  await rt.teams.ensureOperatorKey(operatorKey);
  const alerting = createAlerting({
    store: rt.store,
    state: new SqliteAlertStateStore(join(dir, 'alerts.db')),
    baseUrl: 'http://127.0.0.1',
  });

  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use('*', async (c, next) => {
    c.set('requestId', 'test');
    c.set('logger', logger);
    await next();
  });
  app.onError(onError);
  app.notFound((c) => onError(new AppError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), c));
  app.use('/api/v1/*', authenticate(rt.teams));
  registerAlertRoutes(app, { alerts: alerting.service, engine: alerting.engine });
  registerSavedSearchRoutes(app, { alerts: alerting.service });
  registerSearchRoutes(app, { search: rt.search, store: rt.store });

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const makeTeam = async (id: string): Promise<TeamKeys> => {
    await rt.teams.createTeam({ id: id as never });
    const keys = {} as Record<Role, string>;
    for (const role of ['ingest', 'read', 'admin'] as const) keys[role] = (await rt.teams.createKey(id, role)).secret;
    return { team: id, keys };
  };
  const teams = { a: await makeTeam('team-a'), b: await makeTeam('team-a-b') };

  return {
    url,
    rt,
    alerting,
    teams,
    operatorKey,
    call(path, init = {}) {
      const { key, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set('authorization', `Bearer ${key}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await alerting.close();
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
