/**
 * The CLI's remote mode: admin tasks through a running server's HTTP API (`--url`, `--key`),
 * so they are authorised by a key and land in the audit trail under that key, unlike local
 * mode, which opens the data directory itself.
 */
import type { ErrorBody } from '../http/errors.ts';

/** A failure of the remote call that the CLI reports in one line, never as a stack trace. */
export class RemoteError extends Error {}

export interface RemoteTarget {
  url: string;
  key: string;
}

export class ApiClient {
  readonly #base: string;
  readonly #key: string;

  constructor({ url, key }: RemoteTarget) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RemoteError(`--url ${JSON.stringify(url)} is not a URL (e.g. http://127.0.0.1:8080)`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new RemoteError(`--url must be http:// or https://, got ${url}`);
    this.#base = parsed.href.replace(/\/+$/, '');
    this.#key = key;
  }

  /** Calls the API and returns its JSON answer (undefined for 204); a refusal becomes a RemoteError with the API's message. */
  async call<T>(method: string, path: string, request: Omit<ApiRequest, 'expect'> = {}): Promise<T> {
    return (await this.send(method, path, request)).json as T;
  }

  /** As `call`, with the statuses (other than 2xx) whose answer is returned rather than refused. */
  async send(method: string, path: string, { json, body, headers = {}, query, expect = [] }: ApiRequest = {}): Promise<{ status: number; json: unknown }> {
    const params = new URLSearchParams(Object.entries(query ?? {}).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    const target = `${this.#base}${path}${params ? `?${params}` : ''}`;
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers: {
          authorization: `Bearer ${this.#key}`,
          ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: json !== undefined ? JSON.stringify(json) : body,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new RemoteError(`cannot reach the auditlog server at ${this.#base} (${why}); is it running, and is --url (or AUDITLOG_URL) right?`);
    }
    const text = await res.text();
    if (!res.ok && !expect.includes(res.status)) throw new RemoteError(describeRefusal(res.status, method, path, text));
    try {
      return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
    } catch {
      throw new RemoteError(`${method} ${path} answered ${res.status} with something other than JSON: ${text.slice(0, 200)}`);
    }
  }
}

export interface ApiRequest {
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | undefined>;
  expect?: number[];
}

function describeRefusal(status: number, method: string, path: string, text: string): string {
  let message = text.slice(0, 500);
  try {
    const body = JSON.parse(text) as Partial<ErrorBody> & { rejected?: Array<{ index: number; reason: string }> };
    if (body.error?.message) message = body.error.message;
    else if (body.rejected?.length) message = `every event was rejected; the first: ${body.rejected[0]!.reason}`;
  } catch {
    // Not JSON (a proxy's page): its start is the message.
  }
  const hint =
    status === 401
      ? ' (check --key or AUDITLOG_KEY)'
      : status === 403
        ? ' (this command needs another kind of key: teams need the operator key; keys without --team, rules and search need a team key)'
        : '';
  return `the server refused ${method} ${path} with ${status}: ${message}${hint}`;
}

/** Remote mode when a URL is given on the command line or in the environment; the key is then required. */
export function remoteTarget(opts: { url?: string; key?: string }, env: NodeJS.ProcessEnv = process.env): RemoteTarget | undefined {
  const url = opts.url ?? env.AUDITLOG_URL;
  if (url === undefined || url === '') return undefined;
  const key = opts.key ?? env.AUDITLOG_KEY;
  if (key === undefined || key === '') throw new RemoteError('remote mode (--url or AUDITLOG_URL) needs a key: --key or AUDITLOG_KEY');
  return { url, key };
}
