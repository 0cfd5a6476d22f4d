/**
 * Conformance table: one case per syntax element and per ambiguity, the query text as the
 * title, the tree Lucene's classic QueryParser (as Elasticsearch's query_string runs it,
 * default_operator OR) would build.
 */
import { describe, expect, test } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { parseQuery } from '../../src/query/parse.ts';
import { QuerySyntaxError } from '../../src/query/syntax-error.ts';
import { all, bool, boosted, type Expected, ex, fz, must, not, ph, re, rg, should, stripLoc, t, w } from './helpers.ts';

const cases: Record<string, Array<[string, Expected]>> = {
  'empty query': [
    ['', all()],
    ['   \t\n', all()],
  ],
  'terms and fields': [
    ['alice', t('alice')],
    ['user.name:alice', t('alice', 'user.name')],
    ['user.name : alice', t('alice', 'user.name')],
    ['status:200', t('200', 'status')],
    ['@timestamp:2026-01-01', t('2026-01-01', '@timestamp')],
    ['source.ip:10.0.0.1', t('10.0.0.1', 'source.ip')],
    ['actor.user.email:bp@example.com', t('bp@example.com', 'actor.user.email')],
    ['foo-bar', t('foo-bar')],
    ['a+b', t('a+b')],
    ['a&&b', t('a&&b')],
    ['ANDROID', t('ANDROID')],
    ['ORACLE', t('ORACLE')],
    ['a and b', t('a and b')],
    ['café', t('café')],
    ['x=1', t('x=1')],
  ],
  'seed queries': [
    ['action_details.operation.action:"POST:/api/v1/user/login"', ph('POST:/api/v1/user/login', 'action_details.operation.action')],
    ['crud:c AND result:fail', bool(must(t('c', 'crud')), must(t('fail', 'result')))],
    ['actor.user.email:"bp@example.com"', ph('bp@example.com', 'actor.user.email')],
    ['action_type:update AND resource_type:environment', bool(must(t('update', 'action_type')), must(t('environment', 'resource_type')))],
    ['context.originIp:"10.1.2.3" -result:pass', bool(should(ph('10.1.2.3', 'context.originIp')), not(t('pass', 'result')))],
  ],
  'phrases and escapes': [
    ['"failed login"', ph('failed login')],
    ['message:"failed login"', ph('failed login', 'message')],
    ['"say \\"hi\\""', ph('say "hi"')],
    ['"back\\\\slash"', ph('back\\slash')],
    ['""', ph('')],
    ['"a (b) c:d"', ph('a (b) c:d')],
    ['foo\\:bar', t('foo:bar')],
    ['foo\\ bar', t('foo bar')],
    ['\\u0041dmin', t('Admin')],
    ['first\\ name:Alice', t('Alice', 'first name')],
    ['\\(1\\+1\\)\\:2', t('(1+1):2')],
    ['\\-a', t('-a')],
    ['\\AND', t('AND')],
    ['source.ip:"10.0.0.0/8"', ph('10.0.0.0/8', 'source.ip')],
    ['source.ip:10.0.0.0\\/8', t('10.0.0.0/8', 'source.ip')],
    ['url.path:\\/api\\/v1\\/login', t('/api/v1/login', 'url.path')],
  ],
  'AND OR NOT and their symbols': [
    ['a OR b', bool(should(t('a')), should(t('b')))],
    ['a || b', bool(should(t('a')), should(t('b')))],
    ['a AND b', bool(must(t('a')), must(t('b')))],
    ['a && b', bool(must(t('a')), must(t('b')))],
    ['NOT a', bool(not(t('a')))],
    ['!a', bool(not(t('a')))],
    ['-a', bool(not(t('a')))],
    ['+a', bool(must(t('a')))],
    ['a NOT b', bool(should(t('a')), not(t('b')))],
    ['a AND NOT b', bool(must(t('a')), not(t('b')))],
    ['a && !b', bool(must(t('a')), not(t('b')))],
    ['a AND -b', bool(must(t('a')), not(t('b')))],
    ['a OR NOT b', bool(should(t('a')), not(t('b')))],
    ['NOT a AND b', bool(not(t('a')), must(t('b')))],
    ['NOT a OR b', bool(not(t('a')), should(t('b')))],
    ['-a -b', bool(not(t('a')), not(t('b')))],
    ['a!b', bool(should(t('a')), not(t('b')))],
    ['a AND(b)', bool(must(t('a')), must(t('b')))],
  ],
  'AND/OR precedence quirk (Lucene addClause)': [
    ['a OR b AND c', bool(should(t('a')), must(t('b')), must(t('c')))],
    ['a AND b OR c', bool(must(t('a')), must(t('b')), should(t('c')))],
    ['a AND b OR c AND d', bool(must(t('a')), must(t('b')), must(t('c')), must(t('d')))],
    ['a OR b OR c AND d', bool(should(t('a')), should(t('b')), must(t('c')), must(t('d')))],
    ['-a AND b', bool(not(t('a')), must(t('b')))],
    ['+a OR b', bool(must(t('a')), should(t('b')))],
    ['a AND b c', bool(must(t('a')), must(t('b')), should(t('c')))],
  ],
  'lucene-query-parser known failures': [
    ['a:1 AND NOT b:2', bool(must(t('1', 'a')), not(t('2', 'b')))],
    ['a:1 -b:2', bool(should(t('1', 'a')), not(t('2', 'b')))],
    ['a:1 +b:2', bool(should(t('1', 'a')), must(t('2', 'b')))],
    ['foo~2', fz('foo', 2)],
  ],
  'adjacent bare terms are one text for the analyzer (MultiTerm, split_on_whitespace false)': [
    ['a b', t('a b')],
    ['failed  login\tattempt', t('failed login attempt')],
    ['f:(a b)', t('a b', 'f')],
    ['crud:(c u d)', t('c u d', 'crud')],
    ['a b c AND d', bool(should(t('a b')), must(t('c')), must(t('d')))],
    ['a b c OR d', bool(should(t('a b')), should(t('c')), should(t('d')))],
    ['a b -c', bool(should(t('a b')), not(t('c')))],
    ['a b (c)', bool(should(t('a b')), should(t('c')))],
    ['a b:c', bool(should(t('a')), should(t('c', 'b')))],
    ['a b:c d e', bool(should(t('a')), should(t('c', 'b')), should(t('d e')))],
    ['a b*', bool(should(t('a')), should(w('b*')))],
    ['a* b c', bool(should(w('a*')), should(t('b c')))],
    ['a b~1', bool(should(t('a')), should(fz('b', 1)))],
    ['a b^2', bool(should(t('a')), should(boosted(t('b'), 2)))],
    ['a b *', bool(should(t('a')), should(t('b')), should(all()))],
    ['x AND a b', bool(must(t('x')), must(t('a')), should(t('b')))],
    ['NOT a b', bool(not(t('a')), should(t('b')))],
    ['a \\AND', t('a AND')],
    ['_exists_:(a b)', ex('a b')],
    ['f:(>5 <10)', rg('f', '5 <10', null, false, true)],
  ],
  'bare operators (+ - ! followed by whitespace are terms)': [
    ['a - b', bool(should(t('a')), should(t('-')), should(t('b')))],
    ['a + b', bool(should(t('a')), should(t('+')), should(t('b')))],
    ['a ! b', bool(should(t('a')), should(t('!')), should(t('b')))],
  ],
  'groups': [
    ['(a)', t('a')],
    ['((a))', t('a')],
    ['(a b) c', bool(should(t('a b')), should(t('c')))],
    ['(a OR b) c', bool(should(bool(should(t('a')), should(t('b')))), should(t('c')))],
    ['a AND (b OR c)', bool(must(t('a')), must(bool(should(t('b')), should(t('c')))))],
    ['+(a OR b)', bool(must(bool(should(t('a')), should(t('b')))))],
    ['(+a)', bool(must(t('a')))],
    ['(-a) b', bool(should(bool(not(t('a')))), should(t('b')))],
    ['(event.outcome:failure OR result:fail) AND NOT user.name:svc', bool(
      must(bool(should(t('failure', 'event.outcome')), should(t('fail', 'result')))),
      not(t('svc', 'user.name')),
    )],
  ],
  'field groups distribute the field': [
    ['f:(a OR "b c")', bool(should(t('a', 'f')), should(ph('b c', 'f')))],
    ['f:(a g:b)', bool(should(t('a', 'f')), should(t('b', 'g')))],
    ['f:(a AND (b OR c*))', bool(must(t('a', 'f')), must(bool(should(t('b', 'f')), should(w('c*', 'f')))))],
    ['f:(a)', t('a', 'f')],
    ['f:(>5 OR <10)', bool(should(rg('f', '5', null, false, true)), should(rg('f', null, '10', true, false)))],
    ['user.name:(alice OR bob) AND event.action:login', bool(
      must(bool(should(t('alice', 'user.name')), should(t('bob', 'user.name')))),
      must(t('login', 'event.action')),
    )],
  ],
  'wildcard field names': [
    ['actor.*:x', t('x', 'actor.*')],
    ['actor.\\*:x', t('x', 'actor.*')],
    ['*:foo', t('foo', '*')],
    ['actor.*:(x OR y)', bool(should(t('x', 'actor.*')), should(t('y', 'actor.*')))],
  ],
  'exists and match-all': [
    ['_exists_:user.name', ex('user.name')],
    ['_exists_:"user.name"', ex('user.name')],
    ['_exists_:user.\\*', ex('user.*')],
    ['_exists_:user.*', ex('user.*')],
    ['NOT _exists_:user.email', bool(not(ex('user.email')))],
    ['user.name:*', ex('user.name')],
    ['f:(*)', ex('f')],
    ['*:*', all()],
    ['*', all()],
    ['*:* -a', bool(should(all()), not(t('a')))],
  ],
  'wildcards': [
    ['adm*', w('adm*')],
    ['us?r', w('us?r')],
    ['*min', w('*min')],
    ['**', w('**')],
    ['user.name:adm*', w('adm*', 'user.name')],
    ['a\\*b*', w('a\\*b*')],
    ['a\\*b?', w('a\\*b?')],
    ['a\\:b*c', w('a:b*c')],
    ['\\u0041b*', w('Ab*')],
    ['foo*~2', w('foo*')],
  ],
  'regular expressions': [
    ['/joh?n/', re('joh?n')],
    ['name:/joh?n(ath[oa]n)/', re('joh?n(ath[oa]n)', 'name')],
    ['/a\\/b/', re('a/b')],
    ['/a\\.b/', re('a\\.b')],
    ['//', re('')],
    ['a/b/c', bool(should(t('a')), should(re('b')), should(t('c')))],
    ['POST:/api/v1/user/login', bool(should(re('api', 'POST')), should(t('v1')), should(re('user')), should(t('login')))],
  ],
  'ranges': [
    ['[1 TO 5]', rg(null, '1', '5', true, true)],
    ['status:{1 TO 5}', rg('status', '1', '5', false, false)],
    ['status:[1 TO 5}', rg('status', '1', '5', true, false)],
    ['status:{1 TO 5]', rg('status', '1', '5', false, true)],
    ['status:[400 TO *]', rg('status', '400', null)],
    ['status:[* TO 400}', rg('status', null, '400', true, false)],
    ['status:[* TO *]', rg('status', null, null)],
    ['status:["*" TO \\*]', rg('status', null, null)],
    ['@timestamp:[2026-01-01T00:00:00Z TO now]', rg('@timestamp', '2026-01-01T00:00:00Z', 'now')],
    ['@timestamp:[now-15m TO now]', rg('@timestamp', 'now-15m', 'now')],
    ['@timestamp:{now/d TO *}', rg('@timestamp', 'now/d', null, false, false)],
    ['@timestamp:[2026-01-01||+1M TO 2026-02-01||/M]', rg('@timestamp', '2026-01-01||+1M', '2026-02-01||/M')],
    ['f:["a b" TO "c d"]', rg('f', 'a b', 'c d')],
    ['f:[a\\u0020b TO c]', rg('f', 'a b', 'c')],
    ['f:[TO TO TO]', rg('f', 'TO', 'TO')],
    ['f:[ a  TO  b ]', rg('f', 'a', 'b')],
    ['[a TO b] AND c', bool(must(rg(null, 'a', 'b')), must(t('c')))],
  ],
  'one-sided ranges (> >= < <=)': [
    ['age:>10', rg('age', '10', null, false, true)],
    ['age:>=10', rg('age', '10', null, true, true)],
    ['age:<10', rg('age', null, '10', true, false)],
    ['age:<=10', rg('age', null, '10', true, true)],
    ['@timestamp:>now-1h', rg('@timestamp', 'now-1h', null, false, true)],
    ['age:\\>10', rg('age', '10', null, false, true)],
    ['age:">10"', ph('>10', 'age')],
    ['>10', t('>10')],
    ['age:>', t('>', 'age')],
    ['age:>=', rg('age', '=', null, false, true)],
  ],
  'fuzzy, proximity and boosts': [
    ['foo~', fz('foo', 'auto')],
    ['foo~0', fz('foo', 0)],
    ['foo~1', fz('foo', 1)],
    ['foo~1.0', fz('foo', 1)],
    ['foo ~1', fz('foo', 1)],
    ['foo~AUTO', fz('foo', 'auto')],
    ['foo~auto', fz('foo', 'auto')],
    ['foo~+1', fz('foo', 1)],
    ['"a b"~x', ph('a b')],
    ['"a b"~2x', ph('a b')],
    ['user.name:alise~1', fz('alise', 1, 'user.name')],
    ['"a b"~3', ph('a b', null, 3)],
    ['"a b"~3.7', ph('a b', null, 3)],
    ['"a b"~', ph('a b')],
    ['"a b"~0', ph('a b')],
    ['foo^2', boosted(t('foo'), 2)],
    ['foo^0.5', boosted(t('foo'), 0.5)],
    ['"a b"^2', boosted(ph('a b'), 2)],
    ['"a b"~2^3', boosted(ph('a b', null, 2), 3)],
    ['foo~1^2', boosted(fz('foo', 1), 2)],
    ['foo^2~1', boosted(fz('foo', 1), 2)],
    ['(a OR b)^2', boosted(bool(should(t('a')), should(t('b'))), 2)],
    ['(a b)^2', boosted(t('a b'), 2)],
    ['(a)^2', boosted(t('a'), 2)],
    ['[1 TO 5]^2', boosted(rg(null, '1', '5'), 2)],
    ['foo^2x', bool(should(boosted(t('foo'), 2)), should(t('x')))],
  ],
};

