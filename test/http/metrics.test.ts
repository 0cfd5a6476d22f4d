/**
 * GET /metrics on both stores: real traffic through the real server, then a scrape of the text
 * format, checking that each number moved by what the traffic did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/metrics/registry.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../alerts/receivers.ts';
import { type Harness, startHarness, storeKinds } from './harness.ts';

const TOKEN = 'metrics-test-token-0123456789';

/** `name{a="x",b="y"}` → value, from the Prometheus text format. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = m[2] ? [...m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}=${v}`).sort().join(',') : '';
    samples.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return samples;
}

/** The sample's value, 0 when absent; labels in any order. */
function value(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const key = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
  return samples.get(`${name}{${key}}`) ?? 0;
}

describe.each(storeKinds('metrics'))('GET /metrics (%s)', (store) => {
  let h: Harness;
  let receiver: WebhookReceiver;
  const scrape = async () => {
    const res = await h.call('/metrics', { key: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return parse(await res.text());
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver(() => 500);
    h = await startHarness(store, {
      AUDITLOG_METRICS_TOKEN: TOKEN,
      AUDITLOG_ALERTS: 'off',
      AUDITLOG_ALERT_DELAY_SECONDS: '0',
      AUDITLOG_ALERT_ALLOWED_TARGETS: '127.0.0.0/8',
    });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('needs the token, and names it when it is missing or wrong', async () => {
    for (const key of [null, 'wrong-token-0123456789abcdef', h.teams.a.keys.admin]) {
      const res = await h.call('/metrics', { key });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/AUDITLOG_METRICS_TOKEN/);
    }
  });

  it('counts ingest, requests by route pattern, searches, alerts and store size', async () => {
    const { team, keys } = h.teams.a;
    const before = await scrape();

    const now = Date.now();
    const events = [
      { '@timestamp': new Date(now - 60_000).toISOString(), 'event.action': 'login', 'user.name': 'alice', message: 'one' },
      { '@timestamp': new Date(now - 50_000).toISOString(), 'event.action': 'login', 'user.name': 'bob', message: 'two' },
      { '@timestamp': new Date(now - 40_000).toISOString(), 'event.action': 'delete', 'user.name': 'bob', message: 'three' },
      'not an object',
    ];
    const ingested = await h.call('/api/v1/events?format=ecs&refresh=wait_for', { method: 'POST', key: keys.ingest, json: events });
    expect(ingested.status).toBeLessThan(300);
    const body = (await ingested.json()) as { accepted: Array<{ id: string }>; rejected: unknown[] };
    expect(body.accepted).toHaveLength(3);
    expect(body.rejected).toHaveLength(1);
    const raw = events.slice(0, 3).map((e) => Buffer.byteLength(JSON.stringify(e)));

    const read = (path: string) => h.call(path, { key: keys.read });
    expect((await read('/api/v1/events?q=event.action:login&from=now-1h')).status).toBe(200);
    expect((await read('/api/v1/events?q=event.action:login&from=now-1h')).status).toBe(200);
    expect((await read(`/api/v1/events/${body.accepted[0]!.id}`)).status).toBe(200);
    expect((await read('/api/v1/events/no-such-id')).status).toBe(404);
    expect((await read('/api/v1/events/export?format=ndjson&from=now-1h')).status).toBe(200);
    expect((await read('/no/such/route/' + 'x'.repeat(20))).status).toBe(404);

    const created = await h.call('/api/v1/alerts', {
      method: 'POST',
      key: keys.admin,
      json: { name: 'deletes', query: 'event.action:delete', window: '1d', condition: { type: 'any' }, channels: [{ type: 'webhook', url: receiver.url }] },
    });
    expect(created.status).toBe(201);
    const rule = (await created.json()) as { id: string };
    expect((await h.call(`/api/v1/alerts/${rule.id}/evaluate`, { method: 'POST', key: keys.admin })).status).toBe(200);
    // On Elasticsearch the outbox is the cluster's: other entries may be due as well.
    expect(await h.rt.alerting.deliverer.runOnce()).toBeGreaterThanOrEqual(1);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(1);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

    expect(moved('auditlog_ingest_events_total', { team, format: 'ecs', result: 'created' })).toBe(3);
    expect(moved('auditlog_ingest_bytes_total', { team, format: 'ecs' })).toBeGreaterThanOrEqual(raw.reduce((a, b) => a + b, 0) - 10);
    expect(moved('auditlog_ingest_rejected_events_total', { team })).toBe(1);
    // The other team did nothing.
    expect(value(after, 'auditlog_ingest_events_total', { team: h.teams.b.team, format: 'ecs', result: 'created' })).toBe(0);

    const requests = (route: string, method: string, status: string) =>
      moved('auditlog_http_request_duration_seconds_count', { method, route, status });
    expect(requests('/api/v1/events', 'POST', '2xx')).toBe(1);
    expect(requests('/api/v1/events', 'GET', '2xx')).toBe(2);
    // The route pattern, not the id: both event reads land in one series.
    expect(requests('/api/v1/events/:id', 'GET', '2xx')).toBe(1);
    expect(requests('/api/v1/events/:id', 'GET', '4xx')).toBe(1);
    expect(requests('/api/v1/events/export', 'GET', '2xx')).toBe(1);
    expect(requests('unmatched', 'GET', '4xx')).toBe(1);
    expect([...after.keys()].some((k) => k.includes('no-such-id') || k.includes('xxxxx') || k.includes(keys.read))).toBe(false);

    expect(moved('auditlog_search_duration_seconds_count', { operation: 'search' })).toBeGreaterThanOrEqual(2);
    expect(moved('auditlog_search_duration_seconds_count', { operation: 'export' })).toBeGreaterThanOrEqual(1);
    expect(value(after, 'auditlog_search_timeouts_total', { operation: 'search' })).toBe(0);

    expect(moved('auditlog_alert_evaluations_total', { team, result: 'ok' })).toBe(1);
    expect(moved('auditlog_alert_firings_total', { team })).toBe(1);
    expect(moved('auditlog_alert_deliveries_total', { team, result: 'retry' })).toBe(1);

    expect(value(after, 'auditlog_store_team_bytes', { team })).toBeGreaterThan(0);
    expect(value(after, 'auditlog_store_bytes')).toBeGreaterThanOrEqual(value(after, 'auditlog_store_team_bytes', { team }));
    if (store === 'sqlite') expect(after.has('auditlog_read_queue_depth{}')).toBe(true);
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // No streams of this team yet: no series for it (an Elasticsearch node shared by suites may hold other teams' streams).
    expect([...after.keys()].filter((k) => k.startsWith('auditlog_stream_lag_events') && k.includes(`team=${team}}`))).toEqual([]);
  });

  it("reports each stream's backlog: the runtime's streams feed the gauge", async () => {
    const team = h.teams.b.team;
    const created = await h.call('/api/v1/streams', { method: 'POST', key: h.teams.b.keys.admin, json: { name: 'siem', url: 'https://siem.invalid/in' } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    // Paused, so nothing is delivered and the backlog is exactly what is ingested from now on.
    expect((await h.call(`/api/v1/streams/${id}/pause`, { method: 'POST', key: h.teams.b.keys.admin })).status).toBe(200);
    const events = [1, 2, 3].map((n) => ({ '@timestamp': new Date().toISOString(), event: { action: `lag-${n}` } }));
    expect((await h.call('/api/v1/events?refresh=wait_for', { method: 'POST', key: h.teams.b.keys.ingest, json: events })).status).toBe(200);
    const samples = await scrape();
    expect(samples.has(`auditlog_stream_lag_events{stream=${id},team=${team}}`)).toBe(true);
    if (store === 'sqlite') expect(value(samples, 'auditlog_stream_lag_events', { team, stream: id })).toBe(3);
  });
});

describe('GET /metrics without a token', () => {
  it('is off by default, and open only when the operator opens it', async () => {
    const off = await startHarness('sqlite');
    try {
      const res = await off.call('/metrics');
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/AUDITLOG_METRICS_TOKEN/);
    } finally {
      await off.close();
    }
    const open = await startHarness('sqlite', { AUDITLOG_METRICS: 'open' });
    try {
      const res = await open.call('/metrics');
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^# HELP auditlog_/m);
    } finally {
      await open.close();
    }
  });
});

describe('auditlog_stream_lag_events', () => {
  it('reads the backlog of every stream from the function given at construction, at each scrape', async () => {
    let backlog = [
      { team: 'acme', stream: 'siem', events: 42 },
      { team: 'acme', stream: 'archive', events: 0 },
    ];
    const metrics = new Metrics({ streamLag: () => backlog });
    let samples = parse(await metrics.scrape());
    expect(value(samples, 'auditlog_stream_lag_events', { team: 'acme', stream: 'siem' })).toBe(42);
    expect(samples.has('auditlog_stream_lag_events{stream=archive,team=acme}')).toBe(true);
    // A stream that is gone leaves no series behind.
    backlog = [{ team: 'acme', stream: 'siem', events: 7 }];
    samples = parse(await metrics.scrape());
    expect(value(samples, 'auditlog_stream_lag_events', { team: 'acme', stream: 'siem' })).toBe(7);
    expect(samples.has('auditlog_stream_lag_events{stream=archive,team=acme}')).toBe(false);
  });
});
