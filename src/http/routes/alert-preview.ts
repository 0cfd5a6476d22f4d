/**
 * POST /api/v1/alerts/preview: what a rule (saved or not) would have fired on over the last
 * 24 hours (admin key). See src/alerts/preview.ts for how, and where it estimates.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { RuleInput } from '../../alerts/model.ts';
import { canonicalQuery } from '../../alerts/service.ts';
import { ValidationError } from '../../errors.ts';
import { previewRule } from '../../alerts/preview.ts';
import type { AuditStore } from '../../store/interface.ts';
import { authRoute, json, QUERY_ERRORS } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';

const PreviewView = z
  .object({
    from: z.string(),
    to: z.string(),
    windowMs: z.number().int(),
    matches: z.number().int(),
    firings: z.number().int(),
    exact: z.boolean(),
    note: z.string().optional(),
    windows: z.array(
      z.object({
        start: z.string(),
        end: z.string(),
        count: z.number().int(),
        fired: z.boolean(),
        groups: z.array(z.object({ group: z.string(), value: z.number() })),
      }),
    ),
  })
  .openapi('AlertRulePreview');

const previewRoute = authRoute({
  method: 'post', path: '/api/v1/alerts/preview', role: 'admin', operationId: 'previewAlertRule',
  summary: 'Preview a rule: the windows of the last 24 h in which it would have fired (admin key)',
  request: { body: { required: true, content: { 'application/json': { schema: z.looseObject({}).openapi({ description: 'An alert rule, as for POST /api/v1/alerts' }) } } } },
  errors: QUERY_ERRORS,
  responses: { 200: json(PreviewView, 'Per-window matches and firings') },
});

export function registerAlertPreviewRoutes(app: OpenAPIHono<AppEnv>, deps: { store: AuditStore; now?: () => number }) {
  const now = deps.now ?? Date.now;
  app.openapi(previewRoute, async (c) => {
    const team = c.get('team');
    const parsed = RuleInput.safeParse(c.req.valid('json'));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new ValidationError(`field ${field || '(root)'}: ${issue.message}`, { field });
    }
    const rule = { ...parsed.data, query: canonicalQuery(parsed.data.query) };
    return c.json(await previewRule(deps.store, team, rule, now()), 200);
  });
}
