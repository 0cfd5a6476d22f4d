/**
 * SQLite store benchmark: `node bench/sqlite.bench.ts` (BENCH_EVENTS=100000 for a quick run).
 *
 * (a) Ingest: SqliteStore.append against a baseline of raw prepared-statement inserts of
 *     the SAME rows (events + docs + fields + paths + FTS, precomputed before the clock starts)
 *     in one transaction, same schema and pragmas. Target: store ≥ 50% of the baseline.
 * (b) Search latency over BENCH_EVENTS (default 1,000,000) events in one team, for field,
 *     phrase, wildcard, range and free-text queries; each search returns 50 hits newest
 *     first AND the exact total, as the API does. Target: p95 < 100 ms.
 *
 * The generator writes events in the shapes of the seed formats (Coralogix audit trail,
 * Threat Stack audit log, BigPanda audit log) with the normalized ECS fields an adapter
 * would fill: 2,000 users, 5,000 source IPs, ~40 actions, 30 days of timestamps, a seeded
 * PRNG (same data every run). Values the queries look for exist at realistic frequencies
 * (one user ≈ 0.05% of events, one action ≈ 2.5%, failures ≈ 10%).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '../src/events/event.ts';
import { parseQuery } from '../src/query/parse.ts';
import { fieldRows } from '../src/store/sqlite/index-rows.ts';
import { openSchema, type Synchronous } from '../src/store/sqlite/schema.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { ftsDocument, ftsValues } from '../src/store/sqlite/text.ts';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const N_INGEST = Number(process.env.BENCH_INGEST ?? Math.min(N, 20_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BASE = Date.UTC(2026, 9, 1);
const SPAN = 30 * 24 * 3_600_000;

// --- deterministic generator -------------------------------------------------------------
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'walter'];
const LAST = ['smith', 'jones', 'garcia', 'miller', 'davis', 'martin', 'lopez', 'wilson', 'anderson', 'thomas', 'moore', 'jackson', 'white'];
const USERS = Array.from({ length: 2000 }, (_, i) => {
  const name = `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i}`;
  return { id: `u${100000 + i}`, name, email: `${name}@example${i % 7}.com` };
});
const IPS = Array.from({ length: 5000 }, (_, i) => `${10 + (i % 200)}.${(i * 7) % 256}.${(i * 13) % 256}.${(i * 31) % 254 + 1}`);
const UAS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'curl/8.4.0',
  'python-requests/2.31.0',
  'Terraform/1.6.2',
];
const CORALOGIX_OPS = ['POST:/api/v1/user/login', 'POST:/api/v1/user/logout', 'GET:/api/v1/alerts', 'PUT:/api/v1/alerts', 'DELETE:/api/v1/dashboards', 'POST:/api/v1/apikeys', 'PUT:/api/v1/team/settings', 'GET:/api/v1/logs/query'];
const TS_ACTIONS = ['agent-revoke', 'alert-dismiss', 'login', 'logout', 'password-change', 'rule-create', 'rule-update', 'rule-delete', 'user-invite', 'user-remove', 'api-key-create', 'integration-update', 'mfa-enable', 'sso-config-update'];
const BP_ACTIONS = ['create', 'update', 'delete', 'resolve', 'assign', 'comment', 'snooze', 'merge'];
const BP_RESOURCES = ['environment', 'incident', 'alert_filter', 'correlation_pattern', 'user', 'role', 'api_key', 'integration'];
const WORDS = ['dashboard', 'settings', 'password', 'changed', 'policy', 'updated', 'session', 'expired', 'token', 'rotated', 'permission', 'granted', 'denied', 'role', 'admin', 'viewer', 'production', 'staging'];

function generate(i: number, team: string): StoredEvent {
  const r = rng(i * 2654435761);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const user = USERS[Math.floor(Math.pow(r(), 1.3) * USERS.length)]!;
  const ip = pick(IPS);
  const ua = pick(UAS);
  const ts = BASE + Math.floor((i / N) * SPAN) + Math.floor(r() * 1000);
  const fail = r() < 0.1;
  const words = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}`;
  const id = `b${i.toString(36).padStart(8, '0')}`;
  const shape = i % 3;
  let original: Record<string, unknown>;
  let ecs: StoredEvent['ecs'];
  if (shape === 0) {
    const op = pick(CORALOGIX_OPS);
    const [method, path] = op.split(':') as [string, string];
    const status = fail ? pick([401, 403, 500]) : pick([200, 201, 204]);
    const login = path.endsWith('/login');
    original = {
      actor: { type: 'user', username: user.email, account_id: user.id },
      action_details: { operation: { action: op, payload: { query: words, count: Math.floor(r() * 100) } } },
      action_start_timestamp: new Date(ts).toISOString(),
      audit_schema_version: '1.0.0',
      source_ip: ip,
      user_agent: ua,
      team_id: 4242,
      status_code: status,
      message: login ? (fail ? `failed login for ${user.name}` : `successful login for ${user.name}`) : `${method} ${path} ${words}`,
    };
    ecs = {
      'event.action': op,
      'event.outcome': fail ? 'failure' : 'success',
      'event.category': login ? ['authentication'] : ['web'],
      'user.email': user.email,
      'user.id': user.id,
      'source.ip': ip,
      'user_agent.original': ua,
      'http.request.method': method,
      'url.path': path,
      'http.response.status_code': status,
      message: String(original.message),
    };
  } else if (shape === 1) {
    const action = pick(TS_ACTIONS);
    original = {
      id: `ts-${i}`,
      user_email: user.email,
      user_id: user.id,
      organization_id: `org-${i % 50}`,
      crud: pick(['c', 'r', 'u', 'd']),
      result: fail ? 'fail' : 'pass',
      action,
      source: pick(['API', 'UI']),
      event_time: ts,
      description: action === 'login' && fail ? `failed login attempt from ${ip}` : `${action.replace(/-/g, ' ')} ${words}`,
      ip,
    };
    ecs = {
      'event.action': action,
      'event.outcome': fail ? 'failure' : 'success',
      'user.email': user.email,
      'user.id': user.id,
      'organization.id': `org-${i % 50}`,
      'source.ip': ip,
      message: String(original.description),
    };
  } else {
    const action = pick(BP_ACTIONS);
    const resource = pick(BP_RESOURCES);
    original = {
      actor: { type: 'user', user: { id: user.id, email: user.email, name: user.name } },
      context: { actor_access: { ip_address: ip, user_agent: ua } },
      timestamp: Math.floor(ts / 1000),
      action,
      resource: { type: resource, id: `${resource}-${i % 997}` },
      changes: [
        { field: 'name', before: pick(WORDS), after: pick(WORDS) },
        { field: 'tags', before: [pick(WORDS)], after: [pick(WORDS), pick(WORDS)] },
      ],
    };
    ecs = {
      'event.action': `${resource}.${action}`,
      'event.outcome': 'success',
      'user.email': user.email,
      'user.id': user.id,
      'user.name': user.name,
      'source.ip': ip,
      'user_agent.original': ua,
      message: `${user.name} ${action}d ${resource} ${words}`,
    };
  }
  return {
    id,
    team,
    timestamp: ts,
    received: ts + 500,
    format: shape === 0 ? 'coralogix' : shape === 1 ? 'threatstack' : 'bigpanda',
    flags: [],
    ecs,
    original,
    raw: JSON.stringify(original),
  };
}

// --- helpers -------------------------------------------------------------------------------
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function appendAll(store: SqliteStore, team: string, from: number, to: number, batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = from; i < to; i += batch) {
    const events: StoredEvent[] = [];
    for (let j = i; j < Math.min(to, i + batch); j++) events.push(generate(j, team));
    const results = await store.append(team, events);
    if (results.some((r) => r.status !== 'created')) throw new Error('bench: an event was not created');
  }
  return performance.now() - t0;
}

/** Times only the appends (generation excluded), for a fair comparison with the baseline. */
async function timedAppend(store: SqliteStore, team: string, events: StoredEvent[], batch: number): Promise<number> {
  let ms = 0;
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    const t0 = performance.now();
    await store.append(team, slice);
    ms += performance.now() - t0;
  }
  return ms;
}

