/**
 * Control state written by an older version (teams without a retention range or legal hold)
 * opens, reads with the defaults, and takes the new settings: new SQLite columns are added, and
 * the fields are added to the strict mapping of an existing Elasticsearch index.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlStore } from '../../src/teams/control-store.ts';
import { ElasticsearchControlStore } from '../../src/teams/elasticsearch-control-store.ts';
import { SqliteControlStore } from '../../src/teams/sqlite-control-store.ts';
import { elasticsearchClient, requireElasticsearch } from '../support/elasticsearch.ts';

const OLD_TEAM = { id: 'old-team', name: 'old-team', retentionDays: 90, dailyQuotaBytes: null, createdAt: '2025-01-01T00:00:00.000Z' };

async function expectUpgraded(store: ControlStore) {
  expect(await store.getTeam('old-team')).toEqual({ ...OLD_TEAM, minRetentionDays: 1, maxRetentionDays: 36500, legalHold: false });
  const changed = await store.changeTeam('old-team', (t) => ({ ...t, legalHold: true, maxRetentionDays: 365 }));
  expect(changed?.after).toMatchObject({ legalHold: true, maxRetentionDays: 365 });
  expect(await store.getTeam('old-team')).toMatchObject({ legalHold: true, maxRetentionDays: 365, retentionDays: 90 });
}

describe('control state of an older version', () => {
  it('SQLite: adds the new columns to an old teams table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditlog-upgrade-'));
    try {
      const file = join(dir, 'control.db');
      const old = new Database(file);
      old.exec('CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT NOT NULL, retention_days INTEGER NOT NULL, daily_quota_bytes INTEGER, created_at TEXT NOT NULL)');
      old.prepare('INSERT INTO teams VALUES (?, ?, ?, ?, ?)').run(OLD_TEAM.id, OLD_TEAM.name, OLD_TEAM.retentionDays, null, OLD_TEAM.createdAt);
      old.close();
      const store = new SqliteControlStore(file);
      try {
        await expectUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (requireElasticsearch('control state upgrade')) {
    it('Elasticsearch: adds the new fields to the strict mapping of an existing teams index', async () => {
      const es = elasticsearchClient();
      const prefix = `auditlogtest${randomUUID().slice(0, 8)}`;
      try {
        await es.indices.create({
          index: `${prefix}_control-teams`,
          mappings: {
            dynamic: 'strict',
            properties: { id: { type: 'keyword' }, name: { type: 'keyword' }, retentionDays: { type: 'integer' }, dailyQuotaBytes: { type: 'long' }, createdAt: { type: 'date' } },
          },
        });
        await es.index({ index: `${prefix}_control-teams`, id: OLD_TEAM.id, document: OLD_TEAM, refresh: true });
        await expectUpgraded(await ElasticsearchControlStore.open(es, { prefix }));
      } finally {
        for (const i of ['settings', 'teams', 'keys', 'usage']) await es.indices.delete({ index: `${prefix}_control-${i}` }, { ignore: [404] });
        await es.close();
      }
    });
  }
});
