/**
 * Where streams are kept, beside the events (src/backend.ts): a SQLite file in the data
 * directory, or a system index on Elasticsearch, so every instance sees the same streams and
 * positions. Every write but a creation is a compare-and-set on the version read, so the
 * instance sending a batch and an admin changing the stream never overwrite each other.
 */
import type { StreamRecord } from './model.ts';

export interface VersionedStream {
  record: StreamRecord;
  /** Opaque; changes with every write. */
  version: string;
}

export interface StreamStateStore {
  /** Every stream, or a team's, oldest first; may trail the latest writes by a moment (Elasticsearch: a refresh), unlike `get`. */
  list(team?: string): Promise<VersionedStream[]>;
  get(id: string): Promise<VersionedStream | null>;
  create(record: StreamRecord): Promise<void>;
  /** Writes when the stored version is still `version`; returns the new version, or null when another write came first. */
  replace(record: StreamRecord, version: string): Promise<string | null>;
  /** Returns false when there was no such stream. */
  delete(id: string): Promise<boolean>;
  close(): Promise<void>;
}
