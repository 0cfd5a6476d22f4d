/** GET /api/v1/alert-states: ok/firing, last evaluation, last error of every rule of the team (admin key). */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AlertService } from '../../alerts/service.ts';
import { ruleStates } from '../../alerts/states.ts';
import { authRoute, json } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';

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

const statesRoute = authRoute({
  method: 'get', path: '/api/v1/alert-states', role: 'admin', operationId: 'listAlertRuleStates',
  summary: "State of every alert rule of your team: ok or firing, last evaluation, last error (admin key)",
  responses: { 200: json(z.object({ states: z.array(RuleStateView) }), 'One state per rule') },
});

export function registerAlertStateRoutes(app: OpenAPIHono<AppEnv>, deps: { alerts: AlertService }) {
  app.openapi(statesRoute, async (c) => {
    return c.json({ states: await ruleStates(deps.alerts, c.get('team')) }, 200);
  });
}
