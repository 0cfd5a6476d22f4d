/**
 * Query parse + compile benchmark: `node bench/query.bench.ts`.
 *
 * Ours: parseQuery + compileToElasticsearch of each query in a realistic set (the seeds'
 * fields, logins, failed logins, ranges, wildcards, phrases, groups). Baseline, same run, same
 * process: `lucene-query-parser`'s parse (a PEG parser that only builds a syntax tree, no
 * compilation) of the same set. Only queries the baseline parses are in the comparison (it
 * throws on `+`/`-` prefixes and on the colons of ISO timestamps in ranges); the excluded
 * ones are printed at start. One op = the whole set once. Target: ours ≥ 5x the baseline.
 */
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { compileToElasticsearch } from '../src/store/elasticsearch/compile-es.ts';
import { parseQuery } from '../src/query/parse.ts';

const lucene = createRequire(import.meta.url)('lucene-query-parser') as { parse(query: string): unknown };

const QUERIES = [
  // Coralogix audit trail
  'action_details.operation.action:"POST:/api/v1/user/login"',
  'action_details.operation.action:"POST:/api/v1/user/login" AND NOT result:success',
  'actor.username:*@example.com AND action_details.source_type:HTTP',
  'action_details.operation.action:("POST:/api/v1/user/login" OR "POST:/api/v1/user/logout")',
  'action_details.ip_address:"::ffff:10.1.2.3"',
  // Threat Stack
  'crud:c AND result:fail',
  'crud:(c OR u OR d) AND result:fail AND source:API',
  'user_email:admin@example.com AND action:*Rule*',
  'context.httpMethod:POST AND context.responseCode:[400 TO 499]',
  'description:"changed the alert rule" OR description:"deleted the alert rule"',
  // BigPanda
  'actor.user.email:"bp@example.com"',
  'action_type:update AND resource_type:environment AND actor.type:user',
  'actor.user.email:*@bigpanda.io AND NOT action_type:init_state',
  'resource_id:5f2a* OR resource_id:6a1b*',
  // Normalized ECS fields
  'event.action:login AND event.outcome:failure',
  'event.outcome:failure AND source.ip:"10.0.0.0/8"',
  'user.name:alice OR user.name:bob OR user.name:carol',
  'user.name:(alice bob carol dave)',
  'http.response.status_code:[500 TO 599] AND url.path:"/api/v1/login"',
  'http.request.method:DELETE AND user.email:*@contractor.example.com',
  '@timestamp:[2026-01-01T00:00:00Z TO 2026-01-31T23:59:59Z] AND event.action:user.login',
  '@timestamp:[now-15m TO now] AND event.outcome:failure',
  'source.geo.country_iso_code:(RU OR CN OR KP) AND event.category:authentication',
  'message:"failed login" AND user.name:adm*',
  'user_agent.original:"curl/7.88.1"',
  'organization.id:org-1234 AND (event.action:role.grant OR event.action:role.revoke)',
  '_exists_:user.email AND NOT _exists_:organization.id',
  // Free text, fuzzy, proximity, regex
  'failed login',
  '"permission denied"~3',
  'adminstrator~1',
  'user.name:/adm(in|inistrator)[0-9]*/',
  'saml OR sso OR "identity provider"',
  '(login OR logon OR signin) AND (failed OR failure OR denied)',
  'event.action:(api_key.create OR token.create) AND NOT user.name:svc-*',
  // Prefixes and one-sided ranges: the baseline refuses some, misreads others (it drops NOT)
  'event.action:login -event.outcome:success',
  '+crud:c +result:fail',
  'event.outcome:failure AND NOT user.name:svc',
  'http.response.status_code:>=500',
];

function baselineParses(query: string): boolean {
  try {
    lucene.parse(query);
    return true;
  } catch {
    return false;
  }
}

// Every query must be ours to parse and compile; only the baseline may refuse some.
for (const q of QUERIES) compileToElasticsearch(parseQuery(q));
const compared = QUERIES.filter(baselineParses);
const excluded = QUERIES.filter((q) => !baselineParses(q));

console.log(`query set: ${QUERIES.length} queries; ${compared.length} compared (lucene-query-parser parses them)`);
for (const q of excluded) console.log(`  excluded (lucene-query-parser throws): ${q}`);

let sink = 0;
const bench = new Bench({ time: 2_000, warmupTime: 500 });
bench
  .add('auditlog parseQuery + compileToElasticsearch', () => {
    for (const q of compared) sink += compileToElasticsearch(parseQuery(q)) === null ? 0 : 1;
  })
  .add('lucene-query-parser parse', () => {
    for (const q of compared) sink += lucene.parse(q) === null ? 0 : 1;
  });
await bench.run();

const rows = bench.tasks.map((task) => {
  const r = task.result as { throughput?: { mean: number }; latency?: { mean: number } };
  const setsPerSecond = r.throughput?.mean ?? 0;
  return { task: task.name, setsPerSecond, queriesPerSecond: setsPerSecond * compared.length, usPerQuery: 1e6 / (setsPerSecond * compared.length) };
});
console.table(rows.map((r) => ({ task: r.task, 'sets/s': Math.round(r.setsPerSecond), 'queries/s': Math.round(r.queriesPerSecond), 'µs/query': r.usPerQuery.toFixed(2) })));
const [ours, baseline] = rows;
const ratio = ours!.queriesPerSecond / baseline!.queriesPerSecond;
console.log(`ratio: ${ratio.toFixed(1)}x (target ≥ 5x) ${ratio >= 5 ? 'OK' : 'BELOW TARGET'}`);
if (sink < 0) console.log(sink);
