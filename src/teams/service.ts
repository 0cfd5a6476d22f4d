/**
 * Teams and keys: the business rules, free of HTTP. Routes and the CLI call these.
 */
import { randomBytes } from 'node:crypto';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { TeamId } from '../events/event.ts';
import { type ChangeRecorder, changedFields } from '../audit/trail.ts';
import type { AuditStore, TeamPolicy } from '../store/interface.ts';
import type { ControlStore } from './control-store.ts';
import { hashSecret, issueKey, parseKey, secretMatches } from './keys.ts';
import { type ApiKey, MAX_RETENTION_DAYS, type Principal, type Role, type Team, type TeamPatch } from './model.ts';
import { isReservedTeamId, RESERVED_TEAM_IDS } from './reserved.ts';

const OPERATOR_KEY_SETTING = 'operator_key_hash';

/** Settings only the operator changes, named for the 403 a team key gets for trying. */
const OPERATOR_ONLY: Record<string, string> = {
  dailyQuotaBytes: 'the daily quota',
  minRetentionDays: 'the minimum retention',
  maxRetentionDays: 'the maximum retention',
  legalHold: 'the legal hold',
};
/** What a team admin may change on their own team. */
const OWN_TEAM_FIELDS = new Set(['name', 'retentionDays']);

export interface TeamServiceOptions {
  defaultRetentionDays?: number;
  now?: () => Date;
  /** Where changes to teams and keys go (the audit trail), with their old and new values. */
  changes?: ChangeRecorder;
  /** The event store, which may enforce retention itself (Elasticsearch ILM). */
  policy?: Pick<AuditStore, 'applyTeamPolicy'>;
}

/** Why a presented key was refused: recorded in the audit trail, never told to the client. */
export type AuthFailure = 'missing' | 'malformed_header' | 'not_a_key' | 'unknown_key' | 'wrong_secret' | 'revoked_key';

export interface CreateTeamInput {
  id: TeamId;
  name?: string;
  retentionDays?: number;
  dailyQuotaBytes?: number | null;
  minRetentionDays?: number;
  maxRetentionDays?: number;
  legalHold?: boolean;
}

export class TeamService {
  readonly #control: ControlStore;
  readonly #defaultRetentionDays: number;
  readonly #now: () => Date;
  readonly #changes: ChangeRecorder | undefined;
  readonly #policy: Pick<AuditStore, 'applyTeamPolicy'> | undefined;

