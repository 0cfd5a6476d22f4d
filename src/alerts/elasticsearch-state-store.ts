/**
 * Alert state in Elasticsearch system indices (`auditlog_control-alert-*`), shared by every
 * instance on the cluster. No painless (the test distribution has none): every contended
 * write is an optimistic-concurrency index (if_seq_no / if_primary_term).
 *
 * Elasticsearch has no multi-document transaction, so an evaluation commits through its
 * cursor document: one compare-and-set writes the new watermark AND the evaluation's
 * effects (group states, outbox entries, history) as `pending` in that document. The effects
 * are then written to their indices under fixed ids (idempotent) and `pending` is cleared.
 * An instance that dies in between leaves `pending` behind; whoever next reads the cursor
 * applies it again, which writes the same documents once more. So a window's notifications
 * are either all committed or not at all, exactly as with SQLite.
 */
import { createHash } from 'node:crypto';
import type { Client, estypes } from '@elastic/elasticsearch';
import { createSystemIndices, deleteMatching, getVersioned, type Mapping, type Versioned, writeIfUnchanged } from '../store/elasticsearch/system-indices.ts';
import type { SavedSearch } from '../saved-searches/model.ts';
import type { AlertRule } from './model.ts';
import type {
  AlertStateStore,
  EvaluationCommit,
  GroupState,
  HistoryEntry,
  OutboxEntry,
  OutboxStatus,
  RuleCursor,
} from './state-store.ts';

export const ALERT_INDEX_PREFIX = 'auditlog_control-alert-';
const NAMES = ['rules', 'searches', 'cursors', 'groups', 'outbox', 'history'] as const;
type IndexName = (typeof NAMES)[number];
const indexNames = (prefix: string) => Object.fromEntries(NAMES.map((n) => [n, `${prefix}${n}`])) as Record<IndexName, string>;

const opaque = { type: 'object', enabled: false } as const;
const MAPPINGS: Record<IndexName, Mapping> = {
  rules: { id: { type: 'keyword' }, team: { type: 'keyword' }, enabled: { type: 'boolean' }, body: opaque },
  searches: { id: { type: 'keyword' }, team: { type: 'keyword' }, body: opaque },
  cursors: {
    rule: { type: 'keyword' },
    watermark: { type: 'long' },
    version: { type: 'long' },
    leaseOwner: { type: 'keyword' },
    leaseUntil: { type: 'long' },
    pending: opaque,
  },
  groups: { rule: { type: 'keyword' }, group: { type: 'keyword' }, state: opaque },
  outbox: {
    id: { type: 'keyword' },
    team: { type: 'keyword' },
    ruleId: { type: 'keyword' },
    channelId: { type: 'keyword' },
    payload: opaque,
    attempts: { type: 'integer' },
    nextAttemptAt: { type: 'long' },
    status: { type: 'keyword' },
    lastError: { type: 'keyword', index: false },
    createdAt: { type: 'long' },
    claimOwner: { type: 'keyword' },
    claimUntil: { type: 'long' },
  },
  history: {
    id: { type: 'keyword' },
    team: { type: 'keyword' },
    ruleId: { type: 'keyword' },
    at: { type: 'long' },
    kind: { type: 'keyword' },
    group: { type: 'keyword' },
    message: { type: 'keyword', index: false },
    detail: opaque,
  },
};

interface CursorDoc {
  rule: string;
  watermark: number | null;
  version: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  pending: { states: GroupState[]; outbox: OutboxEntry[]; history: HistoryEntry[] } | null;
}
interface OutboxDoc extends OutboxEntry {
  claimOwner: string | null;
  claimUntil: number | null;
}

const groupId = (rule: string, group: string) => `${rule}:${createHash('sha256').update(group).digest('hex').slice(0, 32)}`;
const MAX_LIST = 10_000;

export class ElasticsearchAlertStateStore implements AlertStateStore {
  readonly #es: Client;
  readonly #idx: Record<IndexName, string>;

  private constructor(es: Client, prefix: string) {
    this.#es = es;
    this.#idx = indexNames(prefix);
  }

