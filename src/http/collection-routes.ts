/**
 * The five routes of a collection of a team's things kept by id (saved searches, alert rules):
 * list, get, create, replace and delete, declared and handled once. A collection's own routes
 * (an alert rule's history, say) are declared beside it with `authRoute` as usual.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { type Access, authRoute, json, type RouteErrorCode } from './auth-route.ts';
import type { AppEnv } from './context.ts';

/** What a collection's service does, for one team. */
export interface Collection<View, Input> {
  list(team: string): Promise<View[]>;
  get(team: string, id: string): Promise<View>;
  create(team: string, input: Input): Promise<View>;
  update(team: string, id: string, input: Input): Promise<View>;
  delete(team: string, id: string): Promise<void>;
}

export interface CollectionSpec<V extends z.ZodType, I extends z.ZodType> {
  /** e.g. /api/v1/saved-searches; one item is at `${path}/{id}`. */
  path: string;
  /** For operation ids and descriptions: one item, several (`SavedSearch`, `SavedSearches`). */
  one: string;
  many: string;
  /** The list's field in the answer (`{ savedSearches: [...] }`). */
  listField: string;
  view: V;
  input: I;
  /** The role that reads the collection, and the one that writes it. */
  read: Access;
  write: Access;
  /** What a create or replace can answer besides a 400 of its body (e.g. the query's errors). */
  inputErrors: readonly RouteErrorCode[];
  /** A summary per route, as the document shows it. */
  summaries: Record<'list' | 'get' | 'create' | 'replace' | 'delete', string>;
}

export const IdParam = z.object({ id: z.string().min(1).max(64) });

export function registerCollectionRoutes<V extends z.ZodType, I extends z.ZodType>(
  app: OpenAPIHono<AppEnv>,
  spec: CollectionSpec<V, I>,
  items: Collection<z.output<V>, z.output<I>>,
) {
  const { path, one, many, view, read, write, summaries } = spec;
  // Widened to a plain zod type, so the routes' input types are concrete; `items` types the value.
  const body = { required: true, content: { 'application/json': { schema: spec.input as z.ZodType } } };
  const byId = `${path}/{id}`;
  const inputErrors = [...spec.inputErrors];
  const list = authRoute({
    method: 'get', path, role: read, operationId: `list${many}`,
    summary: summaries.list,
    responses: { 200: json(z.object({ [spec.listField]: z.array(view) }), many) },
  });
  const get = authRoute({
    method: 'get', path: byId, role: read, operationId: `get${one}`,
    summary: summaries.get, errors: ['NOT_FOUND'],
    request: { params: IdParam },
    responses: { 200: json(view, one) },
  });
  const create = authRoute({
    method: 'post', path, role: write, operationId: `create${one}`,
    summary: summaries.create, errors: inputErrors,
    request: { body },
    responses: { 201: json(view, 'Created') },
  });
  const replace = authRoute({
    method: 'put', path: byId, role: write, operationId: `replace${one}`,
    summary: summaries.replace, errors: ['NOT_FOUND', ...inputErrors],
    request: { params: IdParam, body },
    responses: { 200: json(view, 'Updated') },
  });
  const remove = authRoute({
    method: 'delete', path: byId, role: write, operationId: `delete${one}`,
    summary: summaries.delete, errors: ['NOT_FOUND'],
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' } },
  });

  // The route types are generic here, so the answers are checked against `Collection`, not the schemas.
  app.openapi(list, async (c) => c.json({ [spec.listField]: await items.list(c.get('team')) }, 200) as never);
  app.openapi(get, async (c) => c.json(await items.get(c.get('team'), c.req.valid('param').id), 200) as never);
  app.openapi(create, async (c) => c.json(await items.create(c.get('team'), c.req.valid('json') as z.output<I>), 201) as never);
  app.openapi(replace, async (c) => c.json(await items.update(c.get('team'), c.req.valid('param').id, c.req.valid('json') as z.output<I>), 200) as never);
  app.openapi(remove, async (c) => {
    await items.delete(c.get('team'), c.req.valid('param').id);
    return c.body(null, 204);
  });
}
