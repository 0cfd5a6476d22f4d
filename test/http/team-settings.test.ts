/**
 * Retention and quota are the operator's: a team admin may only lengthen the retention, up to
 * the operator's maximum, and cannot touch the quota, the retention range or the legal hold.
 * Every change to retention, quota, keys and rules lands in the audit trail with its old and
 * new values, and a legal hold stops the retention pass from deleting anything of the team.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent, TeamId } from '../../src/events/event.ts';
import { applyRetention } from '../../src/teams/retention.ts';
import type { TeamService } from '../../src/teams/service.ts';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

interface ErrorBody {
  error: { code: string; message: string; details?: { field?: string } };
}
interface Page {
  total: number;
  hits: Array<{ normalized: Record<string, unknown>; original: { actor: Record<string, unknown>; change: Record<string, unknown> } }>;
}

const DAY = 86_400_000;

describe.each(storeKinds('team settings'))('team settings on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { AUDITLOG_ALERTS: 'off', AUDITLOG_RETENTION_DAYS: '90' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const patchOwn = (json: unknown) => h.call('/api/v1/team', { method: 'PATCH', key: h.teams.a.keys.admin, json });
  const patchAsOperator = (team: string, json: unknown) => h.call(`/api/v1/teams/${team}`, { method: 'PATCH', key: OPERATOR_KEY, json });
  const team = async (id = h.teams.a.team) => (await (await h.call(`/api/v1/teams/${id}`, { key: OPERATOR_KEY })).json()) as Record<string, unknown>;
  const trail = async (q: string): Promise<Page> => {
    const res = await h.call(`/api/v1/system/events?${new URLSearchParams({ q, size: '100' })}`, { key: OPERATOR_KEY });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };

  it('refuses a team admin the quota, the retention range and the legal hold (403 naming the field)', async () => {
    await patchAsOperator(h.teams.a.team, { dailyQuotaBytes: 1_000_000 });
    for (const [field, value] of [
      ['dailyQuotaBytes', null],
      ['dailyQuotaBytes', 10_000_000],
      ['minRetentionDays', 1],
      ['maxRetentionDays', 36500],
      ['legalHold', false],
    ] as const) {
      const res = await patchOwn({ [field]: value });
      expect(res.status, field).toBe(403);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.details?.field).toBe(field);
      expect(body.error.message).toMatch(/operator/);
    }
    expect(await team()).toMatchObject({ dailyQuotaBytes: 1_000_000, retentionDays: 90 });
    const unknown = await patchOwn({ retention: 5 });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as ErrorBody).error.details?.field).toBe('retention');
  });

  it('lets a team admin lengthen the retention up to the maximum, never shorten it', async () => {
    expect((await patchAsOperator(h.teams.a.team, { minRetentionDays: 30, maxRetentionDays: 120 })).status).toBe(200);
    const shorter = await patchOwn({ retentionDays: 1 });
    expect(shorter.status).toBe(403);
    expect(((await shorter.json()) as ErrorBody).error.message).toMatch(/only lengthen/);
    const above = await patchOwn({ retentionDays: 121 });
    expect(above.status).toBe(403);
    expect(((await above.json()) as ErrorBody).error.message).toMatch(/at most 120 days/);
    const longer = await patchOwn({ retentionDays: 100, name: 'Team A' });
    expect(longer.status).toBe(200);
    expect(await longer.json()).toMatchObject({ retentionDays: 100, name: 'Team A', minRetentionDays: 30, maxRetentionDays: 120, dailyQuotaBytes: 1_000_000 });
    // Back to 100 is no change; 99 is shorter.
    expect((await patchOwn({ retentionDays: 100 })).status).toBe(200);
    expect((await patchOwn({ retentionDays: 99 })).status).toBe(403);
  });

  it("lets the operator set any retention inside the team's range, and only there", async () => {
    const below = await patchAsOperator(h.teams.a.team, { retentionDays: 7 });
    expect(below.status).toBe(400);
    expect(((await below.json()) as ErrorBody).error.details?.field).toBe('retentionDays');
    const crossed = await patchAsOperator(h.teams.a.team, { minRetentionDays: 200 });
    expect(crossed.status).toBe(400);
    expect(((await crossed.json()) as ErrorBody).error.details?.field).toBe('minRetentionDays');
    const ok = await patchAsOperator(h.teams.a.team, { retentionDays: 30, dailyQuotaBytes: null });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ retentionDays: 30, dailyQuotaBytes: null });
    expect((await patchAsOperator('no-such-team', { retentionDays: 30 })).status).toBe(404);
    expect((await h.call(`/api/v1/teams/${h.teams.a.team}`, { method: 'PATCH', key: h.teams.a.keys.admin, json: { retentionDays: 365 } })).status).toBe(403);
  });

  it('records every change to retention, quota, keys and rules with its old and new values', async () => {
    const b = h.teams.b.team;
    expect((await patchAsOperator(b, { dailyQuotaBytes: 5_000, retentionDays: 45 })).status).toBe(200);
    expect((await h.call('/api/v1/team', { method: 'PATCH', key: h.teams.b.keys.admin, json: { retentionDays: 60 } })).status).toBe(200);
    const created = (await (await h.call('/api/v1/keys', { method: 'POST', key: h.teams.b.keys.admin, json: { role: 'read', name: 'audited' } })).json()) as {
      key: { id: string };
      secret: string;
    };
    expect((await h.call(`/api/v1/keys/${created.key.id}`, { method: 'DELETE', key: h.teams.b.keys.admin })).status).toBe(204);
    const secret = 'webhook-signing-secret-1234567890';
    const rule = (await (
      await h.call('/api/v1/alerts', {
        method: 'POST',
        key: h.teams.b.keys.admin,
        json: { name: 'audited rule', query: 'event.outcome:failure', condition: { type: 'any' }, channels: [{ type: 'webhook', url: 'https://hooks.example.com/x', secret }] },
      })
    ).json()) as { id: string };
    expect((await h.call(`/api/v1/alerts/${rule.id}`, { method: 'PATCH', key: h.teams.b.keys.admin, json: { enabled: false } })).status).toBe(200);
    expect((await h.call(`/api/v1/alerts/${rule.id}`, { method: 'DELETE', key: h.teams.b.keys.admin })).status).toBe(204);

    await eventually(async () => {
      const updates = await trail(`event.action:"team.update" AND organization.id:${b}`);
      const changes = updates.hits.map((e) => e.original.change);
      expect(changes).toContainEqual(expect.objectContaining({ old: { dailyQuotaBytes: null, retentionDays: 90 }, new: { dailyQuotaBytes: 5_000, retentionDays: 45 } }));
      expect(changes).toContainEqual(expect.objectContaining({ old: { retentionDays: 45 }, new: { retentionDays: 60 } }));
      const byOperator = updates.hits.find((e) => (e.original.change.new as { dailyQuotaBytes?: number }).dailyQuotaBytes === 5_000)!;
      expect(byOperator.original.actor).toEqual({ type: 'operator' });
      const byAdmin = updates.hits.find((e) => (e.original.change.new as { retentionDays?: number }).retentionDays === 60)!;
      expect(byAdmin.normalized['user.id']).toBe(h.teams.b.keyIds.admin);
    });
    await eventually(async () => {
      const keys = await trail(`event.action:(key.create OR key.revoke) AND organization.id:${b}`);
      const mine = keys.hits.filter((e) => (e.original.change.target as { id: string }).id === created.key.id);
      expect(mine.map((e) => e.normalized['event.action']).sort()).toEqual(['key.create', 'key.revoke']);
      // The secret part is base64url and may itself hold '_': take everything after the id.
      expect(JSON.stringify(keys)).not.toContain(created.secret.slice('alk_'.length + 16 + 1));
    });
    await eventually(async () => {
      const rules = await trail(`event.action:rule.* AND organization.id:${b}`);
      const actions = rules.hits.filter((e) => (e.original.change.target as { id: string }).id === rule.id).map((e) => e.normalized['event.action']);
      expect(actions.sort()).toEqual(['rule.create', 'rule.delete', 'rule.update']);
      const enabled = rules.hits.find((e) => e.normalized['event.action'] === 'rule.update')!;
      expect(enabled.original.change).toMatchObject({ old: { enabled: true }, new: { enabled: false } });
      expect(JSON.stringify(rules)).not.toContain(secret);
    });
  });

  it("keeps every event of a team on legal hold through the retention pass, and deletes again once it is lifted", async () => {
    const old = (team: string, i: number): StoredEvent => {
      const original = { seq: i, note: 'held' };
      // Inside every retention, so no other server's pass over the shared control state deletes
      // them first; this test's own passes run 400 days ahead.
      const at = Date.now() - 5 * DAY + i;
      return { id: `held-${team}-${i}`, team: team as TeamId, timestamp: at, received: at, format: 'generic', flags: [], ecs: { 'event.action': 'held' }, original, raw: JSON.stringify(original) };
    };
    const a = h.teams.a.team as TeamId;
    const b = h.teams.b.team as TeamId;
    // Appended to the store directly: ingest may refuse events older than the retention.
    for (const t of [a, b]) await h.rt.store.append(t, [old(t, 1), old(t, 2)], { waitForSearch: true });
    expect((await patchAsOperator(a, { legalHold: true })).status).toBe(200);
    expect(await team(a)).toMatchObject({ legalHold: true });

    // The pass over these two teams only: on Elasticsearch the control state is shared by every
    // suite on the cluster, and their old events are not this test's to delete.
    const ours = { listTeams: async () => (await h.rt.teams.listTeams()).filter((t) => t.id === a || t.id === b) } as TeamService;
    const later = Date.now() + 400 * DAY;
    const deleted = await applyRetention(h.rt.store, ours, later);
    expect(deleted.has(a)).toBe(false);
    const count = (t: TeamId) => h.rt.store.count(t, { query: null, from: Date.now() - 6 * DAY, to: Date.now() - 4 * DAY });
    await eventually(async () => {
      expect(await count(a)).toBe(2);
      expect(await count(b)).toBe(0);
    });

    expect((await patchAsOperator(a, { legalHold: false })).status).toBe(200);
    expect((await applyRetention(h.rt.store, ours, later)).has(a)).toBe(true);
    await eventually(async () => expect(await count(a)).toBe(0));
    await eventually(async () => {
      const holds = await trail(`event.action:"team.update" AND organization.id:${a} AND change.new.legalHold:*`);
      expect(holds.hits.map((e) => e.original.change.new)).toEqual(expect.arrayContaining([{ legalHold: true }, { legalHold: false }]));
    });
  });
});
