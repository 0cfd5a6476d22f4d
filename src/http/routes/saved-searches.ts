/**
 * Saved searches ("custom views"): a read key lists and opens them, an admin key writes
 * them. The query is validated and stored in canonical form.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { SavedSearch, SavedSearchInput } from '../../saved-searches/model.ts';
import type { SavedSearchService } from '../../saved-searches/service.ts';
import { teamOf } from '../auth.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorBody, 'Invalid saved search or query'),
  401: json(ErrorBody, 'Missing or invalid key'),
  403: json(ErrorBody, 'The key lacks the role for this call'),
} as const;
const notFound = { 404: json(ErrorBody, 'No such saved search in your team') } as const;
const View = SavedSearch.meta({ id: 'SavedSearch' });
const Body = SavedSearchInput.meta({ id: 'SavedSearchInput' });
const IdParam = z.object({ id: z.string().min(1).max(64) });

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/saved-searches',
  summary: "List your team's saved searches (read key)",
  security: [{ Bearer: [] }],
  responses: { 200: json(z.object({ savedSearches: z.array(View) }), 'Saved searches'), ...errors },
});
const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/saved-searches/{id}',
  summary: 'One saved search (read key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 200: json(View, 'Saved search'), ...notFound, ...errors },
});
const createSearchRoute = createRoute({
  method: 'post',
  path: '/api/v1/saved-searches',
  summary: 'Save a search (admin key)',
  security: [{ Bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: { 201: json(View, 'Created'), ...errors },
});
const putRoute = createRoute({
  method: 'put',
  path: '/api/v1/saved-searches/{id}',
  summary: 'Replace a saved search (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: { 200: json(View, 'Updated'), ...notFound, ...errors },
});
const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/v1/saved-searches/{id}',
  summary: 'Delete a saved search (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...notFound, ...errors },
});

export function registerSavedSearchRoutes(app: OpenAPIHono<AppEnv>, deps: { savedSearches: SavedSearchService }) {
  const { savedSearches } = deps;

  app.openapi(listRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'read');
    return c.json({ savedSearches: await savedSearches.list(team) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'read');
    return c.json(await savedSearches.get(team, c.req.valid('param').id), 200);
  });

  app.openapi(createSearchRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await savedSearches.create(team, c.req.valid('json')), 201);
  });

  app.openapi(putRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await savedSearches.update(team, c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    await savedSearches.delete(team, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
