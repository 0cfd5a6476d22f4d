/**
 * A real SIEM-like receiver on loopback for streams: records each NDJSON batch with its
 * headers, answers with what the test says (a status, and headers such as Retry-After), and
 * tells which events were acknowledged (answered 2xx) from those merely received.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Batch {
  headers: IncomingHttpHeaders;
  body: string;
  lines: Array<{ id: string; team: string; normalized: Record<string, unknown> } & Record<string, unknown>>;
  status: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

export interface StreamReceiver {
  url: string;
  batches: Batch[];
  /** Sees the request number (1-based) and the batch; a promise holds the answer back. */
  respond: (n: number, batch: Omit<Batch, 'status'>) => Answer | Promise<Answer>;
  /** Ids of events in batches answered 2xx, in order, with repeats. */
  acknowledged(): string[];
  close(): Promise<void>;
}

export async function startStreamReceiver(respond: StreamReceiver['respond'] = () => ({ status: 200 })): Promise<StreamReceiver> {
  const batches: Batch[] = [];
  let received = 0;
  const receiver: StreamReceiver = {
    url: '',
    batches,
    respond,
    acknowledged: () => batches.filter((b) => b.status >= 200 && b.status < 300).flatMap((b) => b.lines.map((l) => l.id)),
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const lines = body
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Batch['lines'][number]);
      const batch = { headers: req.headers, body, lines };
      const n = ++received;
      const answer = await receiver.respond(n, batch);
      batches.push({ ...batch, status: answer.status });
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
