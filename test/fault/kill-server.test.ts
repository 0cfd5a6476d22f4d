/**
 * kill -9 of the server while producers ingest, several times, on each store: every event the
 * server acknowledged is there afterwards, under its acknowledged id, once. Duplicates are
 * counted: an event answered `duplicate` was stored by an attempt whose answer died with the
 * server, and its producer's retry found it (the ledger checks that only retries get them).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPERATOR_KEY, storeKinds } from '../http/harness.ts';
import { Ledger, produce, type Target, verify } from './ledger.ts';
import { postJson, startServerProcess } from './server-process.ts';

const PRODUCERS = 4;
const BATCHES = 40;
const BATCH_SIZE = 100;
/** Kill when this share of all events is acknowledged, plus a random few ms so kills land anywhere in a request. */
const KILL_AT = [0.15, 0.35, 0.55, 0.75];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each(storeKinds('fault: kill -9 during ingest'))('kill -9 of the server during ingest on %s', (kind) => {
  it(
    'loses no acknowledged event over several kills',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'auditlog-fault-'));
      dirs.push(dir);
      const server = await startServerProcess({
        AUDITLOG_DATA_DIR: dir,
        AUDITLOG_OPERATOR_KEY: OPERATOR_KEY,
        AUDITLOG_STORE: kind,
        ...(kind === 'elasticsearch' ? { ES_URL: process.env.ES_URL!, ES_USERNAME: process.env.ES_USERNAME ?? '', ES_PASSWORD: process.env.ES_PASSWORD ?? '' } : {}),
      });
      try {
        const team = `fault${randomBytes(4).toString('hex')}`;
        await postJson(server, '/api/v1/teams', OPERATOR_KEY, { id: team });
        const ingest = (await postJson(server, `/api/v1/teams/${team}/keys`, OPERATOR_KEY, { role: 'ingest' })) as { secret: string };
        const read = (await postJson(server, `/api/v1/teams/${team}/keys`, OPERATOR_KEY, { role: 'read' })) as { secret: string };
        const target: Target = { url: () => server.url, ingestKey: ingest.secret, readKey: read.secret };
        const ledger = new Ledger(team);
        const total = PRODUCERS * BATCHES * BATCH_SIZE;

        let failure: unknown;
        const producers = Array.from({ length: PRODUCERS }, (_, p) =>
          produce(target, ledger, { first: p * BATCHES * BATCH_SIZE, batches: BATCHES, size: BATCH_SIZE }).catch((err: unknown) => {
            failure ??= err;
          }),
        );
        const kills: Array<{ acknowledged: number; inFlight: number }> = [];
        for (const share of KILL_AT) {
          while (ledger.acked.size < share * total && failure === undefined) await sleep(5);
          if (failure !== undefined) break;
          await sleep(Math.floor(Math.random() * 40));
          kills.push({ acknowledged: ledger.acked.size, inFlight: ledger.inFlight });
          await server.kill9();
          await server.restart();
        }
        await Promise.all(producers);
        if (failure !== undefined) throw failure;

        const { stored } = await verify(target, ledger);
        expect(stored).toBe(total);
        console.info(`kill -9 on ${kind}:`, JSON.stringify({ kills, ...ledger.summary(), stored }));
        // Every kill cut requests off, or the test would not test anything.
        expect(ledger.noAnswer).toBeGreaterThanOrEqual(KILL_AT.length);
      } finally {
        await server.kill9();
      }
    },
    300_000,
  );
});
