/**
 * Teams (operator key) and a team's own keys and settings (admin key).
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { TeamId } from '../../events/event.ts';
import { ApiKey, Role, Team } from '../../teams/model.ts';
import type { TeamService } from '../../teams/service.ts';
import { authRoute, json } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { answerSchema } from '../schemas.ts';

const TeamView = answerSchema(Team).meta({ id: 'Team' });
const KeyView = ApiKey.meta({ id: 'ApiKey' });

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

const createTeamRoute = authRoute({
  method: 'post', path: '/api/v1/teams', role: 'operator', operationId: 'createTeam',
  errors: ['CONFLICT'],
  summary: 'Create a team (operator key)',
  request: { body: { required: true, content: { 'application/json': { schema: TeamSettings.extend({ id: TeamId }) } } } },
  responses: { 201: json(TeamView, 'Created') },
});

const listTeamsRoute = authRoute({
  method: 'get', path: '/api/v1/teams', role: 'operator', operationId: 'listTeams',
  summary: 'List teams (operator key)',
  responses: { 200: json(z.object({ teams: z.array(TeamView) }), 'Teams') },
});

const getTeamRoute = authRoute({
  method: 'get', path: '/api/v1/teams/{team}', role: 'operator', operationId: 'getTeam',
  errors: ['NOT_FOUND'],
  summary: 'One team with its retention, quota and legal hold (operator key)',
  request: { params: TeamParam },
  responses: { 200: json(TeamView, 'Team') },
});

const patchTeamRoute = authRoute({
  method: 'patch', path: '/api/v1/teams/{team}', role: 'operator', operationId: 'updateTeam',
  errors: ['NOT_FOUND'],
  summary: "Change a team's retention, retention range, quota, legal hold or name (operator key); recorded in the audit trail",
  request: { params: TeamParam, body: { required: true, content: { 'application/json': { schema: TeamSettings } } } },
  responses: { 200: json(TeamView, 'Updated') },
});

const createTeamKeyRoute = authRoute({
  method: 'post', path: '/api/v1/teams/{team}/keys', role: 'operator', operationId: 'createTeamKey',
  errors: ['NOT_FOUND'],
  summary: "Create a key for a team (operator key): how a new team's first admin key is made",
  request: {
    params: z.object({ team: TeamId }),
    body: { required: true, content: { 'application/json': { schema: z.object({ role: Role, name: z.string().max(200).optional() }) } } },
  },
  responses: { 201: json(z.object({ key: KeyView, secret: z.string() }), 'Created; the secret is shown once') },
});

const listTeamKeysRoute = authRoute({
  method: 'get', path: '/api/v1/teams/{team}/keys', role: 'operator', operationId: 'listTeamKeys',
  errors: ['NOT_FOUND'],
  summary: "List a team's keys (operator key); secrets are never returned",
  request: { params: TeamParam },
  responses: { 200: json(z.object({ keys: z.array(KeyView) }), 'Keys') },
});

const revokeTeamKeyRoute = authRoute({
  method: 'delete', path: '/api/v1/teams/{team}/keys/{id}', role: 'operator', operationId: 'revokeTeamKey',
  errors: ['NOT_FOUND'],
  summary: "Revoke a key of a team (operator key): how a team's last admin key is taken back; recorded in the audit trail",
  request: { params: TeamParam.extend({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' } },
});

const getOwnTeamRoute = authRoute({
  method: 'get', path: '/api/v1/team', role: 'team', operationId: 'getOwnTeam',
  summary: "The calling key's team",
  responses: { 200: json(TeamView, 'Team') },
});

const patchOwnTeamRoute = authRoute({
  method: 'patch', path: '/api/v1/team', role: 'admin', operationId: 'updateOwnTeam',
  summary: "Lengthen the team's retention (up to its maxRetentionDays) or rename it (admin key); quota, retention range and legal hold are the operator's (403)",
  request: { body: { required: true, content: { 'application/json': { schema: OwnTeamSettings } } } },
  responses: { 200: json(TeamView, 'Updated') },
});

const createKeyRoute = authRoute({
  method: 'post', path: '/api/v1/keys', role: 'admin', operationId: 'createKey',
  summary: 'Create a key for your team (admin key)',
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ role: Role, name: z.string().max(200).optional() }) } } } },
  responses: { 201: json(z.object({ key: KeyView, secret: z.string() }), 'Created; the secret is shown once') },
});

const listKeysRoute = authRoute({
  method: 'get', path: '/api/v1/keys', role: 'admin', operationId: 'listKeys',
  summary: "List your team's keys (admin key); secrets are never returned",
  responses: { 200: json(z.object({ keys: z.array(KeyView) }), 'Keys') },
});

const revokeKeyRoute = authRoute({
  method: 'delete', path: '/api/v1/keys/{id}', role: 'admin', operationId: 'revokeKey',
  errors: ['NOT_FOUND'],
  summary: 'Revoke a key of your team (admin key)',
  request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 204: { description: 'Revoked' } },
});

export function registerTeamRoutes(app: OpenAPIHono<AppEnv>, deps: { teams: TeamService }) {
  const { teams } = deps;

  app.openapi(createTeamRoute, async (c) => {
    const body = c.req.valid('json');
    return c.json(await teams.createTeam(body), 201);
  });

  app.openapi(listTeamsRoute, async (c) => {
    return c.json({ teams: await teams.listTeams() }, 200);
  });

  app.openapi(getTeamRoute, async (c) => {
    return c.json(await teams.getTeam(c.req.valid('param').team), 200);
  });

  app.openapi(patchTeamRoute, async (c) => {
    return c.json(await teams.updateTeam(c.req.valid('param').team, c.req.valid('json')), 200);
  });

  app.openapi(createTeamKeyRoute, async (c) => {
    const { team } = c.req.valid('param');
    const { role, name } = c.req.valid('json');
    return c.json(await teams.createKey(team, role, name), 201);
  });

  app.openapi(listTeamKeysRoute, async (c) => {
    const team = await teams.getTeam(c.req.valid('param').team);
    return c.json({ keys: await teams.listKeys(team.id) }, 200);
  });

  app.openapi(revokeTeamKeyRoute, async (c) => {
    const { team, id } = c.req.valid('param');
    await teams.revokeKey((await teams.getTeam(team)).id, id);
    return c.body(null, 204);
  });

  app.openapi(getOwnTeamRoute, async (c) => {
    return c.json(await teams.getTeam(c.get('team')), 200);
  });

  app.openapi(patchOwnTeamRoute, async (c) => {
    const team = c.get('team');
    return c.json(await teams.updateOwnTeam(team, c.req.valid('json')), 200);
  });

  app.openapi(createKeyRoute, async (c) => {
    const team = c.get('team');
    const { role, name } = c.req.valid('json');
    return c.json(await teams.createKey(team, role, name), 201);
  });

  app.openapi(listKeysRoute, async (c) => {
    const team = c.get('team');
    return c.json({ keys: await teams.listKeys(team) }, 200);
  });

  app.openapi(revokeKeyRoute, async (c) => {
    const team = c.get('team');
    await teams.revokeKey(team, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
