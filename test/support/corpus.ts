/**
 * The held-out corpus of real audit events (../shared/corpus beside the repo; never committed).
 * Locally a missing corpus skips its suites; under CI=true it fails them, because CI has it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

/** The corpus's NDJSON file names, sorted; empty when the corpus is absent (outside CI). */
export function corpusFiles(): string[] {
  if (!existsSync(CORPUS_DIR)) {
    if (process.env.CI === 'true') throw new Error(`the event corpus is missing at ${CORPUS_DIR}; CI must provide it`);
    return [];
  }
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.ndjson'))
    .sort();
}

/** The non-empty lines of one corpus file. */
export function corpusLines(file: string): string[] {
  return readFileSync(join(CORPUS_DIR, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
}
