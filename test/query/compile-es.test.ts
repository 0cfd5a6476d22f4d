/**
 * The Query DSL compileToElasticsearch produces, per node type and per field type. What
 * Elasticsearch then matches is checked against a real node by the differential suite;
 * here we pin the translation itself.
 */
import { describe, expect, test } from 'vitest';
import { UnsupportedQueryError } from '../../src/errors.ts';
import type { QueryNode } from '../../src/query/ast.ts';
import { compileToElasticsearch } from '../../src/store/elasticsearch/compile-es.ts';
import { parseQuery } from '../../src/query/parse.ts';

const es = (query: string) => compileToElasticsearch(parseQuery(query));

const cases: Record<string, Array<[string, unknown]>> = {
  'match all': [
    ['', { match_all: {} }],
    ['*', { match_all: {} }],
    ['*:*', { match_all: {} }],
  ],
  'free text (auditlog.text, standard analyzer)': [
    ['alice', { match: { 'auditlog.text': { query: 'alice' } } }],
    ['failed login', { match: { 'auditlog.text': { query: 'failed login' } } }],
    ['foo-bar', { match: { 'auditlog.text': { query: 'foo-bar' } } }],
    ['"failed login"', { match_phrase: { 'auditlog.text': { query: 'failed login' } } }],
    ['"failed login"~2', { match_phrase: { 'auditlog.text': { query: 'failed login', slop: 2 } } }],
    ['Adm*', { wildcard: { 'auditlog.text': { value: 'adm*' } } }],
    ['/adm.n/', { regexp: { 'auditlog.text': { value: 'adm.n' } } }],
    ['Admin~', { fuzzy: { 'auditlog.text': { value: 'admin', fuzziness: 'AUTO' } } }],
    ['admin~1', { fuzzy: { 'auditlog.text': { value: 'admin', fuzziness: 1 } } }],
    ['[A TO M}', { range: { 'auditlog.text': { gte: 'a', lt: 'm' } } }],
  ],
  'keyword fields (normalized, metadata)': [
    ['user.name:alice', { term: { 'user.name': { value: 'alice' } } }],
    ['user.name:"Alice Smith"', { term: { 'user.name': { value: 'Alice Smith' } } }],
    ['user.name:Adm*', { wildcard: { 'user.name': { value: 'Adm*' } } }],
    ['user.name:/al.ce/', { regexp: { 'user.name': { value: 'al.ce' } } }],
    ['user.name:alise~1', { fuzzy: { 'user.name': { value: 'alise', fuzziness: 1 } } }],
    ['user.name:[a TO m]', { range: { 'user.name': { gte: 'a', lte: 'm' } } }],
    ['event.outcome:failure', { term: { 'event.outcome': { value: 'failure' } } }],
    ['auditlog.format:coralogix', { term: { 'auditlog.format': { value: 'coralogix' } } }],
    ['message.keyword:"exact message"', { term: { 'message.keyword': { value: 'exact message' } } }],
  ],
  'original fields (keyword under original.*)': [
    ['crud:c', { term: { 'original.crud': { value: 'c' } } }],
    ['crud:(c u d)', { term: { 'original.crud': { value: 'c u d' } } }],
    ['crud:(c OR u OR d)', { bool: { should: [{ term: { 'original.crud': { value: 'c' } } }, { term: { 'original.crud': { value: 'u' } } }, { term: { 'original.crud': { value: 'd' } } }] } }],
    [
      'action_details.operation.action:"POST:/api/v1/user/login"',
      { term: { 'original.action_details.operation.action': { value: 'POST:/api/v1/user/login' } } },
    ],
    ['actor.user.email:"bp@example.com"', { term: { 'original.actor.user.email': { value: 'bp@example.com' } } }],
    ['original.user.name:alice', { term: { 'original.user.name': { value: 'alice' } } }],
    ['status:200', { term: { 'original.status': { value: '200' } } }],
    ['status:>=400', { range: { 'original.status': { gte: '400' } } }],
    ['actor.username:*@example.com', { wildcard: { 'original.actor.username': { value: '*@example.com' } } }],
  ],
  'text fields (message, user_agent.original)': [
    ['message:Failed', { match: { message: { query: 'Failed' } } }],
    ['message:"login failed"', { match_phrase: { message: { query: 'login failed' } } }],
    ['user_agent.original:Chrome*', { wildcard: { 'user_agent.original': { value: 'chrome*' } } }],
    ['user_agent.original:"Mozilla/5.0"', { match_phrase: { 'user_agent.original': { query: 'Mozilla/5.0' } } }],
  ],
  'ip field': [
    ['source.ip:10.0.0.1', { term: { 'source.ip': { value: '10.0.0.1' } } }],
    ['source.ip:"10.0.0.0/8"', { term: { 'source.ip': { value: '10.0.0.0/8' } } }],
    ['source.ip:"::1"', { term: { 'source.ip': { value: '::1' } } }],
    ['source.ip:[10.0.0.0 TO 10.0.0.255]', { range: { 'source.ip': { gte: '10.0.0.0', lte: '10.0.0.255' } } }],
  ],
  'long field': [
    ['http.response.status_code:404', { term: { 'http.response.status_code': { value: 404 } } }],
    ['http.response.status_code:"404"', { term: { 'http.response.status_code': { value: 404 } } }],
    ['http.response.status_code:404.5', { match_none: {} }],
    ['http.response.status_code:[500 TO 599]', { range: { 'http.response.status_code': { gte: '500', lte: '599' } } }],
    ['http.response.status_code:>=500', { range: { 'http.response.status_code': { gte: '500' } } }],
  ],
  'date fields': [
    ['@timestamp:[now-15m TO now]', { range: { '@timestamp': { gte: 'now-15m', lte: 'now' } } }],
    ['@timestamp:{now/d TO *}', { range: { '@timestamp': { gt: 'now/d' } } }],
    ['@timestamp:[2026-01-01T00:00:00Z TO now]', { range: { '@timestamp': { gte: '2026-01-01T00:00:00Z', lte: 'now' } } }],
    ['@timestamp:[2026-01-01||+1M TO 2026-02-01||/M]', { range: { '@timestamp': { gte: '2026-01-01||+1M', lte: '2026-02-01||/M' } } }],
    ['@timestamp:2026-01-01', { range: { '@timestamp': { gte: '2026-01-01', lte: '2026-01-01' } } }],
    ['@timestamp:<now-1h', { range: { '@timestamp': { lt: 'now-1h' } } }],
    ['auditlog.received:>=1767225600000', { range: { 'auditlog.received': { gte: '1767225600000' } } }],
  ],
  'exists': [
    ['_exists_:user.email', { exists: { field: 'user.email' } }],
    ['user.email:*', { exists: { field: 'user.email' } }],
    ['_exists_:context.originIp', { exists: { field: 'original.context.originIp' } }],
    ['user.email:[* TO *]', { exists: { field: 'user.email' } }],
  ],
  'bool': [
    [
      'crud:c AND result:fail',
      { bool: { must: [{ term: { 'original.crud': { value: 'c' } } }, { term: { 'original.result': { value: 'fail' } } }] } },
    ],
    [
      'a OR b AND c',
      {
        bool: {
          must: [{ match: { 'auditlog.text': { query: 'b' } } }, { match: { 'auditlog.text': { query: 'c' } } }],
          should: [{ match: { 'auditlog.text': { query: 'a' } } }],
        },
      },
    ],
    ['NOT user.name:svc', { bool: { must: [{ match_all: {} }], must_not: [{ term: { 'user.name': { value: 'svc' } } }] } }],
    [
      'a (-b)',
      {
        bool: {
          should: [
            { match: { 'auditlog.text': { query: 'a' } } },
            { bool: { must: [{ match_all: {} }], must_not: [{ match: { 'auditlog.text': { query: 'b' } } }] } },
          ],
        },
      },
    ],
    ['+a', { bool: { must: [{ match: { 'auditlog.text': { query: 'a' } } }] } }],
    ['a^5 AND b', { bool: { must: [{ match: { 'auditlog.text': { query: 'a' } } }, { match: { 'auditlog.text': { query: 'b' } } }] } }],
  ],
  'clauses the analyzer empties are dropped, as Lucene drops them': [
    ['a - b', { bool: { should: [{ match: { 'auditlog.text': { query: 'a' } } }, { match: { 'auditlog.text': { query: 'b' } } }] } }],
    ['"..."', { match_none: {} }],
    ['+a +"..."', { bool: { must: [{ match: { 'auditlog.text': { query: 'a' } } }] } }],
    ['crud:- AND a', { bool: { must: [{ term: { 'original.crud': { value: '-' } } }, { match: { 'auditlog.text': { query: 'a' } } }] } }],
  ],
  'field patterns': [
    ['a?b:x', { term: { 'original.a?b': { value: 'x' } } }],
    ['a\\?b:x', { term: { 'original.a?b': { value: 'x' } } }],
    [
      'a?.*:x',
      { query_string: { query: 'x', fields: ['original.a?.*'], default_operator: 'or', allow_leading_wildcard: true, analyze_wildcard: false } },
    ],
    [
      'actor.*:alice',
      { query_string: { query: 'alice', fields: ['original.actor.*'], default_operator: 'or', allow_leading_wildcard: true, analyze_wildcard: false } },
    ],
    [
      'user.*:alice',
      {
        bool: {
          should: [
            { term: { 'user.id': { value: 'alice' } } },
            { term: { 'user.name': { value: 'alice' } } },
            { term: { 'user.email': { value: 'alice' } } },
            { query_string: { query: 'alice', fields: ['original.user.*'], default_operator: 'or', allow_leading_wildcard: true, analyze_wildcard: false } },
          ],
        },
      },
    ],
    [
      'http.*:GET',
      {
        bool: {
          should: [
            { term: { 'http.request.method': { value: 'GET' } } },
            { query_string: { query: 'GET', fields: ['original.http.*'], default_operator: 'or', allow_leading_wildcard: true, analyze_wildcard: false } },
          ],
        },
      },
    ],
    [
      'actor.*:[a TO "b c"}',
      {
        query_string: {
          query: '[a TO "b c"}',
          fields: ['original.actor.*'],
          default_operator: 'or',
          allow_leading_wildcard: true,
          analyze_wildcard: false,
        },
      },
    ],
    [
      'actor.*:"POST:/api"',
      { query_string: { query: '"POST:/api"', fields: ['original.actor.*'], default_operator: 'or', allow_leading_wildcard: true, analyze_wildcard: false } },
    ],
    ['_exists_:actor.\\*', { exists: { field: 'original.actor.*' } }],
    ['original.actor.*:x', { query_string: { query: 'x', fields: ['original.actor.*'], default_operator: 'or', allow_leading_wildcard: true, analyze_wildcard: false } }],
  ],
};

