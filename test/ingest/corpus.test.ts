/**
 * Every event of the corpus (test/fixtures/corpus, 49 products) through decode + prepare
 * with format detection: none may be lost, each must be a valid StoredEvent, and an event
 * may lack a timestamp only when it really carries none.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoredEvent } from '../../src/events/event.ts';
import { decodeBody } from '../../src/ingest/decode.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';
import { timestampMs } from '../../src/ingest/timestamps.ts';
import { CORPUS_DIR, corpusFiles } from '../support/corpus.ts';

const files = corpusFiles();
const RECEIVED = Date.parse('2030-01-01T00:00:00Z');

interface Row {
  file: string;
  events: number;
  stored: number;
  timestamped: number;
  missing: number;
  action: number;
  user: number;
  ip: number;
}
const rows: Row[] = [];

/** Time-looking values the event does carry, ignoring Panther's enrichment of indicators. */
function timeLikeValues(value: unknown, path = '', depth = 0, out: string[] = []): string[] {
  if (depth > 3 || value === null || typeof value !== 'object' || path.startsWith('p_enrichment')) return out;
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (/time|date|created|stamp|when|published/i.test(key) && (typeof child === 'string' || (typeof child === 'number' && child > 1e9))) {
      if (timestampMs(child) !== undefined) out.push(`${childPath}=${JSON.stringify(child)}`);
    }
    timeLikeValues(child, childPath, depth + 1, out);
  }
  return out;
}

describe('corpus: every published audit event is accepted', () => {
  it('has the 49 corpus files', () => {
    expect(files.length).toBe(49);
  });

  it.each(files)('%s', async (file) => {
    const body = readFileSync(join(CORPUS_DIR, file));
    const lines = body.toString('utf8').split('\n').filter((l) => l.trim() !== '').length;
    const items = await decodeBody(body, { contentType: 'application/x-ndjson' });
    const prepared = prepareEvents(items, { team: 'corpus', received: RECEIVED });
    expect(prepared).toHaveLength(lines);

    const row: Row = { file, events: lines, stored: 0, timestamped: 0, missing: 0, action: 0, user: 0, ip: 0 };
    const rejected: unknown[] = [];
    const overlooked: string[] = [];
    for (const p of prepared) {
      if ('error' in p) {
        rejected.push(p);
        continue;
      }
      const event = StoredEvent.parse(p.event);
      row.stored++;
      // The corpus holds none of the seed formats; only Keycloak's ECS log is not generic.
      expect(event.format).toBe(file === 'keycloak-events.ndjson' ? 'ecs' : 'generic');
      if (event.flags.includes('timestamp_missing')) {
        row.missing++;
        const found = timeLikeValues(event.original);
        if (found.length > 0) overlooked.push(`#${p.index}: ${found.join(', ')}`);
      } else if (event.flags.includes('timestamp_invalid')) {
        // Redacted fixtures (`"eventTime": "redacted"`): the receive time, and a warning naming the field.
        row.missing++;
        expect(event.timestamp).toBe(RECEIVED);
        expect(p.warnings?.map((w) => w.code)).toEqual(['timestamp_invalid']);
      } else {
        row.timestamped++;
        expect(event.timestamp).not.toBe(RECEIVED);
      }
      if (event.ecs['event.action']) row.action++;
      if (event.ecs['user.name'] || event.ecs['user.email'] || event.ecs['user.id']) row.user++;
      if (event.ecs['source.ip']) row.ip++;
    }
    rows.push(row);
    expect(rejected).toEqual([]);
    expect(overlooked).toEqual([]);
  });

  afterAll(() => {
    if (rows.length === 0) return;
    rows.sort((a, b) => a.file.localeCompare(b.file));
    const total = rows.reduce(
      (t, r) => ({ ...t, events: t.events + r.events, stored: t.stored + r.stored, timestamped: t.timestamped + r.timestamped,
        missing: t.missing + r.missing, action: t.action + r.action, user: t.user + r.user, ip: t.ip + r.ip }),
      { file: 'TOTAL', events: 0, stored: 0, timestamped: 0, missing: 0, action: 0, user: 0, ip: 0 },
    );
    const line = (r: Row) =>
      `| ${r.file.padEnd(36)} | ${String(r.events).padStart(6)} | ${String(r.stored).padStart(6)} | ${String(r.timestamped).padStart(9)} | ${String(r.missing).padStart(7)} | ${String(r.action).padStart(6)} | ${String(r.user).padStart(5)} | ${String(r.ip).padStart(5)} |`;
    const header = `| ${'file'.padEnd(36)} | events | stored | timestamp | missing | action |  user |    ip |`;
    console.log(['corpus ingest summary (timestamp = event time found; missing = received time used: none or an invalid one)', header, ...rows.map(line), line(total)].join('\n'));
  });
});
