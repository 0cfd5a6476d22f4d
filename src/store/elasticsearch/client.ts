/**
 * The one place an Elasticsearch client is built. The composition root (src/backend.ts) makes
 * one and hands it to the event store, the control store and the alert state store.
 */
import { Client, SniffingTransport } from '@elastic/elasticsearch';

export interface ClientSettings {
  node: string;
  username?: string | undefined;
  password?: string | undefined;
  requestTimeoutMs?: number;
}

/**
 * Full-jitter waits of up to 0.25 s, then 0.5 s, between the client's attempts. The transport's
 * own (1-2 s, then 2-4 s) would make every request hang about 4 s before its 503 while the
 * cluster is down, and every request authenticates against the cluster. Short waits still ride
 * out a blip; callers that must persist, like the bulk append, retry on their own terms.
 */
const quickBackoff = (_min: number, _max: number, attempt: number) => Math.random() * Math.min(0.5, 0.125 * 2 ** attempt);

/** The client's default transport, with the short backoff (the client takes no backoff option of its own). */
class QuickRetryTransport extends SniffingTransport {
  constructor(options: ConstructorParameters<typeof SniffingTransport>[0]) {
    super({ ...options, retryBackoff: quickBackoff });
  }
}

export function createElasticsearchClient({ node, username, password, requestTimeoutMs = 30_000 }: ClientSettings): Client {
  return new Client({
    node,
    ...(username !== undefined ? { auth: { username, password: password ?? '' } } : {}),
    requestTimeout: requestTimeoutMs,
    maxRetries: 2,
    Transport: QuickRetryTransport,
  });
}
