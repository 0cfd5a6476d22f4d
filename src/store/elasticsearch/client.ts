/**
 * The one place an Elasticsearch client is built. The composition root (src/backend.ts) makes
 * one and hands it to the event store, the control store and the alert state store.
 */
import { Client } from '@elastic/elasticsearch';

export interface ClientSettings {
  node: string;
  username?: string | undefined;
  password?: string | undefined;
  requestTimeoutMs?: number;
}

export function createElasticsearchClient({ node, username, password, requestTimeoutMs = 30_000 }: ClientSettings): Client {
  return new Client({
    node,
    ...(username !== undefined ? { auth: { username, password: password ?? '' } } : {}),
    requestTimeout: requestTimeoutMs,
    maxRetries: 2,
  });
}
