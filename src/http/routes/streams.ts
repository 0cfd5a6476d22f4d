/**
 * Event streams (src/streams/): a team admin key creates and manages them; status and lag
 * come with every read.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { StreamInput, StreamUpdate, StreamView } from '../../streams/model.ts';
import type { StreamService } from '../../streams/service.ts';
import { authRoute, json, QUERY_ERRORS } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';

const Body = StreamInput.meta({ id: 'StreamInput' });
const Patch = StreamUpdate.meta({ id: 'StreamUpdate' });
const IdParam = z.object({ id: z.string().min(1).max(64) });
// A stream's query is checked when it is written (QUERY_TIMEOUT cannot happen: nothing is read then).
const WRITE_ERRORS = ['QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT'] as const satisfies readonly (typeof QUERY_ERRORS)[number][];

const listRoute = authRoute({
  method: 'get', path: '/api/v1/streams', role: 'admin', operationId: 'listStreams',
  summary: "List your team's event streams with their status and lag (admin key)",
  responses: { 200: json(z.object({ streams: z.array(StreamView) }), 'Streams') },
});
const getRoute = authRoute({
  method: 'get', path: '/api/v1/streams/{id}', role: 'admin', operationId: 'getStream',
  errors: ['NOT_FOUND'],
  summary: 'One event stream with its status and lag (admin key)',
  request: { params: IdParam },
  responses: { 200: json(StreamView, 'Stream') },
});
const createStreamRoute = authRoute({
  method: 'post', path: '/api/v1/streams', role: 'admin', operationId: 'createStream',
  errors: [...WRITE_ERRORS],
  summary: "Stream your team's events (or those matching a query) to an HTTP endpoint (admin key)",
  request: { body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: { 201: json(StreamView, 'Created') },
});
const patchRoute = authRoute({
  method: 'patch', path: '/api/v1/streams/{id}', role: 'admin', operationId: 'updateStream',
  errors: ['NOT_FOUND', 'CONFLICT', ...WRITE_ERRORS],
  summary: 'Change a stream; a failing stream given a new url or secret is tried again (admin key)',
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: Patch } } } },
  responses: { 200: json(StreamView, 'Updated') },
});
const pauseRoute = authRoute({
  method: 'post', path: '/api/v1/streams/{id}/pause', role: 'admin', operationId: 'pauseStream',
  errors: ['NOT_FOUND', 'CONFLICT'],
  summary: 'Stop sending; events keep their place and are sent on resume (admin key)',
  request: { params: IdParam },
  responses: { 200: json(StreamView, 'Paused') },
});
const resumeRoute = authRoute({
  method: 'post', path: '/api/v1/streams/{id}/resume', role: 'admin', operationId: 'resumeStream',
  errors: ['NOT_FOUND', 'CONFLICT'],
  summary: 'Send again, from where the stream stopped; a failing stream is tried again at once (admin key)',
  request: { params: IdParam },
  responses: { 200: json(StreamView, 'Active') },
});
const deleteRoute = authRoute({
  method: 'delete', path: '/api/v1/streams/{id}', role: 'admin', operationId: 'deleteStream',
  errors: ['NOT_FOUND'],
  summary: 'Delete a stream (admin key)',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' } },
});

export function registerStreamRoutes(app: OpenAPIHono<AppEnv>, deps: { streams: StreamService }) {
  const { streams } = deps;

  app.openapi(listRoute, async (c) => {
    const team = c.get('team');
    return c.json({ streams: await streams.list(team) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const team = c.get('team');
    return c.json(await streams.get(team, c.req.valid('param').id), 200);
  });

  app.openapi(createStreamRoute, async (c) => {
    const team = c.get('team');
    return c.json(await streams.create(team, c.req.valid('json')), 201);
  });

  app.openapi(patchRoute, async (c) => {
    const team = c.get('team');
    return c.json(await streams.update(team, c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi(pauseRoute, async (c) => {
    const team = c.get('team');
    return c.json(await streams.pause(team, c.req.valid('param').id), 200);
  });

  app.openapi(resumeRoute, async (c) => {
    const team = c.get('team');
    return c.json(await streams.resume(team, c.req.valid('param').id), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const team = c.get('team');
    await streams.delete(team, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
