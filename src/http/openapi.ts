/**
 * The OpenAPI document at /api/v1/openapi.json: what every route registers, plus the document's
 * own fields. `npm run openapi` writes it without a server, lints it and generates a client from it.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

export function registerOpenApiDocument(app: OpenAPIHono<AppEnv>, o: { version: string; baseUrl?: string }) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A team API key (role ingest, read or admin) or the operator key; X-API-Key: <key> is taken too.',
  });
  app.doc31(OPENAPI_PATH, (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'auditlog API',
      version: o.version,
      description: 'Ingest, search and manage audit events per team.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Behind a proxy the request's origin is the proxy's view; AUDITLOG_BASE_URL is the users'.
    servers: [{ url: (o.baseUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '') }],
  }));
}
