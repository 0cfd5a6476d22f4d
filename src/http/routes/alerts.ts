/**
 * Alert rules (admin key): CRUD, enable/disable, history, a manual evaluation, and the
 * built-in rules of queries/. Channel secrets are write-only: responses never carry them.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AlertEngine } from '../../alerts/engine.ts';
import { Channel, ChannelView, RuleInput } from '../../alerts/model.ts';
import { SavedSearch } from '../../saved-searches/model.ts';
import type { AlertService } from '../../alerts/service.ts';
import { authRoute, json } from '../auth-route.ts';
import { IdParam, registerCollectionRoutes } from '../collection-routes.ts';
import type { AppEnv } from '../context.ts';
import { answerSchema } from '../schemas.ts';

const RuleBody = RuleInput.meta({
  id: 'AlertRuleInput',
  description:
    'An alert rule. Channels: webhook {url, secret?, headers?} (JSON body signed with X-Auditlog-Signature: sha256=HMAC(secret, "<X-Auditlog-Timestamp>.<body>")), slack {url}, email {to}. Secrets are write-only; send a channel back with its id and without its secret to keep the stored one.',
});
const RuleViewSchema = answerSchema(
  RuleInput.omit({ channels: true }).extend({
    id: z.string(),
    team: z.string(),
    builtin: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
    channels: z.array(ChannelView),
  }),
).meta({ id: 'AlertRule' });
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

const patchRuleRoute = authRoute({
  method: 'patch', path: '/api/v1/alerts/{id}', role: 'admin', operationId: 'setAlertRuleEnabled',
  errors: ['NOT_FOUND'],
  summary: 'Enable or disable an alert rule (admin key)',
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: z.object({ enabled: z.boolean() }) } } } },
  responses: { 200: json(RuleViewSchema, 'Updated') },
});
const historyRoute = authRoute({
  method: 'get', path: '/api/v1/alerts/{id}/history', role: 'admin', operationId: 'getAlertRuleHistory',
  errors: ['NOT_FOUND'],
  summary: 'Firings, recoveries, suppressions and every delivery attempt of a rule, newest first (admin key)',
  request: {
    params: IdParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      before: z.string().datetime().optional().openapi({ description: 'Only entries before this time (ISO 8601), for paging' }),
    }),
  },
  responses: { 200: json(z.object({ history: z.array(HistoryView) }), 'History') },
});
const evaluateRoute = authRoute({
  method: 'post', path: '/api/v1/alerts/{id}/evaluate', role: 'admin', operationId: 'evaluateAlertRule',
  errors: ['NOT_FOUND', 'QUERY_TIMEOUT'],
  summary: 'Evaluate a rule now, as the scheduler would (admin key)',
  request: { params: IdParam },
  responses: { 200: json(z.object({ result: z.record(z.string(), z.unknown()) }), 'What the evaluation did') },
});
const builtinRoute = authRoute({
  method: 'post', path: '/api/v1/alerts/builtin', role: 'admin', operationId: 'installBuiltinAlertRules',
  summary: 'Install or update the built-in rules and saved searches (admin key); idempotent',
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
  },
});

export function registerAlertRoutes(app: OpenAPIHono<AppEnv>, deps: { alerts: AlertService; engine: AlertEngine }) {
  const { alerts } = deps;

  // Registered before /alerts/{id} routes so "builtin" is never read as an id.
  app.openapi(builtinRoute, async (c) => {
    const team = c.get('team');
    const body = c.req.valid('json') ?? {};
    return c.json(await alerts.installBuiltInRules(team, body), 200);
  });

  registerCollectionRoutes(
    app,
    {
      path: '/api/v1/alerts',
      one: 'AlertRule',
      many: 'AlertRules',
      listField: 'rules',
      view: RuleViewSchema,
      input: RuleBody,
      read: 'admin',
      write: 'admin',
      inputErrors: ['QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT'],
      summaries: {
        list: "List your team's alert rules (admin key)",
        get: 'One alert rule (admin key)',
        create: 'Create an alert rule (admin key)',
        replace: 'Replace an alert rule (admin key); its watermark and state are kept',
        delete: 'Delete an alert rule (admin key); its history is kept',
      },
    },
    {
      list: (team) => alerts.listRules(team),
      get: (team, id) => alerts.getRule(team, id),
      create: (team, input) => alerts.createRule(team, input),
      update: (team, id, input) => alerts.updateRule(team, id, input),
      delete: (team, id) => alerts.deleteRule(team, id),
    },
  );

  app.openapi(patchRuleRoute, async (c) => {
    const team = c.get('team');
    return c.json(await alerts.setEnabled(team, c.req.valid('param').id, c.req.valid('json').enabled), 200);
  });

  app.openapi(historyRoute, async (c) => {
    const team = c.get('team');
    const { limit, before } = c.req.valid('query');
    const entries = await alerts.history(team, c.req.valid('param').id, { limit, ...(before ? { before: Date.parse(before) } : {}) });
    return c.json({ history: entries.map(({ team: _t, ruleId: _r, at, ...h }) => ({ ...h, at: new Date(at).toISOString() })) }, 200);
  });

  app.openapi(evaluateRoute, async (c) => {
    const team = c.get('team');
    const rule = await alerts.getRule(team, c.req.valid('param').id);
    const result = await deps.engine.runRule(rule.id);
    return c.json({ result: { ...result } }, 200);
  });
}
