/**
 * A stored event as the in-memory matcher reads it: the values of each field the way both
 * stores index them (src/store/sqlite/index-rows.ts and text.ts, the Elasticsearch document
 * and mapping), derived once per event and only when a query asks, so one view serves every
 * rule that tests the event.
 *
 * - original leaves: keywords of their string form, nulls left out, a value longer than the
 *   mapping's ignore_above kept out of its field (but still free text);
 * - normalized fields by type: keyword strings, long integers, ip addresses as sortable keys
 *   (a value that does not parse is no value, as the stores leave it out);
 * - free text (`auditlog.text`) and the text fields: their values, tokens and positions.
 */
import type { StoredEvent } from '../events/event.ts';
import { flattenOriginal } from '../events/fields.ts';
import { FREE_TEXT_ECS_FIELDS } from '../events/field-types.ts';
import { type Positions, positionsOf, tokenize } from './analysis.ts';
import { ORIGINAL_IGNORE_ABOVE } from './fields.ts';
import { ipKey } from './ip.ts';

export type TextColumn = 'text' | 'message' | 'user_agent.original';

export interface TextValues {
  values: readonly string[];
  tokens: ReadonlySet<string>;
  /** Token positions, for phrases (made on first use). */
  positions(): Positions;
}

const NONE: readonly string[] = [];

export class EventView {
  readonly event: StoredEvent;
  #values: Map<string, string[]> | undefined;
  #leafPaths: Set<string> | undefined;
  #freeText: string[] | undefined;
  #text = new Map<TextColumn, TextValues>();
  #ecs = new Map<string, readonly string[]>();

  constructor(event: StoredEvent) {
    this.event = event;
  }

  #flatten(): void {
    const values = new Map<string, string[]>();
    const leafPaths = new Set<string>();
    const text: string[] = [];
    for (const [path, v] of flattenOriginal(this.event.original).leaves) {
      if (typeof v === 'string' || typeof v === 'number') text.push(String(v));
      if (v === null) continue;
      leafPaths.add(path);
      const s = String(v);
      if (s.length > ORIGINAL_IGNORE_ABOVE) continue;
      const list = values.get(path);
      if (list) {
        if (!list.includes(s)) list.push(s);
      } else {
        values.set(path, [s]);
      }
    }
    for (const [name, v] of Object.entries(this.event.ecs)) {
      if (!FREE_TEXT_ECS_FIELDS.has(name)) continue;
      if (Array.isArray(v)) for (const item of v) text.push(String(item));
      else if (v !== undefined && v !== null) text.push(String(v));
    }
    this.#values = values;
    this.#leafPaths = leafPaths;
    this.#freeText = text;
  }

  /** The keyword values of an original path (`actor.user.email`), without `original.`. */
  original(path: string): readonly string[] {
    if (!this.#values) this.#flatten();
    return this.#values!.get(path) ?? NONE;
  }

  /** Whether the original has a value (of any length) at exactly this path. */
  hasLeaf(path: string): boolean {
    if (!this.#leafPaths) this.#flatten();
    return this.#leafPaths!.has(path);
  }

  /** Every original path with keyword values, and those values. */
  originalEntries(): Iterable<[string, string[]]> {
    if (!this.#values) this.#flatten();
    return this.#values!;
  }

  /** A normalized field's values as strings (arrays give each item). */
  ecs(name: string): readonly string[] {
    let out = this.#ecs.get(name);
    if (out === undefined) {
      const v = (this.event.ecs as Record<string, unknown>)[name];
      out = v === undefined || v === null ? NONE : Array.isArray(v) ? v.map(String) : [String(v)];
      this.#ecs.set(name, out);
    }
    return out;
  }

  /** A normalized long field's integer values. */
  longs(name: string): number[] {
    const v = (this.event.ecs as Record<string, unknown>)[name];
    const items = Array.isArray(v) ? v : [v];
    return items.filter((x): x is number => typeof x === 'number' && Number.isInteger(x));
  }

  /** A normalized ip field's values as sortable address keys (src/query/ip.ts). */
  ipKeys(name: string): string[] {
    const keys: string[] = [];
    for (const s of this.ecs(name)) {
      const key = ipKey(s);
      if (key !== null) keys.push(key);
    }
    return keys;
  }

  /** Free text (`text`: every string and number of the original and every normalized value) or a text field. */
  text(column: TextColumn): TextValues {
    let t = this.#text.get(column);
    if (!t) {
      let values: readonly string[];
      if (column === 'text') {
        if (!this.#freeText) this.#flatten();
        values = this.#freeText!;
      } else {
        values = this.ecs(column);
      }
      const tokens = new Set<string>();
      for (const v of values) for (const token of tokenize(v)) tokens.add(token);
      let positions: Positions | undefined;
      t = { values, tokens, positions: () => (positions ??= positionsOf(values)) };
      this.#text.set(column, t);
    }
    return t;
  }
}