function rawBaseline(file: string, events: StoredEvent[], synchronous: Synchronous): number {
  const db = new Database(file);
  openSchema(db, synchronous);
  const insertEvent = db.prepare('INSERT INTO events (id, ts, received) VALUES (?, ?, ?)');
  const insertDoc = db.prepare('INSERT INTO docs (seq, format, flags, ecs, original, raw) VALUES (?, ?, ?, ?, ?, ?)');
  const insertField = db.prepare('INSERT OR IGNORE INTO fields (path, value, event) VALUES (?, ?, ?)');
  const insertPath = db.prepare('INSERT OR IGNORE INTO paths (path) VALUES (?)');
  const insertFts = db.prepare('INSERT INTO fts (rowid, text, message, ua) VALUES (?, ?, ?, ?)');
  // The same rows the store writes, computed before the clock starts.
  const rows = events.map((e) => {
    const { rows: fields, originalPaths } = fieldRows(e);
    const text = ftsValues(e);
    return {
      event: [e.id, e.timestamp, e.received],
      doc: [e.format, JSON.stringify(e.flags), JSON.stringify(e.ecs), JSON.stringify(e.original), e.raw],
      fields,
      paths: [...originalPaths],
      fts: [ftsDocument(text.text), ftsDocument(text.message), ftsDocument(text.ua)],
    };
  });
  const t0 = performance.now();
  db.transaction(() => {
    for (const r of rows) {
      const seq = insertEvent.run(...r.event).lastInsertRowid;
      insertDoc.run(seq, ...r.doc);
      for (const [p, v] of r.fields) insertField.run(p, v, seq);
      for (const p of r.paths) insertPath.run(p);
      insertFts.run(seq, ...r.fts);
    }
  })();
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

// --- (a) ingest ------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'auditlog-bench-'));
try {
  console.log(`# SQLite store benchmark — node ${process.version}, ${N_INGEST.toLocaleString()} events for ingest, ${N.toLocaleString()} for search\n`);
  const ingestEvents = Array.from({ length: N_INGEST }, (_, i) => generate(i, 'ingest'));
  const rate = (ms: number) => (N_INGEST / ms) * 1000;
  // Disk and CPU noise on a shared machine: every configuration runs ROUNDS times,
  // interleaved with the baseline, and the best run of each counts.
  const configs = [
    ['store, one batch (one transaction), synchronous=FULL', 'FULL', N_INGEST],
    ['store, batches of 1000, synchronous=FULL', 'FULL', 1000],
    ['store, batches of 1000, synchronous=NORMAL', 'NORMAL', 1000],
    ['store, batches of 100, synchronous=FULL', 'FULL', 100],
  ] as const;
  let rawMs = Infinity;
  const best = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    rawMs = Math.min(rawMs, rawBaseline(join(dir, `raw${round}.db`), ingestEvents, 'FULL'));
    for (const [label, synchronous, batch] of configs) {
      const store = new SqliteStore({ dataDir: join(dir, `${synchronous}-${batch}-${round}`), synchronous });
      const ms = await timedAppend(store, 'ingest', ingestEvents, batch);
      await store.close();
      best.set(label, Math.min(best.get(label) ?? Infinity, ms));
    }
  }
  console.log(`## Ingest (${N_INGEST.toLocaleString()} events, best of ${ROUNDS} rounds)\n`);
  console.log('| run | events/s | vs raw |');
  console.log('|---|---:|---:|');
  console.log(`| raw prepared inserts of the same rows (events+docs+fields+paths+FTS), one transaction, synchronous=FULL | ${fmt(rate(rawMs))} | 100% |`);
  for (const [label] of configs) {
    const ms = best.get(label)!;
    console.log(`| ${label} | ${fmt(rate(ms))} | ${Math.round((rawMs / ms) * 100)}% |`);
  }

  // --- (b) search ------------------------------------------------------------------------------
  const store = new SqliteStore({ dataDir: join(dir, 'search') });
  const seedMs = await appendAll(store, 'bench', 0, N, 5000);
  const file = store.fileOf('bench');
  const size = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  console.log(`\nSeeded ${N.toLocaleString()} events in ${(seedMs / 1000).toFixed(1)} s (generation included, batches of 5000): ${fmt((N / seedMs) * 1000)} events/s; database ${(size / 1e9).toFixed(2)} GB\n`);

  const day = (d: number) => new Date(BASE + d * 86_400_000).toISOString().slice(0, 10);
  const kinds: Array<[kind: string, queries: (k: number) => string]> = [
    ['field (normalized keyword)', (k) => `user.email:"${USERS[(k * 37) % USERS.length]!.email}"`],
    ['field (original path)', (k) => `actor.user.name:"${USERS[(k * 53) % USERS.length]!.name}"`],
    ['field AND field', (k) => `crud:${['c', 'r', 'u', 'd'][k % 4]} AND result:fail`],
    ['field (frequent value)', (k) => `event.action:${TS_ACTIONS[k % TS_ACTIONS.length]}`],
    ['phrase (free text)', (k) => `"failed login for ${USERS[(k * 11) % USERS.length]!.name}"`],
    ['phrase (message field)', (k) => `message:"${WORDS[k % WORDS.length]} ${WORDS[(k * 5 + 1) % WORDS.length]}"`],
    ['phrase with slop', (k) => `"failed ${['login', 'attempt'][k % 2]}"~2`],
    ['wildcard (keyword prefix)', (k) => `user.email:${FIRST[k % FIRST.length]}.${LAST[k % LAST.length]}1*`],
    ['wildcard (free-text prefix)', (k) => `${WORDS[k % WORDS.length]!.slice(0, 4)}*`],
    ['wildcard (leading, free text)', (k) => `*${WORDS[k % WORDS.length]!.slice(2)}`],
    ['range (long)', (k) => `http.response.status_code:[${400 + (k % 3) * 50} TO 599]`],
    ['range (@timestamp, one day)', (k) => `@timestamp:[${day(k % 30)} TO ${day((k % 30) + 1)}}`],
    ['range (original keyword)', (k) => `event_time:[${BASE + (k % 30) * 86_400_000} TO ${BASE + (k % 30) * 86_400_000 + 3_600_000}]`],
    ['range + field', (k) => `@timestamp:[${day(k % 30)} TO ${day((k % 30) + 7)}} AND event.outcome:failure`],
    ['free text (rare term)', (k) => `${USERS[(k * 17) % USERS.length]!.name}`],
    ['free text (common term)', (k) => `${WORDS[k % WORDS.length]}`],
    ['free text, two terms OR', (k) => `${WORDS[k % WORDS.length]} ${FIRST[k % FIRST.length]}`],
    ['match all (newest 50 + total)', () => '*:*'],
  ];
  console.log(`## Search over ${N.toLocaleString()} events (size 50, newest first, exact total; ${RUNS} runs per kind, values rotate)\n`);
  console.log('| query kind | example | p50 ms | p95 ms | max ms | avg hits total |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const [kind, make] of kinds) {
    await store.search('bench', { query: parseQuery(make(0)), size: 50 }); // warm-up
    const times: number[] = [];
    let totals = 0;
    for (let k = 0; k < RUNS; k++) {
      const query = parseQuery(make(k + 1));
      const t0 = performance.now();
      const page = await store.search('bench', { query, size: 50 });
      times.push(performance.now() - t0);
      totals += page.total;
    }
    times.sort((a, b) => a - b);
    console.log(
      `| ${kind} | \`${make(1).replaceAll('|', '\\|')}\` | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${times.at(-1)!.toFixed(1)} | ${fmt(totals / RUNS)} |`,
    );
  }
  const t0 = performance.now();
  const h = await store.histogram('bench', { query: parseQuery('event.outcome:failure') });
  console.log(`\nhistogram (auto interval, event.outcome:failure, whole range): ${(performance.now() - t0).toFixed(0)} ms, ${h.buckets.length} buckets`);
  const t1 = performance.now();
  await store.facets('bench', { query: parseQuery('event.outcome:failure'), field: 'user.email' });
  console.log(`facets (user.email top 10, event.outcome:failure): ${(performance.now() - t1).toFixed(0)} ms`);
  const t2 = performance.now();
  const deleted = await store.deleteOlderThan('bench', BASE + 86_400_000);
  console.log(`retention: deleted ${fmt(deleted)} events (first day) in ${((performance.now() - t2) / 1000).toFixed(1)} s`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