describe('parseQuery conformance', () => {
  for (const [group, rows] of Object.entries(cases)) {
    describe(group, () => {
      for (const [query, expected] of rows) {
        test(query === '' ? '(empty)' : query, () => {
          expect(stripLoc(parseQuery(query))).toEqual(expected);
        });
      }
    });
  }
});

/** [query, message fragment, column] */
const errors: Array<[string, string, number]> = [
  ['(a', "missing ')' at the end of the query at column 3; the group opened at column 1 is not closed", 3],
  ['a)', "unexpected ')' at column 2; a group was not opened", 2],
  ['(a OR b))', "unexpected ')' at column 9; a group was not opened", 9],
  ['crud:c AND result:fail)', "unexpected ')' at column 23; a group was not opened", 23],
  ['a AND', "the query ends too early at column 6; expected a term, phrase, range or group after 'AND'", 6],
  ['a AND OR b', "unexpected 'OR' at column 7", 7],
  ['NOT NOT a', "unexpected 'NOT' at column 5", 5],
  ['user.name:', "the query ends too early at column 11; expected a term, phrase, range or group after 'user.name:'", 11],
  ['()', "unexpected ')' at column 2; expected a term, phrase, range or group after '('", 2],
  ['a AND )', "unexpected ')' at column 7; expected a term, phrase, range or group after 'AND' (and no group is open)", 7],
  ['(a OR )', "unexpected ')' at column 7; expected a term, phrase, range or group after 'OR'", 7],
  ['"abc', 'unterminated phrase', 1],
  ['source.ip:10.0.0.0/8', 'unterminated regular expression', 19],
  ['user_agent.original:Mozilla/5.0', 'must be quoted or written with \\/', 28],
  ['a:b:c', "unexpected ':' at column 4; a value that contains ':' must be quoted", 4],
  [':a', "unexpected ':' at column 1", 1],
  ['~a', "unexpected '~a' at column 1; '~' must follow a term or a phrase directly", 1],
  ['^2', "unexpected '^' at column 1", 1],
  ['foo^', "expected a number right after '^' at column 5", 5],
  ['foo^ 2', "expected a number right after '^' at column 5", 5],
  ['foo^x', "expected a number right after '^'", 5],
  ['[1 TO 5', "expected ']' or '}' in the range opened at column 1; the query ends", 8],
  ['[1 5]', "expected 'TO' between the bounds in the range opened at column 1; found '5'", 4],
  ['[1 TO]', 'expected an upper bound', 6],
  ['a]', "unexpected ']' at column 2; a range was not opened", 2],
  ['a}', "unexpected '}' at column 2", 2],
  ['foo~3', "fuzzy edit distance '~3' is not allowed", 4],
  ['foo~0.5', "fuzzy edit distance '~0.5' is not allowed", 4],
  ['foo~bar', "fuzzy edit distance '~bar' is not allowed", 4],
  ['foo~-1', "fuzzy edit distance '~-1' is not allowed", 4],
  ['"a b"~-1', "phrase slop '~-1' is negative", 6],
  ['a\\', 'the query ends with a backslash that escapes nothing', 2],
  ['\\u00zz', "'z' is not a hex digit in a unicode escape", 5],
  ['\\u00', 'truncated unicode escape', 1],
  ['_exists_:*', '_exists_ takes a field name', 10],
  ['_exists_:[a TO b]', '_exists_ takes a field name', 10],
  ['_exists_:/x/', '_exists_ takes a field name', 10],
  ['a AND\n)', "unexpected ')' at line 2, column 1", 1],
];

