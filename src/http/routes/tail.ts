/**
 * GET /api/v1/events/tail?q= (read key): the team's events that match `q`, as they arrive,
 * as Server-Sent Events: `event: event` (id = the event's id, data = the event as the search
 * API shows it), `event: gap` (data {skipped}: more arrived at once than a poll reads),
 * `event: error` (data {code, message}: a poll failed; the next one tries again), and a
 * comment every 15 s so proxies keep the connection. The query is checked before the stream
 * opens: a bad one is a 400 like any search.
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { compileMatcher } from '../../query/match.ts';
import { parseQuery } from '../../query/parse.ts';
import type { LiveTail } from '../../search/live-tail.ts';
import { authRoute } from '../auth-route.ts';
import type { AppEnv } from '../context.ts';
import { toEventView } from '../schemas.ts';

const KEEPALIVE_MS = 15_000;
/** Messages kept for a client that reads slower than events arrive. */
const MAX_QUEUED = 10_000;

const tailRoute = authRoute({
  method: 'get', path: '/api/v1/events/tail', role: 'read', operationId: 'tailEvents',
  errors: ['QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT', 'QUOTA_EXCEEDED'],
  summary: 'Matching events as they arrive, as Server-Sent Events (read key)',
  description:
    'Events received after the tail opens whose @timestamp is at most an hour before their arrival. Every instance on one Elasticsearch cluster sees the events ingested through any of them: a tail polls the store by receipt time.',
  request: {
    query: z.object({
      q: z.string().max(16 * 1024).optional().openapi({ description: 'Lucene query string; every event when absent', example: 'event.outcome:failure' }),
    }),
  },
  responses: {
    200: { description: 'A stream of `event`, `gap` and `error` messages', content: { 'text/event-stream': { schema: z.string() } } },
  },
});

export function registerTailRoutes(app: OpenAPIHono<AppEnv>, deps: { tail: LiveTail }) {
  app.openapi(tailRoute, (c) => {
    const team = c.get('team');
    const { q } = c.req.valid('query');
    // Parse and compile first: a bad query is a 400, before any stream.
    const matcher = compileMatcher(q && q.trim() !== '' ? parseQuery(q) : null);
    const queue: Array<{ event: string; data: string; id?: string }> = [];
    let wake: (() => void) | null = null;
    let dropped = 0;
    const push = (m: { event: string; data: string; id?: string }) => {
      // A client that does not read is not buffered for without end: what it misses is counted as a gap.
      if (queue.length >= MAX_QUEUED) dropped++;
      else {
        if (dropped > 0) queue.push({ event: 'gap', data: JSON.stringify({ skipped: dropped }) });
        dropped = 0;
        queue.push(m);
      }
      wake?.();
    };
    const tail = deps.tail.open(team, matcher, {
      events: (events) => {
        for (const e of events) push({ event: 'event', id: e.id, data: JSON.stringify(toEventView(e)) });
      },
      gap: (skipped) => push({ event: 'gap', data: JSON.stringify({ skipped }) }),
      error: (err) => push({ event: 'error', data: JSON.stringify({ code: err.code, message: err.message }) }),
    });
    c.header('Cache-Control', 'no-store');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
        tail.close();
        wake?.();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify({ team }) });
        while (open) {
          while (queue.length > 0 && open) await stream.writeSSE(queue.shift()!);
          if (!open) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, KEEPALIVE_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
          if (open && queue.length === 0) await stream.write(': keepalive\n\n');
        }
      } finally {
        tail.close();
      }
    }) as never;
  });
}
