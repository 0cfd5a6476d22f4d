/**
 * Case-insensitive lookup of many candidate paths in one event, in one pass over the
 * event's keys. The generic adapter asks each event for about two hundred candidate
 * paths; looking each up on its own cost more than everything else in ingest together.
 * Instead the candidates form a trie, and only the branches of the event that lie on a
 * candidate path are visited. Keys match ignoring case (producers write `eventTime` and
 * `eventtime`, `ClientIP` and `clientIp`) and a dotted key is the same path as nested
 * objects (`{"event.action": …}` is `event.action`), as in Elasticsearch.
 */
import type { JsonObject } from '../../events/event.ts';
import { isJsonObject } from './values.ts';

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Set when a candidate path ends here: the lower-cased path. */
  path?: string;
}

export interface PathIndex {
  readonly root: TrieNode;
}

export function compilePaths(paths: Iterable<string>): PathIndex {
  const root: TrieNode = { children: new Map() };
  for (const path of paths) {
    const lower = path.toLowerCase();
    let node = root;
    for (const segment of lower.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.path = lower;
  }
  return { root };
}

/**
 * Values of the candidate paths present in `obj`, keyed by lower-cased path. When two
 * spellings of a path are present, the first in key order wins; null values are skipped
 * so that a later spelling with a value can still be found. Arrays are not entered.
 */
export function indexPaths(obj: JsonObject, index: PathIndex): Map<string, unknown> {
  const found = new Map<string, unknown>();
  visit(obj, index.root, found);
  return found;
}

function visit(obj: JsonObject, node: TrieNode, found: Map<string, unknown>): void {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const lower = key.toLowerCase();
    let target: TrieNode | undefined;
    if (lower.includes('.')) {
      target = node;
      for (const segment of lower.split('.')) {
        target = target.children.get(segment);
        if (!target) break;
      }
    } else {
      target = node.children.get(lower);
    }
    if (!target) continue;
    const value = obj[key];
    if (value === null || value === undefined) continue;
    if (target.path !== undefined && !found.has(target.path)) found.set(target.path, value);
    if (target.children.size > 0 && isJsonObject(value)) visit(value, target, found);
  }
}