describe('parseQuery errors', () => {
  for (const [query, message, column] of errors) {
    test(query, () => {
      let caught: unknown;
      try {
        parseQuery(query);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(QuerySyntaxError);
      const err = caught as QuerySyntaxError;
      expect(err.message).toContain(message);
      expect(err.column).toBe(column);
      expect(err).toBeInstanceOf(AppError);
      expect(err.code).toBe('QUERY_SYNTAX');
      expect(err.details).toMatchObject({ offset: err.offset, line: err.line, column });
    });
  }
});

describe('parseQuery limits', () => {
  test('a query longer than 16 KiB is refused, naming the limit', () => {
    expect(() => parseQuery('a'.repeat(16_385))).toThrow(/16385 characters long, more than the limit of 16384/);
    expect(stripLoc(parseQuery('a'.repeat(16_384)))).toEqual(t('a'.repeat(16_384)));
  });

  test('nesting deeper than 32 groups is refused at the group that crosses it', () => {
    expect(stripLoc(parseQuery(`${'('.repeat(32)}a${')'.repeat(32)}`))).toEqual(t('a'));
    const deep = `${'('.repeat(33)}a${')'.repeat(33)}`;
    expect(() => parseQuery(deep)).toThrow(/groups are nested more than 32 levels deep at column 33/);
  });

  test('pathological nesting is an error, not a stack overflow', () => {
    expect(() => parseQuery('('.repeat(16_000))).toThrow(QuerySyntaxError);
    expect(() => parseQuery('f:('.repeat(5_000))).toThrow(QuerySyntaxError);
  });

  test('more than 1024 clauses is refused', () => {
    const ok = Array.from({ length: 1023 }, (_, i) => `t${i}`).join(' OR ');
    expect((parseQuery(ok) as { clauses: unknown[] }).clauses).toHaveLength(1023);
    const tooMany = Array.from({ length: 1025 }, (_, i) => `t${i}`).join(' OR ');
    expect(() => parseQuery(tooMany)).toThrow(/more than 1024 clauses/);
  });

  test('limits can be tightened per call', () => {
    expect(() => parseQuery('a OR b OR c', { maxClauses: 2 })).toThrow(/more than 2 clauses/);
    expect(() => parseQuery('((a))', { maxDepth: 1 })).toThrow(/nested more than 1 levels/);
    expect(() => parseQuery('abcdef', { maxLength: 5 })).toThrow(/limit of 5/);
  });
});

describe('source locations', () => {
  test('leaves span their field, value and modifiers; bools span their clauses', () => {
    const q = parseQuery('crud:c AND result:fail^2');
    expect(q).toMatchObject({
      type: 'bool',
      loc: { start: 0, end: 24 },
      clauses: [{ query: { loc: { start: 0, end: 6 } } }, { query: { loc: { start: 11, end: 24 } } }],
    });
  });

  test('a group spans its parentheses and field', () => {
    const q = parseQuery('x f:(a OR b)^2') as { clauses: Array<{ query: { loc: unknown } }> };
    expect(q.clauses[1]!.query.loc).toEqual({ start: 2, end: 14 });
  });
});