describe('compileToElasticsearch', () => {
  for (const [group, rows] of Object.entries(cases)) {
    describe(group, () => {
      for (const [query, dsl] of rows) {
        test(query === '' ? '(empty)' : query, () => {
          expect(es(query)).toEqual(dsl);
        });
      }
    });
  }

  test('a pattern over fields of several types keeps only the fields whose type takes the value', () => {
    const dsl = es('*:alice') as { bool: { should: Array<Record<string, unknown>> } };
    const fields = dsl.bool.should.map((q) => JSON.stringify(q));
    expect(fields.some((f) => f.includes('"user.name"'))).toBe(true);
    expect(fields.some((f) => f.includes('http.response.status_code'))).toBe(false);
    expect(fields.some((f) => f.includes('"@timestamp"'))).toBe(false);
    expect(fields.at(-1)).toContain('original.*');
  });

  test('the compiler is pure: same AST, same DSL, AST untouched', () => {
    const ast = parseQuery('crud:c AND @timestamp:[now-1h TO now] AND actor.*:x');
    const before = JSON.stringify(ast);
    expect(compileToElasticsearch(ast)).toEqual(compileToElasticsearch(ast));
    expect(JSON.stringify(ast)).toBe(before);
  });

  test('an empty bool (never produced by the parser) matches nothing', () => {
    const ast: QueryNode = { type: 'bool', clauses: [], loc: { start: 0, end: 0 } };
    expect(compileToElasticsearch(ast)).toEqual({ match_none: {} });
  });
});

