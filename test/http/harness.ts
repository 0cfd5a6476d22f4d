/**
 * A real server on loopback over a fresh data directory, with two teams and a key of every
 * role for each, so tests speak HTTP exactly as a client does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createLogger, createRuntime, type Runtime } from '../../src/runtime.ts';
import { startServer } from '../../src/server.ts';
import type { Role } from '../../src/teams/model.ts';

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
  /** fetch relative to the server with an optional key. */
  call(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-http-'));
  const config = loadConfig({
    AUDITLOG_DATA_DIR: dir,
    AUDITLOG_OPERATOR_KEY: OPERATOR_KEY,
    AUDITLOG_LOG_LEVEL: 'silent',
    AUDITLOG_STORE: 'sqlite',
    ...env,
  });
  const rt = await createRuntime(config, createLogger(config));
  await rt.teams.ensureOperatorKey(OPERATOR_KEY);
  const server = await startServer(rt, { port: 0, host: '127.0.0.1' });

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
  // `team-a` and `team-a-b`: one team id is a prefix of the other, the classic isolation trap.
  const teams = { a: await makeTeam('team-a'), b: await makeTeam('team-a-b') };

  return {
    url: server.url,
    rt,
    teams,
    call(path, init = {}) {
      const { key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set('authorization', `Bearer ${key}`);
      return fetch(server.url + path, { ...rest, headers });
    },
    async close() {
      await server.close();
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function jsonBody(value: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
