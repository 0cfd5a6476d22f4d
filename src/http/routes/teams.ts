/**
 * Teams (operator key) and a team's own keys and settings (admin key).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../../errors.ts';
import { TeamId } from '../../events/event.ts';
import { ApiKey, Role, Team } from '../../teams/model.ts';
import type { TeamService } from '../../teams/service.ts';
import { requireOperator, teamOf } from '../auth.ts';
import type { AppEnv } from '../context.ts';
import { ErrorBody } from '../errors.ts';

const TeamView = Team.meta({ id: 'Team' });
const KeyView = ApiKey.meta({ id: 'ApiKey' });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorBody, 'Invalid input'),
  401: json(ErrorBody, 'Missing or invalid key'),
  403: json(ErrorBody, 'Wrong key for this call'),
} as const;

const Name = z.string().min(1).max(200);
const Days = z.number().int().min(1).max(36500);
/** What the operator sets on a team, at creation or later. */
const TeamSettings = z.object({
  name: Name.optional(),
  retentionDays: Days.optional(),
  dailyQuotaBytes: z.number().int().positive().nullable().optional(),
  minRetentionDays: Days.optional().openapi({ description: 'Least retention (days) the team may have; default 1' }),
  maxRetentionDays: Days.optional().openapi({ description: 'Most retention (days) a team admin may choose; default 36500' }),
  legalHold: z.boolean().optional().openapi({ description: "While true, none of the team's events is deleted (retention pass and ILM)" }),
});
/**
 * What a team admin sets on their own team: the name, and a longer retention. Other settings
 * are let through to the service, which answers 403 naming the one that is the operator's.
 */
const OwnTeamSettings = z
  .object({
    name: Name.optional(),
    retentionDays: Days.optional().openapi({ description: "Only longer than now, up to the team's maxRetentionDays" }),
  })
  .loose();
const TeamParam = z.object({ team: TeamId });

const createTeamRoute = createRoute({
  method: 'post',
  path: '/api/v1/teams',
  summary: 'Create a team (operator key)',
  security: [{ Bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: TeamSettings.extend({ id: TeamId }) } } } },
  responses: { 201: json(TeamView, 'Created'), 409: json(ErrorBody, 'Team exists'), ...errors },
});

const listTeamsRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams',
  summary: 'List teams (operator key)',
  security: [{ Bearer: [] }],
  responses: { 200: json(z.object({ teams: z.array(TeamView) }), 'Teams'), ...errors },
});

const getTeamRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams/{team}',
  summary: 'One team with its retention, quota and legal hold (operator key)',
  security: [{ Bearer: [] }],
  request: { params: TeamParam },
  responses: { 200: json(TeamView, 'Team'), 404: json(ErrorBody, 'No such team'), ...errors },
});

const patchTeamRoute = createRoute({
  method: 'patch',
  path: '/api/v1/teams/{team}',
  summary: "Change a team's retention, retention range, quota, legal hold or name (operator key); recorded in the audit trail",
  security: [{ Bearer: [] }],
  request: { params: TeamParam, body: { required: true, content: { 'application/json': { schema: TeamSettings } } } },
  responses: { 200: json(TeamView, 'Updated'), 404: json(ErrorBody, 'No such team'), ...errors },
});

const createTeamKeyRoute = createRoute({
  method: 'post',
  path: '/api/v1/teams/{team}/keys',
  summary: "Create a key for a team (operator key): how a new team's first admin key is made",
  security: [{ Bearer: [] }],
  request: {
    params: z.object({ team: TeamId }),
    body: { required: true, content: { 'application/json': { schema: z.object({ role: Role, name: z.string().max(200).optional() }) } } },
  },
  responses: { 201: json(z.object({ key: KeyView, secret: z.string() }), 'Created; the secret is shown once'), 404: json(ErrorBody, 'No such team'), ...errors },
});

const listTeamKeysRoute = createRoute({
  method: 'get',
  path: '/api/v1/teams/{team}/keys',
  operationId: 'listTeamKeys',
  summary: "List a team's keys (operator key); secrets are never returned",
  security: [{ Bearer: [] }],
  request: { params: TeamParam },
  responses: { 200: json(z.object({ keys: z.array(KeyView) }), 'Keys'), 404: json(ErrorBody, 'No such team'), ...errors },
});

