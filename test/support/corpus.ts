/**
 * The corpus of real audit events published by third parties (test/fixtures/corpus; where each
 * file comes from and under which licence is in its SOURCES.md). It ships with the repository,
 * so a clone alone runs every suite.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));

/** The corpus's NDJSON file names, sorted. */
export function corpusFiles(): string[] {
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
