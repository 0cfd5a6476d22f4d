/** GET /api/v1/alert-states: ok/firing, last evaluation, last error of every rule of the team (admin key). */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AlertService } from '../../alerts/service.ts';
import { ruleStates } from '../../alerts/states.ts';
import { teamOf } from '../auth.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';

const RuleStateView = z
  .object({
    ruleId: z.string(),
    status: z.enum(['ok', 'firing']),
    firingGroups: z.array(z.object({ group: z.string(), since: z.string().nullable(), value: z.number() })),
    lastEvaluatedAt: z.string().nullable().openapi({ description: 'End of the last evaluated window' }),
    lastError: z.object({ at: z.string(), message: z.string() }).nullable(),
    lastFiredAt: z.string().nullable(),
  })
  .openapi('AlertRuleState');

const statesRoute = createRoute({
  method: 'get',
  path: '/api/v1/alert-states',
  summary: "State of every alert rule of your team: ok or firing, last evaluation, last error (admin key)",
  security: [{ Bearer: [] }],
  responses: {
    200: { description: 'One state per rule', content: { 'application/json': { schema: z.object({ states: z.array(RuleStateView) }) } } },
    401: { description: 'Missing or invalid key', content: { 'application/json': { schema: ErrorBody } } },
    403: { description: 'The key lacks the admin role', content: { 'application/json': { schema: ErrorBody } } },
  },
});

export function registerAlertStateRoutes(app: OpenAPIHono<AppEnv>, deps: { alerts: AlertService }) {
  app.openapi(statesRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json({ states: await ruleStates(deps.alerts, team) }, 200);
  });
}
