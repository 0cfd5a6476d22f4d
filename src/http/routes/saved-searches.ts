/**
 * Saved searches ("custom views"): a read key lists and opens them, an admin key writes
 * them. The query is validated and stored in canonical form.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { SavedSearch, SavedSearchInput } from '../../saved-searches/model.ts';
import type { SavedSearchService } from '../../saved-searches/service.ts';
import { authRoute, json } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';

const View = SavedSearch.meta({ id: 'SavedSearch' });
const Body = SavedSearchInput.meta({ id: 'SavedSearchInput' });
const IdParam = z.object({ id: z.string().min(1).max(64) });

const listRoute = authRoute({
  role: 'read',
  operationId: 'listSavedSearches',
  method: 'get',
  path: '/api/v1/saved-searches',
  summary: "List your team's saved searches (read key)",
  responses: { 200: json(z.object({ savedSearches: z.array(View) }), 'Saved searches') },
});
const getRoute = authRoute({
  role: 'read',
  operationId: 'getSavedSearch',
  errors: ['NOT_FOUND'],
  method: 'get',
  path: '/api/v1/saved-searches/{id}',
  summary: 'One saved search (read key)',
  request: { params: IdParam },
  responses: { 200: json(View, 'Saved search') },
});
const createSearchRoute = authRoute({
  role: 'admin',
  operationId: 'createSavedSearch',
  errors: ['QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT'],
  method: 'post',
  path: '/api/v1/saved-searches',
  summary: 'Save a search (admin key)',
  request: { body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: { 201: json(View, 'Created') },
});
const putRoute = authRoute({
  role: 'admin',
  operationId: 'replaceSavedSearch',
  errors: ['NOT_FOUND', 'QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT'],
  method: 'put',
  path: '/api/v1/saved-searches/{id}',
  summary: 'Replace a saved search (admin key)',
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: { 200: json(View, 'Updated') },
});
const deleteRoute = authRoute({
  role: 'admin',
  operationId: 'deleteSavedSearch',
  errors: ['NOT_FOUND'],
  method: 'delete',
  path: '/api/v1/saved-searches/{id}',
  summary: 'Delete a saved search (admin key)',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' } },
});

export function registerSavedSearchRoutes(app: OpenAPIHono<AppEnv>, deps: { savedSearches: SavedSearchService }) {
  const { savedSearches } = deps;

  app.openapi(listRoute, async (c) => {
    const team = c.get('team');
    return c.json({ savedSearches: await savedSearches.list(team) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const team = c.get('team');
    return c.json(await savedSearches.get(team, c.req.valid('param').id), 200);
  });

  app.openapi(createSearchRoute, async (c) => {
    const team = c.get('team');
    return c.json(await savedSearches.create(team, c.req.valid('json')), 201);
  });

  app.openapi(putRoute, async (c) => {
    const team = c.get('team');
    return c.json(await savedSearches.update(team, c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const team = c.get('team');
    await savedSearches.delete(team, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
