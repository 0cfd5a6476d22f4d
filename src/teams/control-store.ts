/**
 * Control state: teams, keys, quotas. Lives in the same backend as the events (a SQLite file
 * in embedded mode; system indices with Elasticsearch), so several instances share one truth.
 */
import type { ApiKey, Role, Team, TeamPatch } from './model.ts';

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

  close(): Promise<void>;
}

export type { ApiKey, Role, Team };