/** [query, message fragment] */
const unsupported: Array<[string, string]> = [
  ['http.response.status_code:abc', 'http.response.status_code is a long field: "abc" is not an integer'],
  ['http.response.status_code:[a TO 5]', 'range bound "a" is not an integer'],
  ['http.response.status_code:5*', 'wildcard queries work on text and keyword fields only'],
  ['http.response.status_code:/5.*/', 'regular expression queries work on text and keyword fields only'],
  ['source.ip:localhost', 'source.ip is an ip field: "localhost" is not an IP address or CIDR block'],
  ['source.ip:"10.0.0.0/33"', 'is not an IP address or CIDR block'],
  ['source.ip:10.0.0.*', 'wildcard queries work on text and keyword fields only'],
  ['source.ip:[a TO b]', 'range bound "a" is not an IP address'],
  ['@timestamp:yesterday', '@timestamp is a date field: "yesterday" is not a date'],
  ['@timestamp:[now-1x TO now]', '"now-1x" is not a date'],
  ['@timestamp:2026*', 'wildcard queries work on text and keyword fields only'],
  ['@timestamp:2026~1', 'fuzzy queries work on text and keyword fields only'],
];

describe('compileToElasticsearch refuses values a field type cannot take', () => {
  for (const [query, message] of unsupported) {
    test(query, () => {
      let caught: unknown;
      try {
        es(query);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(UnsupportedQueryError);
      expect((caught as Error).message).toContain(message);
      expect((caught as UnsupportedQueryError).details).toHaveProperty('loc');
    });
  }
});
