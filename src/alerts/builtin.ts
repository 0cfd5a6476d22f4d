/**
 * Built-in rules and saved searches: one JSON file each in queries/ (JSON has no comments,
 * so every file carries a "description" saying what it detects and why). Files are validated
 * like API input; a bad file is a bug of ours and fails loudly, naming the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SavedSearchInput } from '../saved-searches/model.ts';
import { RuleInput } from './model.ts';

export const DEFAULT_BUILTIN_DIR = fileURLToPath(new URL('../../queries/', import.meta.url));

const RuleFile = RuleInput.omit({ channels: true }).extend({ kind: z.literal('rule'), description: z.string().min(20) });
const SearchFile = SavedSearchInput.extend({ kind: z.literal('savedSearch'), description: z.string().min(20) });
const BuiltInFile = z.discriminatedUnion('kind', [RuleFile, SearchFile]);

export type BuiltIn =
  | { kind: 'rule'; file: string; rule: Omit<RuleInput, 'channels'> }
  | { kind: 'savedSearch'; file: string; search: SavedSearchInput };

export function loadBuiltIns(dir: string = DEFAULT_BUILTIN_DIR): BuiltIn[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((file): BuiltIn => {
    let parsed;
    try {
      parsed = BuiltInFile.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    } catch (err) {
      throw new Error(`queries/${file}: ${(err as Error).message}`, { cause: err });
    }
    const name = file.replace(/\.json$/, '');
    if (parsed.kind === 'rule') {
      const { kind: _kind, ...rule } = parsed;
      return { kind: 'rule', file: name, rule };
    }
    const { kind: _kind, ...search } = parsed;
    return { kind: 'savedSearch', file: name, search };
  });
}
