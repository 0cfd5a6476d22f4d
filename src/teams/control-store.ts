/**
 * Control state: teams, keys, quotas. Lives in the same backend as the events (a SQLite file
 * in embedded mode; system indices with Elasticsearch), so several instances share one truth.
 */
import type { ApiKey, Role, Team, TeamPatch } from './model.ts';
import type { SessionStore } from './session-store.ts';

export interface StoredKey extends ApiKey {
  hash: string;
}

export interface ControlStore {
  getSetting(name: string): Promise<string | null>;
  setSetting(name: string, value: string): Promise<void>;
  /** Sets a setting only if it is unset; returns the value that holds afterwards. */
  initSetting(name: string, value: string): Promise<string>;

  insertTeam(team: Team): Promise<void>;
  getTeam(id: string): Promise<Team | null>;
  listTeams(): Promise<Team[]>;
  updateTeam(id: string, patch: TeamPatch): Promise<Team | null>;
  /**
   * Reads a team and writes what `change` makes of it, atomically: no other write comes in
   * between, so `change` may check rules against the current values (and throw to write
   * nothing). Null when the team does not exist.
   */
  changeTeam(id: string, change: (current: Team) => Team): Promise<{ before: Team; after: Team } | null>;

  insertKey(key: StoredKey): Promise<void>;
  getKey(id: string): Promise<StoredKey | null>;
  listKeys(team: string): Promise<ApiKey[]>;
  revokeKey(team: string, id: string, at: string): Promise<boolean>;

  /** Adds bytes to a team's usage of one UTC day and returns the new total. */
  addUsage(team: string, day: string, bytes: number): Promise<number>;
  getUsage(team: string, day: string): Promise<number>;

  /** Sign-in sessions of the web page, in the same backend. */
  readonly sessions: SessionStore;
  /**
   * Binds a team's Idempotency-Key to the fingerprint of a request's content, unless a binding
   * made at or after `since` (epoch ms) holds it; an older one is replaced. Returns the
   * fingerprint bound afterwards: `fingerprint` itself when the key was free, expired or bound to
   * the same content. Atomic across instances: of two racing claims one wins, both see it.
   * Bindings older than `since` may be deleted.
   */
  claimIdempotencyKey(team: string, key: string, fingerprint: string, now: number, since: number): Promise<string>;

  close(): Promise<void>;
}

export type { ApiKey, Role, Team };
