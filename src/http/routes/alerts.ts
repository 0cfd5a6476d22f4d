/**
 * Alert rules (admin key): CRUD, enable/disable, history, a manual evaluation, and the
 * built-in rules of queries/. Channel secrets are write-only: responses never carry them.
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AlertEngine } from '../../alerts/engine.ts';
import { Channel, ChannelView, RuleInput } from '../../alerts/model.ts';
import { SavedSearch } from '../../saved-searches/model.ts';
import type { AlertService } from '../../alerts/service.ts';
import { teamOf } from '../auth.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorBody, 'Invalid rule, query or parameter'),
  401: json(ErrorBody, 'Missing or invalid key'),
  403: json(ErrorBody, 'The key lacks the admin role'),
} as const;
const notFound = { 404: json(ErrorBody, 'No such rule in your team') } as const;

const RuleBody = RuleInput.meta({
  id: 'AlertRuleInput',
  description:
    'An alert rule. Channels: webhook {url, secret?, headers?} (JSON body signed with X-Auditlog-Signature: sha256=HMAC(secret, "<X-Auditlog-Timestamp>.<body>")), slack {url}, email {to}. Secrets are write-only; send a channel back with its id and without its secret to keep the stored one.',
});
const RuleViewSchema = RuleInput.omit({ channels: true })
  .extend({
    id: z.string(),
    team: z.string(),
    builtin: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    channels: z.array(ChannelView),
  })
  .meta({ id: 'AlertRule' });
const HistoryView = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.string(),
    group: z.string(),
    message: z.string(),
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('AlertHistoryEntry');
const IdParam = z.object({ id: z.string().min(1).max(64) });

const createRuleRoute = createRoute({
  method: 'post',
  path: '/api/v1/alerts',
  summary: 'Create an alert rule (admin key)',
  security: [{ Bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: RuleBody } } } },
  responses: { 201: json(RuleViewSchema, 'Created'), ...errors },
});
const listRulesRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts',
  summary: "List your team's alert rules (admin key)",
  security: [{ Bearer: [] }],
  responses: { 200: json(z.object({ rules: z.array(RuleViewSchema) }), 'Rules'), ...errors },
});
const getRuleRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts/{id}',
  summary: 'One alert rule (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 200: json(RuleViewSchema, 'Rule'), ...notFound, ...errors },
});
const putRuleRoute = createRoute({
  method: 'put',
  path: '/api/v1/alerts/{id}',
  summary: 'Replace an alert rule (admin key); its watermark and state are kept',
  security: [{ Bearer: [] }],
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: RuleBody } } } },
  responses: { 200: json(RuleViewSchema, 'Updated'), ...notFound, ...errors },
});
const patchRuleRoute = createRoute({
  method: 'patch',
  path: '/api/v1/alerts/{id}',
  summary: 'Enable or disable an alert rule (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: z.object({ enabled: z.boolean() }) } } } },
  responses: { 200: json(RuleViewSchema, 'Updated'), ...notFound, ...errors },
});
const deleteRuleRoute = createRoute({
  method: 'delete',
  path: '/api/v1/alerts/{id}',
  summary: 'Delete an alert rule (admin key); its history is kept',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...notFound, ...errors },
});
const historyRoute = createRoute({
  method: 'get',
  path: '/api/v1/alerts/{id}/history',
  summary: 'Firings, recoveries, suppressions and every delivery attempt of a rule, newest first (admin key)',
  security: [{ Bearer: [] }],
  request: {
    params: IdParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      before: z.string().datetime().optional().openapi({ description: 'Only entries before this time (ISO 8601), for paging' }),
    }),
  },
  responses: { 200: json(z.object({ history: z.array(HistoryView) }), 'History'), ...notFound, ...errors },
});
const evaluateRoute = createRoute({
  method: 'post',
  path: '/api/v1/alerts/{id}/evaluate',
  summary: 'Evaluate a rule now, as the scheduler would (admin key)',
  security: [{ Bearer: [] }],
  request: { params: IdParam },
  responses: { 200: json(z.object({ result: z.record(z.string(), z.unknown()) }), 'What the evaluation did'), ...notFound, ...errors },
});
const builtinRoute = createRoute({
  method: 'post',
  path: '/api/v1/alerts/builtin',
  summary: 'Install or update the built-in rules and saved searches (admin key); idempotent',
  security: [{ Bearer: [] }],
  request: {
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.object({
            channels: z.array(Channel).max(10).optional().openapi({ description: 'Channels for newly created rules' }),
            enabled: z.boolean().optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: json(
      z.object({
        rules: z.object({ created: z.array(RuleViewSchema), updated: z.array(RuleViewSchema) }),
        savedSearches: z.object({ created: z.array(SavedSearch), updated: z.array(SavedSearch) }),
      }),
      'Installed',
    ),
    ...errors,
  },
});

export function registerAlertRoutes(app: OpenAPIHono<AppEnv>, deps: { alerts: AlertService; engine: AlertEngine }) {
  const { alerts } = deps;

  // Registered before /alerts/{id} routes so "builtin" is never read as an id.
  app.openapi(builtinRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    const body = c.req.valid('json') ?? {};
    return c.json(await alerts.installBuiltInRules(team, body), 200);
  });

  app.openapi(createRuleRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await alerts.createRule(team, c.req.valid('json')), 201);
  });

  app.openapi(listRulesRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json({ rules: await alerts.listRules(team) }, 200);
  });

  app.openapi(getRuleRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await alerts.getRule(team, c.req.valid('param').id), 200);
  });

  app.openapi(putRuleRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await alerts.updateRule(team, c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi(patchRuleRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await alerts.setEnabled(team, c.req.valid('param').id, c.req.valid('json').enabled), 200);
  });

  app.openapi(deleteRuleRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    await alerts.deleteRule(team, c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(historyRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    const { limit, before } = c.req.valid('query');
    const entries = await alerts.history(team, c.req.valid('param').id, { limit, ...(before ? { before: Date.parse(before) } : {}) });
    return c.json({ history: entries.map(({ team: _t, ruleId: _r, at, ...h }) => ({ ...h, at: new Date(at).toISOString() })) }, 200);
  });

  app.openapi(evaluateRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    const rule = await alerts.getRule(team, c.req.valid('param').id);
    const result = await deps.engine.runRule(rule.id);
    return c.json({ result: { ...result } }, 200);
  });
}
