/**
 * POST /api/v1/alerts/test (read key): try a rule, saved or not, without saving or sending
 * anything. With `event` (an event as a producer sends it, normalized by the ingest pipeline)
 * or `eventId` (a stored event of the team): does the rule's query match it. With `from`
 * (and `to`, default now): what the rule would have notified over that range, evaluated at
 * each time of its schedule as the scheduler would have.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AlertService } from '../../alerts/service.ts';
import { RuleInput } from '../../alerts/model.ts';
import { MAX_DRY_RUN_EVALUATIONS, type RuleTester } from '../../alerts/rule-test.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { EventFormat, JsonObject, type StoredEvent } from '../../events/event.ts';
import { prepareEvents } from '../../ingest/prepare.ts';
import { evalDateMath } from '../../query/date-math.ts';
import type { AuditStore } from '../../store/interface.ts';
import { authRoute, json } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { EventView, toEventView } from '../schemas.ts';

const TestBody = z
  .object({
    rule: RuleInput.extend({ name: z.string().trim().min(1).max(200).default('rule test') })
      .optional()
      .openapi({ description: 'The rule to try, as POST /api/v1/alerts takes it (channels are ignored)' }),
    ruleId: z.string().min(1).max(64).optional().openapi({ description: 'Or a saved rule of the team' }),
    event: JsonObject.optional().openapi({ description: 'An event as a producer sends it; it is normalized as ingest would, not stored' }),
    format: EventFormat.optional().openapi({ description: "The event's format; detected when absent" }),
    eventId: z.string().min(1).max(128).optional().openapi({ description: 'Or a stored event of the team' }),
    from: z.string().max(64).optional().openapi({ description: 'Replay the rule from here (ISO 8601, epoch ms or date math), at most 7 days', example: 'now-24h' }),
    to: z.string().max(64).optional().openapi({ description: 'Replay up to here; default now', example: 'now' }),
  })
  .superRefine((b, ctx) => {
    if ((b.rule === undefined) === (b.ruleId === undefined)) ctx.addIssue({ code: 'custom', path: ['rule'], message: 'give either rule or ruleId' });
    if (b.event !== undefined && b.eventId !== undefined) ctx.addIssue({ code: 'custom', path: ['eventId'], message: 'give either event or eventId, not both' });
    if (b.event === undefined && b.eventId === undefined && b.from === undefined) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'give an event, an eventId or a from to replay' });
    }
  })
  .openapi('AlertTestRequest');

const GroupView = z.object({
  kind: z.string(),
  group: z.string(),
  value: z.number(),
  matches: z.number(),
  suppressed: z.number(),
  window: z.object({ from: z.string(), to: z.string() }),
  terms: z.array(z.string()).optional(),
  events: z.array(z.record(z.string(), z.unknown())),
});

const TestResult = z
  .object({
    event: z
      .object({
        matches: z.boolean(),
        groups: z.array(z.string()).optional().openapi({ description: "The event's values of the rule's groupBy field" }),
        normalized: EventView.openapi({ description: 'The event as it would be stored' }),
      })
      .optional(),
    range: z
      .object({
        from: z.string(),
        to: z.string(),
        evaluations: z.number().int(),
        events: z.number().int(),
        notifications: z.array(z.object({ evaluatedAt: z.string(), groups: z.array(GroupView) })),
      })
      .optional(),
  })
  .openapi('AlertTestResult');

const testRoute = authRoute({
  method: 'post', path: '/api/v1/alerts/test', role: 'read', operationId: 'testAlertRule',
  errors: ['NOT_FOUND', 'QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT', 'QUERY_TIMEOUT'],
  summary: 'Try a rule on an event or replay it over a past range, writing and sending nothing (read key)',
  description: `A replay evaluates the rule at each time its schedule names in the range (at most ${MAX_DRY_RUN_EVALUATIONS} times, 7 days), with throttle, reminders and recovery as the scheduler would.`,
  request: { body: { required: true, content: { 'application/json': { schema: TestBody } } } },
  responses: {
    200: json(TestResult, 'What the rule does'),
  },
});

function timeParam(name: 'from' | 'to', text: string, now: number): number {
  try {
    return evalDateMath(text, now, false);
  } catch {
    throw new ValidationError(`${name}: ${JSON.stringify(text)} is not a time (use ISO 8601, epoch ms or date math such as now-1h)`, { field: name });
  }
}

export function registerAlertTestRoutes(
  app: OpenAPIHono<AppEnv>,
  deps: { alerts: AlertService; tester: RuleTester; store: AuditStore; now?: () => number },
) {
  const now = deps.now ?? Date.now;
  app.openapi(testRoute, async (c) => {
    const team = c.get('team');
    const body = c.req.valid('json');
    const spec = body.rule ? deps.alerts.validateRule({ ...body.rule, channels: [] }) : deps.alerts.validateRule({ ...(await deps.alerts.getRule(team, body.ruleId!)), channels: [] });
    const result: z.infer<typeof TestResult> = {};
    let event: StoredEvent | null = null;
    if (body.eventId !== undefined) {
      event = await deps.store.get(team, body.eventId);
      if (!event) throw new NotFoundError('event', body.eventId);
    } else if (body.event !== undefined) {
      const raw = JSON.stringify(body.event);
      const [prepared] = prepareEvents([{ index: 0, value: body.event, raw }], { team, received: now(), ...(body.format ? { format: body.format } : {}) });
      if (!prepared || 'error' in prepared) throw new ValidationError(`event: ${prepared && 'error' in prepared ? prepared.error.reason : 'not an event'}`, { field: 'event' });
      event = prepared.event;
    }
    if (event) result.event = { ...deps.tester.testEvent(spec, event), normalized: toEventView(event) };
    if (body.from !== undefined) {
      const at = now();
      const from = timeParam('from', body.from, at);
      const to = body.to === undefined ? at : timeParam('to', body.to, at);
      const run = await deps.tester.dryRun(team, spec, from, to);
      const iso = (ms: number) => new Date(ms).toISOString();
      result.range = {
        from: iso(run.from),
        to: iso(run.to),
        evaluations: run.evaluations,
        events: run.events,
        notifications: run.notifications.map((n) => ({ evaluatedAt: iso(n.evaluatedAt), groups: n.groups as unknown as z.infer<typeof GroupView>[] })),
      };
    }
    return c.json(result, 200);
  });
}
