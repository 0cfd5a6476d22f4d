/**
 * The OpenAPI document as the server serves it, from the app over a throwaway SQLite data
 * directory (no socket, no Elasticsearch). `node scripts/openapi.ts [out.json]` writes it;
 * `npm run openapi` then lints it with Redocly and generates the typed client the tests use;
 * the security suite reads its routes from it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { OPENAPI_PATH } from '../src/http/openapi.ts';
import { createLogger, createRuntime } from '../src/runtime.ts';
import { createHttpApp } from '../src/server.ts';

/** An operation of the document, with the fields the tests read. */
export interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  'x-auditlog-role'?: 'ingest' | 'read' | 'admin' | 'team' | 'operator';
  responses: Record<string, unknown>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  [field: string]: unknown;
}

export async function openApiDocument(): Promise<OpenApiDocument> {
  const dir = mkdtempSync(join(tmpdir(), 'auditlog-openapi-'));
  try {
    const config = loadConfig({ AUDITLOG_DATA_DIR: dir, AUDITLOG_STORE: 'sqlite', AUDITLOG_LOG_LEVEL: 'silent' });
    const rt = await createRuntime(config, createLogger(config));
    try {
      // The document names the server it was asked at; a written copy names the default one.
      const res = await createHttpApp(rt).request(`http://${config.AUDITLOG_HOST}:${config.AUDITLOG_PORT}${OPENAPI_PATH}`);
      if (res.status !== 200) throw new Error(`${OPENAPI_PATH} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as OpenApiDocument;
    } finally {
      await rt.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const out = process.argv[2] ?? 'build/openapi.json';
  const doc = await openApiDocument();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