  constructor(control: ControlStore, { defaultRetentionDays = 90, now = () => new Date(), changes, policy }: TeamServiceOptions = {}) {
    this.#control = control;
    this.#defaultRetentionDays = defaultRetentionDays;
    this.#now = now;
    this.#changes = changes;
    this.#policy = policy;
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
    const retentionDays = input.retentionDays ?? this.#defaultRetentionDays;
    const team: Team = checkRetentionRange({
      id: input.id,
      name: input.name ?? input.id,
      retentionDays,
      dailyQuotaBytes: input.dailyQuotaBytes ?? null,
      createdAt: this.#now().toISOString(),
      minRetentionDays: input.minRetentionDays ?? 1,
      maxRetentionDays: input.maxRetentionDays ?? MAX_RETENTION_DAYS,
      legalHold: input.legalHold ?? false,
    });
    await this.#control.insertTeam(team);
    await this.#changes?.recordChange({ action: 'team.create', team: team.id, target: { type: 'team', id: team.id }, old: null, new: { ...team } });
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

  /**
   * The operator's change: any setting, as long as the retention stays within its range
   * (minRetentionDays ≤ retentionDays ≤ maxRetentionDays).
   */
  updateTeam(id: string, patch: TeamPatch): Promise<Team> {
    return this.#change(id, (current) => checkRetentionRange({ ...current, ...patch }));
  }

  /**
   * A team admin's change to their own team: the name, and the retention, which may only grow,
   * up to the maximum the operator allows. Quota, retention range and legal hold are the
   * operator's (403).
   */
  updateOwnTeam(id: string, patch: Record<string, unknown>): Promise<Team> {
    for (const field of Object.keys(patch)) {
      if (field in OPERATOR_ONLY) {
        throw new AppError('FORBIDDEN', `${OPERATOR_ONLY[field]} is set by the operator (PATCH /api/v1/teams/{id} with the operator key)`, { field });
      }
      if (!OWN_TEAM_FIELDS.has(field)) throw new ValidationError(`field ${field}: not a team setting`, { field });
    }
    const { name, retentionDays } = patch as Pick<TeamPatch, 'name' | 'retentionDays'>;
    return this.#change(id, (current) => {
      if (retentionDays !== undefined && retentionDays < current.retentionDays) {
        throw new AppError(
          'FORBIDDEN',
          `a team admin may only lengthen the retention (now ${current.retentionDays} days); shortening it erases history, so only the operator can`,
          { field: 'retentionDays', retentionDays: current.retentionDays },
        );
      }
      if (retentionDays !== undefined && retentionDays > current.maxRetentionDays) {
        throw new AppError('FORBIDDEN', `retentionDays: at most ${current.maxRetentionDays} days, the maximum the operator allows this team`, {
          field: 'retentionDays',
          maxRetentionDays: current.maxRetentionDays,
        });
      }
      return checkRetentionRange({ ...current, ...(name !== undefined ? { name } : {}), ...(retentionDays !== undefined ? { retentionDays } : {}) });
    });
  }

  /**
   * Applies a change atomically, records it, and keeps the store's own retention (ILM) in line.
   * The store is never left more eager to delete than both the old and the new settings: the
   * more protective of the two is applied before the write, the new one after it.
   */
  async #change(id: string, change: (current: Team) => Team): Promise<Team> {
    const current = await this.getTeam(id);
    const next = change(current);
    const guard: TeamPolicy = {
      retentionDays: Math.max(current.retentionDays, next.retentionDays),
      legalHold: current.legalHold || next.legalHold,
    };
    if (!samePolicy(guard, current)) await this.#policy?.applyTeamPolicy?.(id as TeamId, guard);
    const result = await this.#control.changeTeam(id, change);
    if (!result) throw new NotFoundError('team', id);
    const { before, after } = result;
    if (!samePolicy(after, guard) || !samePolicy(before, current)) {
      await this.#policy?.applyTeamPolicy?.(id as TeamId, { retentionDays: after.retentionDays, legalHold: after.legalHold });
    }
    const diff = changedFields(before, after);
    if (Object.keys(diff.new).length > 0) {
      await this.#changes?.recordChange({ action: 'team.update', team: id, target: { type: 'team', id }, ...diff });
    }
    return after;
  }

  /** Creates a key; the returned `secret` is the only time the whole key is seen. */
  async createKey(team: string, role: Role, name?: string): Promise<{ key: ApiKey; secret: string }> {
    await this.getTeam(team);
    const issued = issueKey();
    const key: ApiKey = { id: issued.id, team, role, name: name ?? `${role} key`, createdAt: this.#now().toISOString(), revokedAt: null };
    await this.#control.insertKey({ ...key, hash: issued.hash });
    await this.#changes?.recordChange({ action: 'key.create', team, target: { type: 'key', id: key.id }, old: null, new: { ...key } });
    return { key, secret: issued.key };
  }

  listKeys(team: string): Promise<ApiKey[]> {
    return this.#control.listKeys(team);
  }

  async revokeKey(team: string, id: string): Promise<void> {
    const at = this.#now().toISOString();
    if (!(await this.#control.revokeKey(team, id, at))) throw new NotFoundError('key', id);
    await this.#changes?.recordChange({ action: 'key.revoke', team, target: { type: 'key', id }, old: { revokedAt: null }, new: { revokedAt: at } });
  }
}

function samePolicy(a: TeamPolicy, b: TeamPolicy): boolean {
  return a.retentionDays === b.retentionDays && a.legalHold === b.legalHold;
}

/** minRetentionDays ≤ retentionDays ≤ maxRetentionDays, or a 400 naming the field that breaks it. */
function checkRetentionRange(team: Team): Team {
  if (team.minRetentionDays > team.maxRetentionDays) {
    throw new ValidationError(`minRetentionDays (${team.minRetentionDays}) is above maxRetentionDays (${team.maxRetentionDays})`, { field: 'minRetentionDays' });
  }
  if (team.retentionDays < team.minRetentionDays) {
    throw new ValidationError(`retentionDays (${team.retentionDays}) is below the team's minimum of ${team.minRetentionDays} days`, { field: 'retentionDays' });
  }
  if (team.retentionDays > team.maxRetentionDays) {
    throw new ValidationError(`retentionDays (${team.retentionDays}) is above the team's maximum of ${team.maxRetentionDays} days`, { field: 'retentionDays' });
  }
  return team;
}