const revokeTeamKeyRoute = createRoute({
  method: 'delete',
  path: '/api/v1/teams/{team}/keys/{id}',
  operationId: 'revokeTeamKey',
  summary: "Revoke a key of a team (operator key): how a team's last admin key is taken back; recorded in the audit trail",
  security: [{ Bearer: [] }],
  request: { params: TeamParam.extend({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' }, 404: json(ErrorBody, 'No such team, or no such key in it'), ...errors },
});

const getOwnTeamRoute = createRoute({
  method: 'get',
  path: '/api/v1/team',
  summary: "The calling key's team",
  security: [{ Bearer: [] }],
  responses: { 200: json(TeamView, 'Team'), ...errors },
});

const patchOwnTeamRoute = createRoute({
  method: 'patch',
  path: '/api/v1/team',
  summary: "Lengthen the team's retention (up to its maxRetentionDays) or rename it (admin key); quota, retention range and legal hold are the operator's (403)",
  security: [{ Bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: OwnTeamSettings } } } },
  responses: { 200: json(TeamView, 'Updated'), ...errors },
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/api/v1/keys',
  summary: 'Create a key for your team (admin key)',
  security: [{ Bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ role: Role, name: z.string().max(200).optional() }) } } } },
  responses: { 201: json(z.object({ key: KeyView, secret: z.string() }), 'Created; the secret is shown once'), ...errors },
});

const listKeysRoute = createRoute({
  method: 'get',
  path: '/api/v1/keys',
  summary: "List your team's keys (admin key); secrets are never returned",
  security: [{ Bearer: [] }],
  responses: { 200: json(z.object({ keys: z.array(KeyView) }), 'Keys'), ...errors },
});

const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/api/v1/keys/{id}',
  summary: 'Revoke a key of your team (admin key)',
  security: [{ Bearer: [] }],
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' }, 404: json(ErrorBody, 'No such key in your team'), ...errors },
});

export function registerTeamRoutes(app: OpenAPIHono<AppEnv>, deps: { teams: TeamService }) {
  const { teams } = deps;

  app.openapi(createTeamRoute, async (c) => {
    requireOperator(c.get('principal'));
    const body = c.req.valid('json');
    return c.json(await teams.createTeam(body), 201);
  });

  app.openapi(listTeamsRoute, async (c) => {
    requireOperator(c.get('principal'));
    return c.json({ teams: await teams.listTeams() }, 200);
  });

  app.openapi(getTeamRoute, async (c) => {
    requireOperator(c.get('principal'));
    return c.json(await teams.getTeam(c.req.valid('param').team), 200);
  });

  app.openapi(patchTeamRoute, async (c) => {
    requireOperator(c.get('principal'));
    return c.json(await teams.updateTeam(c.req.valid('param').team, c.req.valid('json')), 200);
  });

  app.openapi(createTeamKeyRoute, async (c) => {
    requireOperator(c.get('principal'));
    const { team } = c.req.valid('param');
    const { role, name } = c.req.valid('json');
    return c.json(await teams.createKey(team, role, name), 201);
  });

  app.openapi(listTeamKeysRoute, async (c) => {
    requireOperator(c.get('principal'));
    const team = await teams.getTeam(c.req.valid('param').team);
    return c.json({ keys: await teams.listKeys(team.id) }, 200);
  });

  app.openapi(revokeTeamKeyRoute, async (c) => {
    requireOperator(c.get('principal'));
    const { team, id } = c.req.valid('param');
    await teams.revokeKey((await teams.getTeam(team)).id, id);
    return c.body(null, 204);
  });

  app.openapi(getOwnTeamRoute, async (c) => {
    const principal = c.get('principal');
    if (principal.kind === 'operator') throw new AppError('FORBIDDEN', 'the operator key has no team; use GET /api/v1/teams');
    return c.json(await teams.getTeam(principal.key.team), 200);
  });

  app.openapi(patchOwnTeamRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json(await teams.updateOwnTeam(team, c.req.valid('json')), 200);
  });

  app.openapi(createKeyRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    const { role, name } = c.req.valid('json');
    return c.json(await teams.createKey(team, role, name), 201);
  });

  app.openapi(listKeysRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    return c.json({ keys: await teams.listKeys(team) }, 200);
  });

  app.openapi(revokeKeyRoute, async (c) => {
    const team = teamOf(c.get('principal'), 'admin');
    await teams.revokeKey(team, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
