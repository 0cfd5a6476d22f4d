/**
 * The operator's view of a team's keys: GET /api/v1/teams/{team}/keys and
 * DELETE /api/v1/teams/{team}/keys/{id}, how a team's keys are audited and its last admin key
 * taken back. Only the operator key may call them, and a key is found only under its own team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

describe.each(storeKinds('team keys'))('operator team keys on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { AUDITLOG_ALERTS: 'off' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("lists a team's keys without secrets or hashes, to the operator only", async () => {
    const res = await h.call(`/api/v1/teams/${h.teams.a.team}/keys`, { key: OPERATOR_KEY });
    expect(res.status).toBe(200);
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((k) => k.id).sort()).toEqual(Object.values(h.teams.a.keyIds).sort());
    for (const k of keys) {
      expect(k.team).toBe(h.teams.a.team);
      expect(Object.keys(k).sort()).toEqual(['createdAt', 'id', 'name', 'revokedAt', 'role', 'team']);
    }
    for (const key of Object.values(h.teams.a.keys)) {
      expect((await h.call(`/api/v1/teams/${h.teams.a.team}/keys`, { key })).status).toBe(403);
    }
    expect((await h.call(`/api/v1/teams/${h.teams.a.team}/keys`)).status).toBe(401);
    expect((await h.call('/api/v1/teams/no-such-team/keys', { key: OPERATOR_KEY })).status).toBe(404);
  });

  it("revokes a key under its own team only; the revoked key is refused at once", async () => {
    const made = (await (
      await h.call(`/api/v1/teams/${h.teams.b.team}/keys`, { method: 'POST', key: OPERATOR_KEY, json: { role: 'read' } })
    ).json()) as { key: { id: string }; secret: string };
    expect((await h.call('/api/v1/events', { key: made.secret })).status).toBe(200);
    // Under the other team's path (a prefix of it, the classic trap) the key is not found.
    const wrong = await h.call(`/api/v1/teams/${h.teams.a.team}/keys/${made.key.id}`, { method: 'DELETE', key: OPERATOR_KEY });
    expect(wrong.status).toBe(404);
    expect((await h.call('/api/v1/events', { key: made.secret })).status).toBe(200);
    const byAdmin = await h.call(`/api/v1/teams/${h.teams.b.team}/keys/${made.key.id}`, { method: 'DELETE', key: h.teams.b.keys.admin });
    expect(byAdmin.status).toBe(403);
    const ok = await h.call(`/api/v1/teams/${h.teams.b.team}/keys/${made.key.id}`, { method: 'DELETE', key: OPERATOR_KEY });
    expect(ok.status).toBe(204);
    expect((await h.call('/api/v1/events', { key: made.secret })).status).toBe(401);
    const again = await h.call(`/api/v1/teams/${h.teams.b.team}/keys/${made.key.id}`, { method: 'DELETE', key: OPERATOR_KEY });
    expect(again.status).toBe(404);
  });

  it('documents both routes in the OpenAPI document with their operationIds', async () => {
    const doc = (await (await h.call('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
    expect(doc.paths['/api/v1/teams/{team}/keys']?.get?.operationId).toBe('listTeamKeys');
    expect(doc.paths['/api/v1/teams/{team}/keys/{id}']?.delete?.operationId).toBe('revokeTeamKey');
  });
});
