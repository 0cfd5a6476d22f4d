/**
 * The CLI's remote mode through the real bin/auditlog against a real server: admin tasks go
 * through the API, are allowed by the key, and land in the audit trail under that key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, OPERATOR_KEY, startHarness, storeKinds } from '../http/harness.ts';
import { runBin } from './run-bin.ts';

interface Page {
  total: number;
  hits: Array<{ normalized: Record<string, unknown>; original: { actor: Record<string, unknown>; change: Record<string, unknown> } }>;
}

// Each step is a fresh process (bash, then Node); on a loaded 2-core box that is seconds each.
const TIMEOUT = 240_000;

describe.each(storeKinds('CLI remote mode'))('auditlog remote mode on %s', (kind) => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness(kind, { AUDITLOG_ALERTS: 'off' });
    dir = mkdtempSync(join(tmpdir(), 'auditlog-remote-'));
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const remote = (key: string, args: string[]) => runBin([...args, '--url', h.url, '--key', key]);
  const trail = async (q: string): Promise<Page> => {
    const res = await h.call(`/api/v1/system/events?${new URLSearchParams({ q, size: '100' })}`, { key: OPERATOR_KEY });
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };

  it('creates, lists and updates teams with the operator key, recorded under it', async () => {
    const team = `${h.teams.a.team}-cli`;
    const created = await remote(OPERATOR_KEY, ['teams', 'create', team, '--retention-days', '30', '--name', 'CLI team']);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: team, name: 'CLI team', retentionDays: 30 });

    const updated = await remote(OPERATOR_KEY, [
      'teams', 'update', team, '--retention-days', '60', '--max-retention-days', '400', '--quota-bytes', '5000000', '--legal-hold',
    ]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ retentionDays: 60, maxRetentionDays: 400, dailyQuotaBytes: 5_000_000, legalHold: true });
    const cleared = await remote(OPERATOR_KEY, ['teams', 'update', team, '--quota-bytes', 'none', '--no-legal-hold']);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ dailyQuotaBytes: null, legalHold: false });

    const list = await remote(OPERATOR_KEY, ['teams', 'list']);
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((t) => t.id)).toContain(team);

    await eventually(async () => {
      const page = await trail(`event.action:"team.update" AND organization.id:${team}`);
      expect(page.total).toBe(2);
      expect(page.hits[0]!.original.actor).toMatchObject({ type: 'operator' });
    });
    await h.rt.store.dropTeam(team as never).catch(() => undefined);
  }, TIMEOUT);

  it('creates, lists and revokes keys as the operator (--team) and as a team admin; a revoked key is refused with the API message', async () => {
    const { team } = h.teams.a;
    const made = await remote(OPERATOR_KEY, ['keys', 'create', '--team', team, '--role', 'read', '--name', 'cli read']);
    expect(made.code, made.stderr).toBe(0);
    const secret = made.stdout.trim();
    expect(secret).toMatch(/^alk_/);
    const id = /Key (\S+) \(read\)/.exec(made.stderr)![1]!;

    const byAdmin = await remote(h.teams.a.keys.admin, ['keys', 'create', '--role', 'ingest']);
    expect(byAdmin.code, byAdmin.stderr).toBe(0);
    expect(byAdmin.stderr).toMatch(new RegExp(`\\(ingest\\) for team ${team}`));

    for (const listing of [await remote(OPERATOR_KEY, ['keys', 'list', '--team', team]), await remote(h.teams.a.keys.admin, ['keys', 'list'])]) {
      expect(listing.code, listing.stderr).toBe(0);
      const keys = JSON.parse(listing.stdout) as Array<{ id: string; team: string; name: string }>;
      expect(keys.find((k) => k.id === id)).toMatchObject({ team, name: 'cli read' });
      expect(listing.stdout).not.toContain(secret);
    }
    // Another team's listing never shows it.
    const other = await remote(OPERATOR_KEY, ['keys', 'list', '--team', h.teams.b.team]);
    expect(other.stdout).not.toContain(id);

    expect((await remote(secret, ['search', '', '--output', 'json'])).code).toBe(0);
    const revoked = await remote(OPERATOR_KEY, ['keys', 'revoke', id, '--team', team]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const refused = await remote(secret, ['search', '']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^auditlog: the server refused GET \/api\/v1\/events with 401: .*check --key/m);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    // Revoking a key of one team through another team's path finds nothing.
    const wrongTeam = await remote(OPERATOR_KEY, ['keys', 'revoke', h.teams.a.keyIds.read, '--team', h.teams.b.team]);
    expect(wrongTeam.code).toBe(1);
    expect(wrongTeam.stderr).toMatch(/404/);

    await eventually(async () => {
      const page = await trail(`event.action:"key.revoke" AND organization.id:${team}`);
      expect(page.total).toBe(1);
      expect(page.hits[0]!.original.actor).toMatchObject({ type: 'operator' });
    });
  }, TIMEOUT);

  it('installs and lists rules with an admin key; a read key is refused with 403', async () => {
    const installed = await remote(h.teams.a.keys.admin, ['rules', 'install']);
    expect(installed.code, installed.stderr).toBe(0);
    expect((JSON.parse(installed.stdout) as { created: string[] }).created.length).toBeGreaterThanOrEqual(8);
    const listed = await remote(h.teams.a.keys.admin, ['rules', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe((JSON.parse(installed.stdout) as { created: string[] }).created.length);
    const refused = await remote(h.teams.a.keys.read, ['rules', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused GET \/api\/v1\/alerts with 403/);
  }, TIMEOUT);

  it('imports NDJSON and a CloudTrail export through the ingest API, idempotently, and searches them (AUDITLOG_URL/AUDITLOG_KEY)', async () => {
    const { team, keys } = h.teams.b;
    const start = Date.now() - 3_600_000;
    const ndjson = join(dir, `${kind}.ndjson`);
    writeFileSync(
      ndjson,
      `${Array.from({ length: 25 }, (_, i) => JSON.stringify({ eventTime: new Date(start + i * 1000).toISOString(), eventName: 'ConsoleLogin', seq: i })).join('\n')}\n{oops\n`,
    );
    const cloudtrail = join(dir, `${kind}-cloudtrail.json`);
    const records = Array.from({ length: 12 }, (_, i) => ({ eventTime: new Date(start + i * 1000).toISOString(), eventName: 'AssumeRole', awsRegion: 'eu-west-1', n: i }));
    writeFileSync(cloudtrail, JSON.stringify({ Records: records }, null, 2));
    const env = { AUDITLOG_URL: h.url, AUDITLOG_KEY: keys.ingest };
    const counts = (r: { stderr: string }) => new RegExp(`into team ${team}: (.*)$`, 'm').exec(r.stderr)?.[1];

    const first = await runBin(['import', ndjson, '--batch-size', '10'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(counts(first)).toBe('25 stored, 0 stored under a new id (id conflict), 0 duplicates (already stored), 1 rejected');
    expect(first.stderr).toMatch(/^line 26: not valid JSON/m);
    // Not a terminal: the progress is a plain line, with the percentage of the file read.
    expect(first.stderr).toMatch(/^progress: 100\.0% .* 26 events/m);
    expect(first.stderr).not.toContain('\r');
    const again = await runBin(['import', ndjson, '--batch-size', '10'], env);
    expect(counts(again)).toBe('0 stored, 0 stored under a new id (id conflict), 25 duplicates (already stored), 1 rejected');
    // Resumed at a batch boundary, the batches and so their keys are the same.
    const resumed = await runBin(['import', ndjson, '--batch-size', '10', '--resume-from', '10'], env);
    expect(counts(resumed)).toBe('0 stored, 0 stored under a new id (id conflict), 15 duplicates (already stored), 1 rejected');

    const ct = await runBin(['import', cloudtrail, '--team', team], env);
    expect(ct.code, ct.stderr).toBe(0);
    expect(counts(ct)).toBe('12 stored, 0 stored under a new id (id conflict), 0 duplicates (already stored), 0 rejected');
    const wrong = await runBin(['import', cloudtrail, '--team', h.teams.a.team], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/does not match the key's team/);

    await eventually(async () => {
      const found = await runBin(['search', 'eventName:AssumeRole', '--output', 'json', '--size', '100'], { AUDITLOG_URL: h.url, AUDITLOG_KEY: keys.read });
      expect(found.code, found.stderr).toBe(0);
      const page = JSON.parse(found.stdout) as { total: number; hits: Array<{ original: { awsRegion: string } }> };
      expect(page.total).toBe(12);
      expect(page.hits.every((e) => e.original.awsRegion === 'eu-west-1')).toBe(true);
    });
    const table = await runBin(['search', 'eventName:ConsoleLogin', '--url', h.url, '--key', keys.read]);
    expect(table.stdout).toMatch(/25 of 25 events/);
    // Team a saw none of it.
    const isolated = await remote(h.teams.a.keys.read, ['search', 'eventName:AssumeRole', '--output', 'json']);
    expect((JSON.parse(isolated.stdout) as { total: number }).total).toBe(0);
  }, TIMEOUT);
});
