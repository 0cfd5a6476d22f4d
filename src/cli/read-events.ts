/**
 * The events of an import file, one text per event, read as a stream so a file of any size
 * runs in constant memory: NDJSON line by line, a top-level JSON array or a CloudTrail export
 * (`{"Records": [...]}`, one or several such objects) element by element through stream-json.
 * How far the reading got, in bytes, is there for the progress bar.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import chain from 'stream-chain';
import { parser } from 'stream-json/parser.js';
import { pick } from 'stream-json/filters/pick.js';
import { streamArray } from 'stream-json/streamers/stream-array.js';

export type FileShape = 'ndjson' | 'array' | 'records';

export interface EventFile {
  shape: FileShape;
  /** The file's size when it is a regular file (a pipe's is unknown). */
  totalBytes: number | undefined;
  bytesRead(): number;
  /** Each event's text: an NDJSON line as it is, an array element as JSON.stringify gives it. */
  texts(): AsyncGenerator<string>;
}

const CLOUDTRAIL = /^\s*\{\s*"Records"\s*:\s*\[/;

export function shapeOf(start: string): FileShape {
  const text = start.replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('[')) return 'array';
  if (CLOUDTRAIL.test(text)) return 'records';
  return 'ndjson';
}

/** Opens the file and reads its first chunk to tell its shape; a missing or unreadable file fails here, before anything is stored. */
export async function openEventFile(file: string): Promise<EventFile> {
  const info = await stat(file);
  if (info.isDirectory()) throw Object.assign(new Error(`${file} is a directory`), { code: 'EISDIR', path: file });
  const source = createReadStream(file);
  const first = await firstChunk(source);
  const shape = shapeOf(first?.toString('utf8') ?? '');
  if (first) source.unshift(first);
  return {
    shape,
    totalBytes: info.isFile() ? info.size : undefined,
    bytesRead: () => source.bytesRead,
    texts: () => (shape === 'ndjson' ? ndjsonLines(source) : jsonElements(source, shape)),
  };
}

function firstChunk(source: ReadStream): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      source.off('error', reject);
      resolve(source.read() as Buffer | null);
    };
    source.once('readable', onReadable);
    source.once('error', (err) => {
      source.off('readable', onReadable);
      reject(err);
    });
  });
}

async function* ndjsonLines(source: ReadStream): AsyncGenerator<string> {
  source.setEncoding('utf8');
  yield* createInterface({ input: source, crlfDelay: Infinity });
}

async function* jsonElements(source: ReadStream, shape: 'array' | 'records'): AsyncGenerator<string> {
  const pipeline =
    shape === 'array'
      ? chain([source, parser({ streamValues: false }), streamArray()])
      : // Several `{"Records": [...]}` objects one after another (concatenated exports) are read too.
        chain([source, parser({ jsonStreaming: true, streamValues: false }), pick({ filter: 'Records' }), streamArray()]);
  for await (const item of pipeline as AsyncIterable<{ value: unknown }>) yield JSON.stringify(item.value);
}
