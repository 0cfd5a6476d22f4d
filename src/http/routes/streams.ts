/**
 * Event streams (src/streams/): a team admin key creates and manages them; status and lag
 * come with every read.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { StreamInput, StreamUpdate, StreamView } from '../../streams/model.ts';
import type { StreamService } from '../../streams/service.ts';
import { teamOf } from '../auth.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorBody, 'Invalid stream, query (with its position) or refused endpoint'),
  401: json(ErrorBody, 'Missing or invalid key'),
  403: json(ErrorBody, 'The key lacks the admin role'),
} as const;
const notFound = { 404: json(ErrorBody, 'No such stream in your team') } as const;
const conflict = { 409: json(ErrorBody, 'The stream changed meanwhile; try again') } as const;
const Body = StreamInput.meta({ id: 'StreamInput' });
const Patch = StreamUpdate.meta({ id: 'StreamUpdate' });
const IdParam = z.object({ id: z.string().min(1).max(64) });

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/streams',
  operationId: 'listStreams',
  summary: "List your team's event streams with their status and lag (admin key)",
  security: [{ Bearer: [] }],
  responses: { 200: json(z.object({ streams: z.array(StreamView) }), 'Streams'), ...errors },
});
const getRoute = createRoute({
  method: 'get',
  path: '/api/v1/streams/{id}',
  operationId: 'getStream',
  summary: 'One event stream with its status and lag (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 200: json(StreamView, 'Stream'), ...notFound, ...errors },
});
const createStreamRoute = createRoute({
  method: 'post',
  path: '/api/v1/streams',
  operationId: 'createStream',
  summary: "Stream your team's events (or those matching a query) to an HTTP endpoint (admin key)",
  security: [{ Bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: Body } } } },
  responses: { 201: json(StreamView, 'Created'), ...errors },
});
const patchRoute = createRoute({
  method: 'patch',
  path: '/api/v1/streams/{id}',
  operationId: 'updateStream',
  summary: 'Change a stream; a failing stream given a new url or secret is tried again (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: Patch } } } },
  responses: { 200: json(StreamView, 'Updated'), ...notFound, ...conflict, ...errors },
});
const pauseRoute = createRoute({
  method: 'post',
  path: '/api/v1/streams/{id}/pause',
  operationId: 'pauseStream',
  summary: 'Stop sending; events keep their place and are sent on resume (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 200: json(StreamView, 'Paused'), ...notFound, ...conflict, ...errors },
});
const resumeRoute = createRoute({
  method: 'post',
  path: '/api/v1/streams/{id}/resume',
  operationId: 'resumeStream',
  summary: 'Send again, from where the stream stopped; a failing stream is tried again at once (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 200: json(StreamView, 'Active'), ...notFound, ...conflict, ...errors },
});
const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/v1/streams/{id}',
  operationId: 'deleteStream',
  summary: 'Delete a stream (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...notFound, ...errors },
});

export function registerStreamRoutes(app: OpenAPIHono<AppEnv>, deps: { streams: StreamService }) {
  const { streams } = deps;

  app.openapi(listRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json({ streams: await streams.list(team) }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await streams.get(team, c.req.valid('param').id), 200);
  });

  app.openapi(createStreamRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await streams.create(team, c.req.valid('json')), 201);
  });

  app.openapi(patchRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await streams.update(team, c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi(pauseRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await streams.pause(team, c.req.valid('param').id), 200);
  });

  app.openapi(resumeRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await streams.resume(team, c.req.valid('param').id), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    await streams.delete(team, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
