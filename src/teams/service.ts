/**
 * Teams and keys: the business rules, free of HTTP. Routes and the CLI call these.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { TeamId } from '../events/event.ts';
import type { ControlStore } from './control-store.ts';
import { hashSecret, issueKey, parseKey, secretMatches } from './keys.ts';
import type { ApiKey, Principal, Role, Team } from './model.ts';
import { isReservedTeamId, RESERVED_TEAM_IDS } from './reserved.ts';

const OPERATOR_KEY_SETTING = 'operator_key_hash';


/** Why a presented key was refused: recorded in the audit trail, never told to the client. */
export type AuthFailure = 'missing' | 'malformed_header' | 'not_a_key' | 'unknown_key' | 'wrong_secret' | 'revoked_key';

export interface CreateTeamInput {
  id: TeamId;
  name?: string;
  retentionDays?: number;
  dailyQuotaBytes?: number | null;
}

export class TeamService {
  readonly #control: ControlStore;
  readonly #defaultRetentionDays: number;
  readonly #now: () => Date;

  constructor(control: ControlStore, { defaultRetentionDays = 90, now = () => new Date() } = {}) {
    this.#control = control;
    this.#defaultRetentionDays = defaultRetentionDays;
    this.#now = now;
  }

  /**
   * Makes sure an operator key exists. With a configured key, its hash is (re)stored; without
   * one, a key is generated on first start and returned so the caller can print it once.
   */
  async ensureOperatorKey(configured?: string): Promise<{ generated: string | null }> {
    if (configured) {
      await this.#control.setSetting(OPERATOR_KEY_SETTING, hashSecret(configured));
      return { generated: null };
    }
    if (await this.#control.getSetting(OPERATOR_KEY_SETTING)) return { generated: null };
    const key = `alop_${randomBytes(32).toString('base64url')}`;
    const stored = await this.#control.initSetting(OPERATOR_KEY_SETTING, hashSecret(key));
    // Another instance may have won the race; then its key holds and ours is never shown.
    return { generated: stored === hashSecret(key) ? key : null };
  }

  /** Resolves a presented key to a principal, or null when it is unknown, malformed or revoked. */
  async authenticate(presented: string): Promise<Principal | null> {
    const result = await this.identify(presented);
    return 'principal' in result ? result.principal : null;
  }

  /** As `authenticate`, saying why a key failed (for the audit trail; clients are told only 401). */
  async identify(presented: string): Promise<{ principal: Principal } | { failure: AuthFailure }> {
    const parsed = parseKey(presented);
    if (parsed) {
      const key = await this.#control.getKey(parsed.id);
      if (!key) return { failure: 'unknown_key' };
      if (!secretMatches(parsed.secret, key.hash)) return { failure: 'wrong_secret' };
      if (key.revokedAt !== null) return { failure: 'revoked_key' };
      const { hash: _hash, ...publicKey } = key;
      return { principal: { kind: 'key', key: publicKey } };
    }
    const operatorHash = await this.#control.getSetting(OPERATOR_KEY_SETTING);
    // The operator key is compared whole: it may come from the environment in any shape.
    if (operatorHash && secretMatches(presented, operatorHash)) return { principal: { kind: 'operator' } };
    return { failure: 'not_a_key' };
  }

  async createTeam(input: CreateTeamInput): Promise<Team> {
    if (isReservedTeamId(input.id)) {
      throw new ValidationError(`team id ${JSON.stringify(input.id)} is reserved for auditlog's own state (reserved: ${[...RESERVED_TEAM_IDS].join(', ')})`, {
        field: 'id',
      });
    }
    if (await this.#control.getTeam(input.id)) throw new ConflictError(`team ${JSON.stringify(input.id)} already exists`, { field: 'id' });
    const team: Team = {
      id: input.id,
      name: input.name ?? input.id,
      retentionDays: input.retentionDays ?? this.#defaultRetentionDays,
      dailyQuotaBytes: input.dailyQuotaBytes ?? null,
      createdAt: this.#now().toISOString(),
    };
    await this.#control.insertTeam(team);
    return team;
  }

  async getTeam(id: string): Promise<Team> {
    const team = await this.#control.getTeam(id);
    if (!team) throw new NotFoundError('team', id);
    return team;
  }

  listTeams(): Promise<Team[]> {
    return this.#control.listTeams();
  }

  async updateTeam(id: string, patch: Partial<Pick<Team, 'name' | 'retentionDays' | 'dailyQuotaBytes'>>): Promise<Team> {
    const team = await this.#control.updateTeam(id, patch);
    if (!team) throw new NotFoundError('team', id);
    return team;
  }

  /** Creates a key; the returned `secret` is the only time the whole key is seen. */
  async createKey(team: string, role: Role, name?: string): Promise<{ key: ApiKey; secret: string }> {
    await this.getTeam(team);
    const issued = issueKey();
    const key: ApiKey = { id: issued.id, team, role, name: name ?? `${role} key`, createdAt: this.#now().toISOString(), revokedAt: null };
    await this.#control.insertKey({ ...key, hash: issued.hash });
    return { key, secret: issued.key };
  }

  listKeys(team: string): Promise<ApiKey[]> {
    return this.#control.listKeys(team);
  }

  async revokeKey(team: string, id: string): Promise<void> {
    if (!(await this.#control.revokeKey(team, id, this.#now().toISOString()))) throw new NotFoundError('key', id);
  }
}
