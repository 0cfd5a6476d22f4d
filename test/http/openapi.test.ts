/**
 * The OpenAPI document as a client uses it: a client generated from it by openapi-typescript
 * (`npm run openapi` writes build/openapi.ts; tsc checks this file against it) drives the real
 * server: an admin creates keys, an ingest key sends events, a read key finds them. And the
 * document says what the code does: the ingest route takes `refresh` exactly as documented.
 */
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { paths } from '../../build/openapi.ts';
import { type Harness, OPERATOR_KEY, startHarness, storeKinds } from './harness.ts';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe.each(storeKinds('OpenAPI client'))('generated OpenAPI client on %s', (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('creates keys, ingests and searches through the typed client', async () => {
    const api = createClient<paths>({ baseUrl: h.url });

    const ingestKey = await api.POST('/api/v1/keys', { headers: bearer(h.teams.a.keys.admin), body: { role: 'ingest', name: 'typed client' } });
    expect(ingestKey.response.status, JSON.stringify(ingestKey.error)).toBe(201);
    const readKey = await api.POST('/api/v1/teams/{team}/keys', {
      params: { path: { team: h.teams.a.team } },
      headers: bearer(OPERATOR_KEY),
      body: { role: 'read' },
    });
    expect(readKey.response.status, JSON.stringify(readKey.error)).toBe(201);

    const marker = `typed-client-${kind}`;
    const sent = await api.POST('/api/v1/events', {
      params: { query: { refresh: 'wait_for' } },
      headers: bearer(ingestKey.data!.secret),
      body: [
        { '@timestamp': new Date().toISOString(), event: { action: marker, outcome: 'success' }, user: { email: 'a@example.com' } },
        { '@timestamp': new Date().toISOString(), event: { action: marker, outcome: 'failure' }, user: { email: 'b@example.com' } },
      ],
    });
    expect(sent.response.status, JSON.stringify(sent.error)).toBe(200);
    expect(sent.data!.accepted).toHaveLength(2);

    const found = await api.GET('/api/v1/events', {
      params: { query: { q: `event.action:${marker} AND event.outcome:failure`, from: 'now-1h' } },
      headers: bearer(readKey.data!.secret),
    });
    expect(found.response.status, JSON.stringify(found.error)).toBe(200);
    expect(found.data!.total).toBe(1);
    expect(found.data!.hits[0]!.normalized['user.email']).toBe('b@example.com');

    // Defaults: a request may leave those fields out (this compiles only if they are optional in
    // the generated types), and the answer always has them (typed as required).
    const rule = await api.POST('/api/v1/alerts', {
      headers: bearer(h.teams.a.keys.admin),
      body: { name: 'typed client rule', query: `event.action:${marker}`, condition: { type: 'any' } },
    });
    expect(rule.response.status, JSON.stringify(rule.error)).toBe(201);
    const { enabled, severity, schedule }: { enabled: boolean; severity: string; schedule: string } = rule.data!;
    expect({ enabled, severity, schedule }).toEqual({ enabled: true, severity: 'medium', schedule: '* * * * *' });

    // An error answer has the documented error body.
    const refused = await api.GET('/api/v1/events', { params: { query: { q: 'a:(' } }, headers: bearer(readKey.data!.secret) });
    expect(refused.response.status).toBe(400);
    expect(refused.error!.error.code).toBe('QUERY_SYNTAX');
    expect(refused.error!.error.requestId).toBe(refused.response.headers.get('x-request-id'));
  });

  it('ingest takes refresh as documented, wait_for or false, and refuses anything else naming it', async () => {
    const event = JSON.stringify({ '@timestamp': new Date().toISOString(), event: { action: 'refresh-check' } });
    for (const refresh of ['wait_for', 'false']) {
      const res = await h.call(`/api/v1/events?refresh=${refresh}`, { method: 'POST', key: h.teams.a.keys.ingest, headers: { 'content-type': 'application/json' }, body: event });
      expect(res.status, refresh).toBe(200);
    }
    for (const refresh of ['true', '', 'WAIT_FOR']) {
      const res = await h.call(`/api/v1/events?refresh=${refresh}`, { method: 'POST', key: h.teams.a.keys.ingest, headers: { 'content-type': 'application/json' }, body: event });
      expect(res.status, refresh).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^query parameter refresh: /);
    }
  });

  it('serves a document that names this server, with an operationId on every operation', async () => {
    const doc = (await (await h.call('/api/v1/openapi.json')).json()) as {
      servers: Array<{ url: string }>;
      info: { license: { identifier: string } };
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    expect(doc.servers).toEqual([{ url: h.url }]);
    expect(doc.info.license.identifier).toBe('Apache-2.0');
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });
});
