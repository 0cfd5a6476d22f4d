import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AppError, LimitExceededError, ValidationError } from '../../src/errors.ts';
import { decodeBody, type DecodedItem } from '../../src/ingest/decode.ts';
import { IngestLimits } from '../../src/ingest/limits.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const values = (items: DecodedItem[]) => items.map((i) => ('value' in i ? i.value : { error: i.error }));
const limits = (over: Partial<IngestLimits>) => IngestLimits.parse(over);

describe('decodeBody: shapes', () => {
  it('takes one JSON object as one event whose raw text is the body', async () => {
    const body = ' {"a": 1, "b": {"c": "x"}}\n';
    const items = await decodeBody(bytes(body), { contentType: 'application/json' });
    expect(items).toEqual([{ index: 0, value: { a: 1, b: { c: 'x' } }, raw: '{"a": 1, "b": {"c": "x"}}' }]);
  });

  it('takes a JSON array of objects, keeping each element exactly as written', async () => {
    const body = '[ {"a": "x,]}", "n": [1, {"b": 2}]} ,\n  {"q": "\\"{["}\n]';
    const items = await decodeBody(bytes(body), { contentType: 'application/json; charset=utf-8' });
    expect(items).toEqual([
      { index: 0, value: { a: 'x,]}', n: [1, { b: 2 }] }, raw: '{"a": "x,]}", "n": [1, {"b": 2}]}' },
      { index: 1, value: { q: '"{[' }, raw: '{"q": "\\"{["}' },
    ]);
  });

  it('takes an empty array as no events', async () => {
    expect(await decodeBody(bytes('[]'), {})).toEqual([]);
  });

  it('turns non-object array items into error items and keeps the objects', async () => {
    const items = await decodeBody(bytes('[{"ok": 1}, 42, "text", null, [1], true]'), { contentType: 'application/json' });
    expect(items[0]).toEqual({ index: 0, value: { ok: 1 }, raw: '{"ok": 1}' });
    expect(items.slice(1).map((i) => ('error' in i ? [i.index, i.error] : i))).toEqual([
      [1, 'expected a JSON object, got a number (42)'],
      [2, 'expected a JSON object, got a string ("text")'],
      [3, 'expected a JSON object, got null'],
      [4, 'expected a JSON object, got an array'],
      [5, 'expected a JSON object, got a boolean (true)'],
    ]);
  });

  it('reads NDJSON line by line, skipping blank lines and CRLF endings', async () => {
    const body = '{"n": 1}\r\n\r\n{"n": 2}\n   \n{"n": 3}';
    const items = await decodeBody(bytes(body), { contentType: 'application/x-ndjson' });
    expect(items).toEqual([
      { index: 0, value: { n: 1 }, raw: '{"n": 1}' },
      { index: 1, value: { n: 2 }, raw: '{"n": 2}' },
      { index: 2, value: { n: 3 }, raw: '{"n": 3}' },
    ]);
  });

  it('keeps the good lines of NDJSON and reports a bad line with its index, line and parse message', async () => {
    const body = '{"n": 1}\n{"n": \n{"n": 3}\n[{"n": 4}]\n7';
    const items = await decodeBody(bytes(body), { contentType: 'application/x-ndjson' });
    expect(values(items)).toEqual([
      { n: 1 },
      { error: expect.stringMatching(/^line 2: not valid JSON: .*JSON/) },
      { n: 3 },
      { error: 'line 4: expected one JSON object per line, got an array (send arrays as application/json)' },
      { error: 'line 5: expected a JSON object, got a number (7)' },
    ]);
    expect(items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('detects NDJSON sent as application/json or without a content type', async () => {
    const body = '{"n": 1}\n{"n": 2}\n';
    for (const contentType of ['application/json', undefined, 'text/plain']) {
      expect(values(await decodeBody(bytes(body), { contentType }))).toEqual([{ n: 1 }, { n: 2 }]);
    }
  });

  it('keeps bad lines as error items in detected NDJSON too', async () => {
    const items = await decodeBody(bytes('{"n": 1}\nnot json\n{"n": 3}'), { contentType: 'application/json' });
    expect(values(items)).toEqual([{ n: 1 }, { error: expect.stringMatching(/^line 2: not valid JSON/) }, { n: 3 }]);
  });

  it('takes a pretty-printed object as one event, not as lines', async () => {
    const body = '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n';
    expect(values(await decodeBody(bytes(body), { contentType: 'application/json' }))).toEqual([{ a: 1, b: [2] }]);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('{"a":"é"}')]);
    expect(values(await decodeBody(body, {}))).toEqual([{ a: 'é' }]);
  });
});

describe('decodeBody: bodies that are not JSON', () => {
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['hello world', 'application/json', /^request body is not valid JSON: /],
    ['hello world', undefined, /^request body is not valid JSON: /],
    ['hello\nworld', 'application/x-ndjson', /^request body is not NDJSON: line 1: /],
    ['{\n  "a": 1,\n  "b": \n}', 'application/json', /^request body is not valid JSON/],
    ['', 'application/json', /^request body is empty/],
    ['  \n ', 'application/x-ndjson', /^request body is empty/],
    ['42', 'application/json', /must be a JSON object, an array of objects or NDJSON, not a number/],
    ['"text"', undefined, /not a string/],
    ['null', undefined, /not null/],
  ];
  it.each(cases)('%j as %s → ValidationError', async (body, contentType, message) => {
    const promise = decodeBody(bytes(body), { contentType });
    await expect(promise).rejects.toBeInstanceOf(ValidationError);
    await expect(promise).rejects.toThrow(message);
  });

  it('rejects invalid UTF-8', async () => {
    await expect(decodeBody(new Uint8Array([0x7b, 0xff, 0x7d]), {})).rejects.toThrow('request body is not valid UTF-8 text');
  });

  it('rejects a content type it cannot read with UNSUPPORTED_MEDIA_TYPE', async () => {
    await expect(decodeBody(bytes('{}'), { contentType: 'text/html' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('content type text/html is not supported'),
    });
    await expect(decodeBody(bytes('{}'), { contentType: 'application/json; charset=latin1' })).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it('accepts vendor +json content types', async () => {
    expect(values(await decodeBody(bytes('{"a":1}'), { contentType: 'application/vnd.auditlog+json' }))).toEqual([{ a: 1 }]);
  });
});

describe('decodeBody: compression', () => {
  const ndjson = '{"n": 1}\n{"n": 2}\n';

  it.each([
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('decodes Content-Encoding: %s', async (encoding, compress) => {
    const items = await decodeBody(compress(bytes(ndjson)), { contentType: 'application/x-ndjson', contentEncoding: encoding });
    expect(values(items)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('undoes stacked encodings from the last one applied', async () => {
    const body = brotliCompressSync(gzipSync(bytes(ndjson)));
    expect(values(await decodeBody(body, { contentEncoding: 'gzip, br' }))).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('treats identity as no encoding', async () => {
    expect(values(await decodeBody(bytes('{"a":1}'), { contentEncoding: 'identity' }))).toEqual([{ a: 1 }]);
  });

  it('rejects a corrupt gzip body with a ValidationError', async () => {
    const promise = decodeBody(bytes('definitely not gzip'), { contentEncoding: 'gzip' });
    await expect(promise).rejects.toBeInstanceOf(ValidationError);
    await expect(promise).rejects.toThrow(/request body is not valid gzip data/);
  });

  it('rejects an unknown encoding with UNSUPPORTED_MEDIA_TYPE', async () => {
    const promise = decodeBody(bytes('{}'), { contentEncoding: 'compress' });
    await expect(promise).rejects.toBeInstanceOf(AppError);
    await expect(promise).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('stops a gzip bomb at the decompressed size limit', async () => {
    // 64 MiB of zeros compress to about 64 KiB.
    const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(100_000);
    const started = performance.now();
    const promise = decodeBody(bomb, { contentEncoding: 'gzip', limits: limits({ maxBodyBytes: 1024 * 1024 }) });
    await expect(promise).rejects.toBeInstanceOf(LimitExceededError);
    await expect(promise).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'request body size in bytes after decompression exceeds the limit of 1048576',
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('decodeBody: limits', () => {
  it('has the documented defaults', () => {
    expect(IngestLimits.parse({})).toEqual({
      maxBodyBytes: 10 * 1024 * 1024,
      maxEvents: 10_000,
      maxEventBytes: 1024 * 1024,
      maxDepth: 32,
      maxFields: 5_000,
    });
  });

  it('rejects a body over maxBodyBytes with 413 before parsing it', async () => {
    const promise = decodeBody(bytes(`{"a": "${'x'.repeat(100)}"}`), { limits: limits({ maxBodyBytes: 50 }) });
    await expect(promise).rejects.toBeInstanceOf(LimitExceededError);
    await expect(promise).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 50 } });
  });

  it('accepts exactly maxEvents and rejects one more, as an array and as NDJSON', async () => {
    const l = limits({ maxEvents: 3 });
    expect(await decodeBody(bytes('[{},{},{}]'), { limits: l })).toHaveLength(3);
    await expect(decodeBody(bytes('[{},{},{},{}]'), { limits: l })).rejects.toThrow(
      'number of events in one request exceeds the limit of 3',
    );
    expect(await decodeBody(bytes('{}\n{}\n{}\n'), { contentType: 'application/x-ndjson', limits: l })).toHaveLength(3);
    await expect(decodeBody(bytes('{}\n{}\n{}\n{}'), { contentType: 'application/x-ndjson', limits: l })).rejects.toBeInstanceOf(
      LimitExceededError,
    );
  });

  it('rejects only the event over maxEventBytes', async () => {
    const big = JSON.stringify({ a: 'x'.repeat(200) });
    const items = await decodeBody(bytes(`{"ok":1}\n${big}\n{"ok":2}`), { limits: limits({ maxEventBytes: 100 }) });
    expect(values(items)).toEqual([{ ok: 1 }, { error: `line 2: event is ${big.length} bytes, more than the limit of 100` }, { ok: 2 }]);
  });

  it('rejects only the event nested deeper than maxDepth (the event object is depth 1)', async () => {
    const nest = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
    const l = limits({ maxDepth: 4 });
    const items = await decodeBody(bytes(`[${nest(4)}, ${nest(5)}, {"x":[[[[1]]]]}, {"x":[[[1]]]}]`), { limits: l });
    expect(items.map((i) => ('error' in i ? i.error : 'ok'))).toEqual([
      'ok',
      'event nests objects and arrays deeper than the limit of 4',
      'event nests objects and arrays deeper than the limit of 4',
      'ok',
    ]);
  });

  it('survives hostile nesting far beyond the limit', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const items = await decodeBody(bytes(`{"a": 1}\n{"deep": ${deep}}`), {});
    expect(items.map((i) => ('error' in i ? i.error : 'ok'))).toEqual([
      'ok',
      'line 2: event nests objects and arrays deeper than the limit of 32',
    ]);
  });

  it('rejects only the event with more than maxFields leaves', async () => {
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])));
    const ten = JSON.stringify({ list: Array.from({ length: 10 }, (_, i) => i) });
    const items = await decodeBody(bytes(`[${many}, ${ten}]`), { limits: limits({ maxFields: 10 }) });
    expect(items.map((i) => ('error' in i ? i.error : 'ok'))).toEqual(['event has more than the limit of 10 fields', 'ok']);
  });
});
