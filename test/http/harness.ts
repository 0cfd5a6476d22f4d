/**
 * A real server on loopback over a fresh data directory, with two teams and a key of every
 * role for each, so tests speak HTTP exactly as a client does.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createLogger, createRuntime, type Runtime } from '../../src/runtime.ts';
import { startServer } from '../../src/server.ts';
import type { Role } from '../../src/teams/model.ts';
import { requireElasticsearch } from '../support/elasticsearch.ts';

export const OPERATOR_KEY = 'test-operator-key-0123456789abcdef';

export interface TeamKeys {
  team: string;
  keys: Record<Role, string>;
  keyIds: Record<Role, string>;
}

export interface Harness {
  url: string;
  rt: Runtime;
  teams: { a: TeamKeys; b: TeamKeys };
  /** fetch relative to the server with an optional key; `json` is sent as a JSON body. */
  call(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'elasticsearch';

/** The stores every HTTP suite runs on: SQLite always, Elasticsearch when a node is there (and always under CI). */
export function storeKinds(what: string): StoreKind[] {
  return requireElasticsearch(what) ? ['sqlite', 'elasticsearch'] : ['sqlite'];
}

/** `port`: listen there instead of on a free port (so AUDITLOG_BASE_URL can name the server). */
export async function startHarness(store: StoreKind, env: Record<string, string> = {}, { port = 0 }: { port?: number } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-http-'));
  const config = loadConfig({
    AUDITLOG_DATA_DIR: dir,
    AUDITLOG_OPERATOR_KEY: OPERATOR_KEY,
    AUDITLOG_LOG_LEVEL: 'silent',
    AUDITLOG_STORE: store,
    // Suites send hundreds of bad keys from loopback on purpose; test/http/auth-failures.test.ts sets a real limit.
    AUDITLOG_AUTH_MAX_FAILURES: '1000000',
    // Suites send events at fixed dates (some months back); a ten-year retention keeps them inside it whatever the
    // day the suite runs. Suites about retention itself pass their own AUDITLOG_RETENTION_DAYS.
    AUDITLOG_RETENTION_DAYS: '3650',
    // On Elasticsearch every suite's server shares the alert outbox and the streams' state: a
    // scheduler or stream runner in one file would act on another file's rules and streams.
    // Suites evaluate rules through the API; the streams suite turns its runner on.
    AUDITLOG_ALERTS: 'off',
    AUDITLOG_STREAMS: 'off',
    ...(store === 'elasticsearch'
      ? { ES_URL: process.env.ES_URL!, ES_USERNAME: process.env.ES_USERNAME ?? '', ES_PASSWORD: process.env.ES_PASSWORD ?? '' }
      : {}),
    ...env,
  });
  const rt = await createRuntime(config, createLogger(config));
  await rt.teams.ensureOperatorKey(OPERATOR_KEY);
  const server = await startServer(rt, { port, host: '127.0.0.1' });

  const makeTeam = async (id: string): Promise<TeamKeys> => {
    await rt.teams.createTeam({ id: id as never });
    const keys = {} as Record<Role, string>;
    const keyIds = {} as Record<Role, string>;
    for (const role of ['ingest', 'read', 'admin'] as const) {
      const { key, secret } = await rt.teams.createKey(id, role);
      keys[role] = secret;
      keyIds[role] = key.id;
    }
    return { team: id, keys, keyIds };
  };
  // One team id is a prefix of the other, the classic isolation trap. Ids are unique per run
  // because an Elasticsearch cluster outlives a test file.
  const base = `t${randomBytes(4).toString('hex')}`;
  const teams = { a: await makeTeam(base), b: await makeTeam(`${base}-b`) };

  return {
    url: server.url,
    rt,
    teams,
    call(path, init = {}) {
      const { key, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set('authorization', `Bearer ${key}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(server.url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
    },
    async close() {
      await server.close();
      // The Elasticsearch node outlives the test and holds at most 1,000 shards: leave no indices behind.
      for (const t of [teams.a.team, teams.b.team]) await rt.store.dropTeam(t as never).catch(() => undefined);
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Retries an assertion until it passes: for what is visible only after a refresh (the audit trail on Elasticsearch). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