  /**
   * Creates the indices when missing (idempotent; safe when instances race). `prefix` is for
   * tests; production uses the system prefix.
   */
  static async open(es: Client, { replicas = 0, prefix = ALERT_INDEX_PREFIX }: { replicas?: number; prefix?: string } = {}): Promise<ElasticsearchAlertStateStore> {
    const store = new ElasticsearchAlertStateStore(es, prefix);
    await createSystemIndices(es, NAMES.map((name) => ({ index: store.#idx[name], mapping: MAPPINGS[name] })), replicas);
    return store;
  }

  #get<T>(index: string, id: string): Promise<Versioned<T> | null> {
    return getVersioned<T>(this.#es, index, id);
  }

  // --- rules and saved searches ---

  async insertRule(rule: AlertRule) {
    await this.#es.index({ index: this.#idx.rules, id: rule.id, document: { id: rule.id, team: rule.team, enabled: rule.enabled, body: rule }, op_type: 'create', refresh: true });
  }

  async updateRule(rule: AlertRule) {
    const found = await this.#get<{ team: string }>(this.#idx.rules, rule.id);
    if (!found || found.doc.team !== rule.team) return false;
    await this.#es.index({ index: this.#idx.rules, id: rule.id, document: { id: rule.id, team: rule.team, enabled: rule.enabled, body: rule }, refresh: true });
    return true;
  }

  async getRule(team: string, id: string) {
    const found = await this.#get<{ team: string; body: AlertRule }>(this.#idx.rules, id);
    return found && found.doc.team === team ? found.doc.body : null;
  }

  async getRuleById(id: string) {
    return (await this.#get<{ body: AlertRule }>(this.#idx.rules, id))?.doc.body ?? null;
  }

  async #listRules(query: Record<string, unknown>): Promise<AlertRule[]> {
    const r = await this.#es.search<{ body: AlertRule }>({ index: this.#idx.rules, size: MAX_LIST, query, sort: [{ id: 'asc' }] });
    return r.hits.hits.map((h) => h._source!.body);
  }

  listRules(team: string) {
    return this.#listRules({ term: { team } });
  }

  listEnabledRules() {
    return this.#listRules({ term: { enabled: true } });
  }

  async deleteRule(team: string, id: string) {
    const found = await this.#get<{ team: string }>(this.#idx.rules, id);
    if (!found || found.doc.team !== team) return false;
    await this.#es.delete({ index: this.#idx.rules, id, refresh: true });
    // The cursor by id: its writes are not refreshed (see #writeCursor), so a search may not see it yet.
    await this.#es.delete({ index: this.#idx.cursors, id, refresh: true }, { ignore: [404] });
    await deleteMatching(this.#es, [this.#idx.groups], { term: { rule: id } });
    const pending = await this.#es.search<OutboxDoc>({
      index: this.#idx.outbox,
      size: MAX_LIST,
      query: { bool: { filter: [{ term: { ruleId: id } }, { term: { status: 'pending' } }] } },
    });
    for (const h of pending.hits.hits) {
      await this.#es.index({ index: this.#idx.outbox, id: h._id!, document: { ...h._source!, status: 'failed', lastError: 'rule deleted' } });
    }
    return true;
  }

  async insertSavedSearch(s: SavedSearch) {
    await this.#es.index({ index: this.#idx.searches, id: s.id, document: { id: s.id, team: s.team, body: s }, op_type: 'create', refresh: true });
  }

  async updateSavedSearch(s: SavedSearch) {
    const found = await this.#get<{ team: string }>(this.#idx.searches, s.id);
    if (!found || found.doc.team !== s.team) return false;
    await this.#es.index({ index: this.#idx.searches, id: s.id, document: { id: s.id, team: s.team, body: s }, refresh: true });
    return true;
  }

  async getSavedSearch(team: string, id: string) {
    const found = await this.#get<{ team: string; body: SavedSearch }>(this.#idx.searches, id);
    return found && found.doc.team === team ? found.doc.body : null;
  }

  async listSavedSearches(team: string) {
    const r = await this.#es.search<{ body: SavedSearch }>({ index: this.#idx.searches, size: MAX_LIST, query: { term: { team } }, sort: [{ id: 'asc' }] });
    return r.hits.hits.map((h) => h._source!.body);
  }

  async deleteSavedSearch(team: string, id: string) {
    const found = await this.#get<{ team: string }>(this.#idx.searches, id);
    if (!found || found.doc.team !== team) return false;
    await this.#es.delete({ index: this.#idx.searches, id, refresh: true });
    return true;
  }

  // --- evaluation ---

  /** The cursor, with any pending effects of an interrupted commit applied first. */
  async #cursor(ruleId: string) {
    const found = await this.#get<CursorDoc>(this.#idx.cursors, ruleId);
    if (found?.doc.pending) {
      await this.#applyPending(ruleId, found.doc.pending);
      const doc = { ...found.doc, pending: null };
      const written = await this.#writeCursor(ruleId, doc, found);
      return written ? { doc, ...written } : this.#get<CursorDoc>(this.#idx.cursors, ruleId);
    }
    return found;
  }

  async #applyPending(ruleId: string, p: NonNullable<CursorDoc['pending']>) {
    await this.#applyPendings([[ruleId, p]]);
  }

  /** Writes the effects of committed evaluations (idempotent: re-applying writes the same documents). */
  async #applyPendings(pendings: Array<[ruleId: string, pending: NonNullable<CursorDoc['pending']>]>) {
    const ops: unknown[] = [];
    for (const [ruleId, p] of pendings) {
      for (const s of p.states) {
        const id = groupId(ruleId, s.group);
        if (s.status === 'ok' && s.suppressed === 0 && s.lastNotifiedAt === null) ops.push({ delete: { _index: this.#idx.groups, _id: id } });
        else ops.push({ index: { _index: this.#idx.groups, _id: id } }, { rule: ruleId, group: s.group, state: s });
      }
      // `create`, not `index`: re-applying must not reset an entry a deliverer already updated.
      for (const o of p.outbox) ops.push({ create: { _index: this.#idx.outbox, _id: o.id } }, { ...o, claimOwner: null, claimUntil: null });
      for (const h of p.history) ops.push({ create: { _index: this.#idx.history, _id: h.id } }, h);
    }
    if (ops.length === 0) return;
    const r = await this.#es.bulk({ operations: ops as never, refresh: true });
    if (r.errors) {
      for (const item of r.items) {
        const res = Object.values(item)[0]!;
        // 409 on create = already applied; 404 on delete = nothing to delete.
        if (res.error && res.status !== 409 && res.status !== 404) throw new Error(`could not apply alert state: ${res.error.reason ?? res.error.type}`);
      }
    }
  }

  /**
   * Cursors are only ever read by id, which sees a write at once: they are written without a
   * refresh (a refresh per lease, commit and release was most of an evaluation's time).
   */
  #writeCursor(ruleId: string, doc: CursorDoc, expected: { seqNo: number; primaryTerm: number } | null) {
    return writeIfUnchanged(this.#es, this.#idx.cursors, ruleId, doc, expected, { refresh: false });
  }

  async acquireLease(ruleId: string, owner: string, now: number, ttlMs: number) {
    const found = await this.#cursor(ruleId);
    if (found) {
      const d = found.doc;
      if (d.leaseOwner !== null && d.leaseOwner !== owner && (d.leaseUntil ?? 0) > now) return false;
    }
    const base: CursorDoc = found?.doc ?? { rule: ruleId, watermark: null, version: 0, leaseOwner: null, leaseUntil: null, pending: null };
    return (await this.#writeCursor(ruleId, { ...base, leaseOwner: owner, leaseUntil: now + ttlMs }, found)) !== null;
  }

  async releaseLease(ruleId: string, owner: string) {
    const found = await this.#get<CursorDoc>(this.#idx.cursors, ruleId);
    if (!found || found.doc.leaseOwner !== owner) return;
    // Lost to a concurrent write: the lease then expires on its own.
    await this.#writeCursor(ruleId, { ...found.doc, leaseOwner: null, leaseUntil: null }, found);
  }

  async getCursor(ruleId: string): Promise<RuleCursor> {
    const found = await this.#cursor(ruleId);
    return found ? { watermark: found.doc.watermark, version: found.doc.version } : { watermark: null, version: 0 };
  }

  async getGroupStates(ruleId: string) {
    await this.#cursor(ruleId);
    const r = await this.#es.search<{ state: GroupState }>({ index: this.#idx.groups, size: MAX_LIST, query: { term: { rule: ruleId } }, sort: [{ group: 'asc' }] });
    return r.hits.hits.map((h) => h._source!.state);
  }

  async commitEvaluation(c: EvaluationCommit, now: number) {
    const found = await this.#get<CursorDoc>(this.#idx.cursors, c.ruleId);
    if (!found) return false;
    const d = found.doc;
    if (d.version !== c.expectedVersion || d.leaseOwner !== c.owner || (d.leaseUntil ?? 0) <= now || d.pending) return false;
    const pending = { states: c.states, outbox: c.outbox, history: c.history };
    const written = await this.#writeCursor(c.ruleId, { ...d, watermark: c.watermark, version: d.version + 1, pending }, found);
    if (!written) return false;
    // Committed. Applying can fail and be retried by the next reader of the cursor.
    await this.#applyPending(c.ruleId, pending);
    // Lost to a concurrent write: the next reader of the cursor applies and clears `pending` again.
    await this.#writeCursor(c.ruleId, { ...d, watermark: c.watermark, version: d.version + 1, pending: null }, written);
    return true;
  }

  // --- evaluation of many rules at once: one mget and a bulk or two per step, not one request per rule ---

  /** Cursor documents with their versions, as stored (pending effects not applied). */
  async #mgetCursors(ruleIds: string[]): Promise<Map<string, Versioned<CursorDoc>>> {
    const out = new Map<string, Versioned<CursorDoc>>();
    if (ruleIds.length === 0) return out;
    const r = await this.#es.mget<CursorDoc>({ index: this.#idx.cursors, ids: ruleIds });
    for (const d of r.docs) {
      if ('error' in d && d.error) throw new Error(`could not read alert cursor ${d._id}: ${d.error.reason ?? d.error.type}`);
      const got = d as estypes.GetGetResult<CursorDoc>;
      if (got.found) out.set(got._id, { doc: got._source!, seqNo: got._seq_no!, primaryTerm: got._primary_term! });
    }
    return out;
  }

  /** Cursor documents with their versions, pending effects of interrupted commits applied first. */
  async #cursors(ruleIds: string[]): Promise<Map<string, Versioned<CursorDoc>>> {
    const found = await this.#mgetCursors(ruleIds);
    for (const [id, v] of found) {
      if (!v.doc.pending) continue;
      const fixed = await this.#cursor(id);
      if (fixed) found.set(id, fixed);
      else found.delete(id);
    }
    return found;
  }

  /**
   * Writes cursors on condition (the version read, or none yet) in one bulk, without a
   * refresh (see #writeCursor); the new versions of those written. A 409 lost to another writer.
   */
  async #writeCursors(items: Array<{ id: string; doc: CursorDoc; expected: { seqNo: number; primaryTerm: number } | null }>) {
    const written = new Map<string, { seqNo: number; primaryTerm: number }>();
    if (items.length === 0) return written;
    const index = this.#idx.cursors;
    const ops = items.flatMap(({ id, doc, expected }) => [
      expected ? { index: { _index: index, _id: id, if_seq_no: expected.seqNo, if_primary_term: expected.primaryTerm } } : { create: { _index: index, _id: id } },
      doc,
    ]);
    const r = await this.#es.bulk({ operations: ops as never, refresh: false });
    r.items.forEach((item, i) => {
      const res = Object.values(item)[0]!;
      if (res.status < 300) written.set(items[i]!.id, { seqNo: res._seq_no!, primaryTerm: res._primary_term! });
      else if (res.status !== 409) throw new Error(`could not write alert cursor ${items[i]!.id}: ${res.error?.reason ?? res.error?.type ?? res.status}`);
    });
    return written;
  }

  async acquireLeases(ruleIds: string[], owner: string, now: number, ttlMs: number) {
    const found = await this.#cursors(ruleIds);
    const items: Array<{ id: string; doc: CursorDoc; expected: Versioned<CursorDoc> | null }> = [];
    for (const id of ruleIds) {
      const f = found.get(id);
      if (f && f.doc.leaseOwner !== null && f.doc.leaseOwner !== owner && (f.doc.leaseUntil ?? 0) > now) continue;
      const base: CursorDoc = f?.doc ?? { rule: id, watermark: null, version: 0, leaseOwner: null, leaseUntil: null, pending: null };
      items.push({ id, doc: { ...base, leaseOwner: owner, leaseUntil: now + ttlMs }, expected: f ?? null });
    }
    return new Set((await this.#writeCursors(items)).keys());
  }

  async releaseLeases(ruleIds: string[], owner: string) {
    const found = await this.#mgetCursors(ruleIds);
    const items = [...found].filter(([, f]) => f.doc.leaseOwner === owner).map(([id, f]) => ({ id, doc: { ...f.doc, leaseOwner: null, leaseUntil: null }, expected: f }));
    // Lost to a concurrent write: those leases then expire on their own.
    await this.#writeCursors(items);
  }

  async getCursors(ruleIds: string[]) {
    const found = await this.#cursors(ruleIds);
    return new Map(ruleIds.map((id): [string, RuleCursor] => {
      const f = found.get(id);
      return [id, f ? { watermark: f.doc.watermark, version: f.doc.version } : { watermark: null, version: 0 }];
    }));
  }

  async getGroupStatesOf(ruleIds: string[]) {
    const out = new Map<string, GroupState[]>(ruleIds.map((id) => [id, []]));
    if (ruleIds.length === 0) return out;
    await this.#cursors(ruleIds);
    let after: estypes.SortResults | undefined;
    for (;;) {
      const r = await this.#es.search<{ rule: string; state: GroupState }>({
        index: this.#idx.groups,
        size: MAX_LIST,
        query: { terms: { rule: ruleIds } },
        sort: [{ rule: 'asc' }, { group: 'asc' }],
        ...(after ? { search_after: after } : {}),
      });
      for (const h of r.hits.hits) out.get(h._source!.rule)?.push(h._source!.state);
      if (r.hits.hits.length < MAX_LIST) return out;
      after = r.hits.hits.at(-1)!.sort;
    }
  }

  async commitEvaluations(commits: EvaluationCommit[], now: number) {
    const found = await this.#mgetCursors(commits.map((c) => c.ruleId));
    const pendings = new Map<string, NonNullable<CursorDoc['pending']>>();
    const items: Array<{ id: string; doc: CursorDoc; expected: Versioned<CursorDoc> }> = [];
    for (const c of commits) {
      const f = found.get(c.ruleId);
      if (!f) continue;
      const d = f.doc;
      if (d.version !== c.expectedVersion || d.leaseOwner !== c.owner || (d.leaseUntil ?? 0) <= now || d.pending) continue;
      const pending = { states: c.states, outbox: c.outbox, history: c.history };
      pendings.set(c.ruleId, pending);
      items.push({ id: c.ruleId, doc: { ...d, watermark: c.watermark, version: d.version + 1, pending }, expected: f });
    }
    const written = await this.#writeCursors(items);
    // Committed. Applying can fail and be retried by the next reader of each cursor.
    await this.#applyPendings([...written.keys()].map((id) => [id, pendings.get(id)!]));
    await this.#writeCursors(
      items.filter((i) => written.has(i.id)).map((i) => ({ id: i.id, doc: { ...i.doc, pending: null }, expected: written.get(i.id)! })),
    );
    return commits.map((c) => written.has(c.ruleId));
  }

  // --- delivery ---

  async claimDeliveries(owner: string, now: number, ttlMs: number, limit: number) {
    const r = await this.#es.search<OutboxDoc>({
      index: this.#idx.outbox,
      size: limit,
      seq_no_primary_term: true,
      query: {
        bool: {
          filter: [{ term: { status: 'pending' } }, { range: { nextAttemptAt: { lte: now } } }],
          must_not: [{ range: { claimUntil: { gt: now } } }],
        },
      },
      sort: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
    });
    const claimed: OutboxEntry[] = [];
    for (const h of r.hits.hits) {
      const doc = h._source!;
      const version = { seqNo: h._seq_no!, primaryTerm: h._primary_term! };
      // Null: another instance claimed it first.
      if (await writeIfUnchanged(this.#es, this.#idx.outbox, h._id!, { ...doc, claimOwner: owner, claimUntil: now + ttlMs }, version)) {
        const { claimOwner: _o, claimUntil: _u, ...entry } = doc;
        claimed.push(entry);
      }
    }
    return claimed;
  }

  async finishDelivery(
    id: string,
    owner: string,
    result: { status: OutboxStatus; attempts: number; nextAttemptAt: number; lastError: string | null },
    history: HistoryEntry,
  ) {
    const found = await this.#get<OutboxDoc>(this.#idx.outbox, id);
    if (!found || found.doc.claimOwner !== owner) return false;
    if (!(await writeIfUnchanged(this.#es, this.#idx.outbox, id, { ...found.doc, ...result, claimOwner: null, claimUntil: null }, found))) return false;
    await this.appendHistory([history]);
    return true;
  }

  async listOutbox(ruleId: string) {
    const r = await this.#es.search<OutboxDoc>({ index: this.#idx.outbox, size: MAX_LIST, query: { term: { ruleId } }, sort: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return r.hits.hits.map((h) => {
      const { claimOwner: _o, claimUntil: _u, ...entry } = h._source!;
      return entry;
    });
  }

  // --- history ---

  async appendHistory(entries: HistoryEntry[]) {
    if (entries.length === 0) return;
    const r = await this.#es.bulk({ operations: entries.flatMap((h) => [{ create: { _index: this.#idx.history, _id: h.id } }, h]) as never, refresh: true });
    if (r.errors && r.items.some((i) => Object.values(i)[0]!.error && Object.values(i)[0]!.status !== 409)) {
      throw new Error('could not write alert history');
    }
  }

  async listHistory(team: string, ruleId: string, options: { limit?: number; before?: number } = {}) {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
    const r = await this.#es.search<HistoryEntry>({
      index: this.#idx.history,
      size: limit,
      query: { bool: { filter: [{ term: { team } }, { term: { ruleId } }, { range: { at: { lt: options.before ?? Number.MAX_SAFE_INTEGER } } }] } },
      sort: [{ at: 'desc' }, { id: 'desc' }],
    });
    return r.hits.hits.map((h) => h._source!);
  }

  async close() {
    // The client belongs to the caller (shared with the event store).
  }
}
