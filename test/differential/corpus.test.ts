/**
 * The differential comparison (see query-string.test.ts for what (a) and (b) compare) on the
 * real events of test/fixtures/corpus: 3,153 events of 49 products, with the shapes no
 * hand-written fixture has (CloudTrail, Okta, Kubernetes, GCP, O365…), through the real
 * ingest path into both stores. The queries are what people look for in such logs.
 */
import type { StoredEvent } from '../../src/events/event.ts';
import { prepareEvents } from '../../src/ingest/prepare.ts';
import { corpusFiles, corpusLines } from '../support/corpus.ts';
import { known, runDifferentialTable, type Table } from './run-table.ts';

const TEAM = 'corpus';
const r = String.raw;
const PER_INDEX = 'Elasticsearch decides per index (month) whether a name is a field or only has fields under it; SQLite once per team (docs: Known differences)';
const PER_EVENT = 'the in-memory matcher decides per event whether a name is a field or only has fields under it (docs: Known differences)';

function loadCorpus(): StoredEvent[] {
  const files = corpusFiles();
  const events: StoredEvent[] = [];
  for (const file of files) {
    const items = corpusLines(file).map((raw, index) => ({ index, value: JSON.parse(raw) as Record<string, unknown>, raw }));
    for (const p of prepareEvents(items, { team: TEAM, received: Date.UTC(2026, 0, 20) })) {
      if ('error' in p) throw new Error(`${file} line ${p.index + 1} not prepared: ${p.error.reason}`);
      events.push(p.event);
    }
  }
  return events;
}

const TABLE: Table = {
  'free text': [
    r`login`,
    r`Login`,
    r`failed`,
    r`denied`,
    r`admin`,
    r`"access denied"`,
    r`amazonaws.com`,
    r`1.2.3.4`,
    r`delete*`,
    r`"User login to Okta"`,
    r`sign-in`,
    r`kubectl`,
    r`secret~1`,
    r`/creat.*/`,
    r`admin OR root AND login`,
    r`"sign on"~2`,
  ],
  'normalized fields': [
    r`event.outcome:failure`,
    r`event.action:ConsoleLogin`,
    r`event.action:create`,
    r`event.action:*Login*`,
    r`user.email:admin@example.com`,
    r`user.email:*@example.com`,
    r`user.name:"Homer Simpson"`,
    r`source.ip:"10.0.0.0/8"`,
    r`source.ip:"1.0.0.0/8"`,
    r`source.ip:[1.0.0.0 TO 12.255.255.255]`,
    r`http.response.status_code:>=400`,
    r`http.response.status_code:[200 TO 299]`,
    r`event.provider:*.amazonaws.com`,
    r`url.path:\/api\/*`,
    r`user_agent.original:aws`,
    r`user_agent.original.keyword:Mozilla*`,
    r`message:login`,
    r`message:"sign on"~2`,
    r`organization.name:organization`,
    r`user.*:user`,
  ],
  'original paths': [
    r`eventName:ConsoleLogin`,
    r`eventSource:iam.amazonaws.com`,
    r`userIdentity.type:IAMUser`,
    r`readOnly:false`,
    r`readOnly:true`,
    r`responseStatus.code:[400 TO 499]`,
    r`verb:(create OR delete)`,
    r`objectRef.resource:secrets`,
    r`protoPayload.methodName:*delete*`,
    r`userIdentity.*:IAMUser`,
    r`*:ConsoleLogin`,
    r`eventName:ConsoleLogin AND NOT responseElements.ConsoleLogin:Success`,
    r`p_log_type:/AWS\..*/`,
  ],
  _exists_: [
    r`_exists_:userIdentity`,
    known(r`_exists_:actor`, { sqlite: PER_INDEX, matcher: PER_EVENT }),
    r`_exists_:actor.type`,
    r`NOT _exists_:eventTime`,
    r`p_log_type:*`,
    r`severity:*`,
    r`kind:*`,
    known(r`action:*`, { sqlite: PER_INDEX, matcher: PER_EVENT }),
    r`-_exists_:user.name -_exists_:user.email`,
  ],
  'time and metadata': [
    r`@timestamp:[2023-01-01 TO 2024-01-01}`,
    r`@timestamp:<2020-01-01`,
    r`@timestamp:[now-5y TO now]`,
    r`auditlog.flags:timestamp_missing`,
    r`auditlog.format:ecs`,
  ],
  combinations: [
    r`(event.outcome:failure OR http.response.status_code:>=400) AND _exists_:source.ip`,
    r`event.action:(create OR delete) AND NOT user.name:user`,
    r`+_exists_:sourceIPAddress -sourceIPAddress:"AWS Internal"`,
  ],
};

runDifferentialTable({
  title: 'differential on the real corpus',
  team: TEAM,
  events: loadCorpus,
  table: TABLE,
  minCases: 60,
  minTelling: 0.8,
});
