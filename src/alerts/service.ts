/**
 * Alert rules as a team sees them: validation (the query parses; it is stored in canonical
 * form), ids, timestamps, secrets kept across updates and never shown, and the built-in rules
 * and saved searches of queries/. Knows nothing of HTTP; throws typed errors.
 */
import { newId } from './ids.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { type ChangeRecorder, changedFields } from '../audit/trail.ts';
import { loadBuiltIns } from './builtin.ts';
import { ALLOW_HINT, EgressPolicy } from './egress.ts';
import {
  type AlertRule,
  type Channel,
  type ChannelView,
  channelView,
  REDACTED,
  RuleInput,
  redactUrl,
  webhookUrlView,
  type RuleSpec,
} from './model.ts';
import type { SavedSearch } from '../saved-searches/model.ts';
import { canonicalQuery, SavedSearchService } from '../saved-searches/service.ts';
import type { AlertStateStore, HistoryEntry } from './state-store.ts';

/** A rule as the API returns it: channels without secrets. */
export type RuleView = Omit<AlertRule, 'channels'> & { channels: ChannelView[] };

export interface AlertServiceOptions {
  state: AlertStateStore;
  now?: () => number;
  /** Email channels are refused when the server has no SMTP settings. */
  smtpConfigured?: boolean;
  /** Called after a rule changes (the scheduler reloads). */
  onRulesChanged?: () => void | Promise<void>;
  /** Directory of built-in rules and saved searches. Default: queries/ of the repository. */
  builtinDir?: string;
  /** Most rules per team. Default 1,000. */
  maxRulesPerTeam?: number;
  /** Where rule changes go (the audit trail), as the API shows rules: without secrets. */
  changes?: ChangeRecorder;
  /** Where webhooks may go: a URL whose host is a refused literal address is a 400. Default: nothing private. */
  egress?: EgressPolicy;
}

export { canonicalQuery } from '../saved-searches/service.ts';

export function ruleView(rule: AlertRule): RuleView {
  return { ...rule, channels: rule.channels.map(channelView) };
}

export class AlertService {
  readonly #o: AlertServiceOptions;
  readonly #now: () => number;
  readonly #searches: SavedSearchService;

  readonly #egress: EgressPolicy;

  constructor(o: AlertServiceOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#egress = o.egress ?? new EgressPolicy();
    this.#searches = new SavedSearchService(o.state, this.#now);
  }

  /** The rules' state (cursors, group states, history), read by the alert state views. */
  get state(): AlertStateStore {
    return this.#o.state;
  }

  // --- rules ---

  async createRule(team: string, input: RuleInput, builtin?: string): Promise<RuleView> {
    const spec = this.#validate(input, []);
    const existing = await this.#o.state.listRules(team);
    const max = this.#o.maxRulesPerTeam ?? 1000;
    if (existing.length >= max) throw new ValidationError(`a team may have at most ${max} alert rules`, { limit: max });
    const at = new Date(this.#now()).toISOString();
    const rule: AlertRule = { ...spec, id: newId(), team, ...(builtin ? { builtin } : {}), createdAt: at, updatedAt: at };
    await this.#o.state.insertRule(rule);
    await this.#o.onRulesChanged?.();
    await this.#recordRule('rule.create', null, rule);
    return ruleView(rule);
  }

  /** Replaces a rule. A channel sent with its `id` and without its secret keeps the stored secret. */
  async updateRule(team: string, id: string, input: RuleInput): Promise<RuleView> {
    const current = await this.#getRule(team, id);
    const spec = this.#validate(input, current.channels);
    const rule: AlertRule = { ...spec, id, team, ...(current.builtin ? { builtin: current.builtin } : {}), createdAt: current.createdAt, updatedAt: new Date(this.#now()).toISOString() };
    if (!(await this.#o.state.updateRule(rule))) throw new NotFoundError('alert rule', id);
    await this.#o.onRulesChanged?.();
    await this.#recordRule('rule.update', current, rule);
    return ruleView(rule);
  }

  async setEnabled(team: string, id: string, enabled: boolean): Promise<RuleView> {
    const current = await this.#getRule(team, id);
    const rule = { ...current, enabled, updatedAt: new Date(this.#now()).toISOString() };
    await this.#o.state.updateRule(rule);
    await this.#o.onRulesChanged?.();
    await this.#recordRule('rule.update', current, rule);
    return ruleView(rule);
  }

  async getRule(team: string, id: string): Promise<RuleView> {
    return ruleView(await this.#getRule(team, id));
  }

  async listRules(team: string): Promise<RuleView[]> {
    return (await this.#o.state.listRules(team)).map(ruleView);
  }

  async deleteRule(team: string, id: string): Promise<void> {
    const current = await this.#o.state.getRule(team, id);
    if (!current || !(await this.#o.state.deleteRule(team, id))) throw new NotFoundError('alert rule', id);
    await this.#o.onRulesChanged?.();
    await this.#recordRule('rule.delete', current, null);
  }

  /** A rule change for the audit trail: the whole rule on create and delete, the changed fields on update. */
  async #recordRule(action: string, before: AlertRule | null, after: AlertRule | null): Promise<void> {
    if (!this.#o.changes) return;
    const rule = (after ?? before)!;
    const view = (r: AlertRule | null) => (r ? ({ ...ruleView(r) } as Record<string, unknown>) : null);
    const values = before && after ? changedFields(ruleView(before), ruleView(after)) : { old: view(before), new: view(after) };
    if (values.old && values.new && Object.keys(values.new).length === 0) return;
    await this.#o.changes.recordChange({ action, team: rule.team, target: { type: 'rule', id: rule.id }, ...values });
  }

  async history(team: string, id: string, options: { limit?: number; before?: number } = {}): Promise<HistoryEntry[]> {
    await this.#getRule(team, id);
    return this.#o.state.listHistory(team, id, options);
  }

  /**
   * Installs the built-in rules and saved searches of queries/ for a team. Idempotent: a rule
   * installed before (same file) is updated in place, keeping its channels, enabled flag and
   * state; saved searches are matched by name.
   */
  async installBuiltInRules(
    team: string,
    options: { channels?: Channel[]; enabled?: boolean } = {},
  ): Promise<{ rules: { created: RuleView[]; updated: RuleView[] }; savedSearches: { created: SavedSearch[]; updated: SavedSearch[] } }> {
    const builtins = loadBuiltIns(this.#o.builtinDir);
    const rules = await this.#o.state.listRules(team);
    const out = { rules: { created: [] as RuleView[], updated: [] as RuleView[] }, savedSearches: { created: [] as SavedSearch[], updated: [] as SavedSearch[] } };
    for (const b of builtins) {
      if (b.kind === 'rule') {
        const current = rules.find((r) => r.builtin === b.file);
        if (current) {
          const input: RuleInput = { ...b.rule, channels: current.channels, enabled: current.enabled };
          out.rules.updated.push(await this.updateRule(team, current.id, input));
        } else {
          const input: RuleInput = { ...b.rule, channels: options.channels ?? [], enabled: options.enabled ?? b.rule.enabled ?? true };
          out.rules.created.push(await this.createRule(team, input, b.file));
        }
      } else {
        const { created, search } = await this.#searches.install(team, b.search);
        (created ? out.savedSearches.created : out.savedSearches.updated).push(search);
      }
    }
    return out;
  }

  /** A rule as it would be stored, validated (its query parsed and made canonical), without storing it. */
  validateRule(input: RuleInput): RuleSpec {
    return this.#validate(input, []);
  }

  async #getRule(team: string, id: string): Promise<AlertRule> {
    const rule = await this.#o.state.getRule(team, id);
    if (!rule) throw new NotFoundError('alert rule', id);
    return rule;
  }

  #validate(input: RuleInput, previous: Channel[]): RuleSpec {
    const parsed = RuleInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new ValidationError(`field ${field || '(root)'}: ${issue.message}`, { field });
    }
    const spec = parsed.data;
    spec.query = canonicalQuery(spec.query);
    if (spec.groupBy && (spec.condition.type === 'cardinality' || spec.condition.type === 'new_term') && spec.condition.field === spec.groupBy) {
      throw new ValidationError('condition.field must differ from groupBy', { field: 'condition.field' });
    }
    if (!this.#o.smtpConfigured && spec.channels.some((c) => c.type === 'email')) {
      throw new ValidationError('email channels need the server SMTP settings, which are not configured', { field: 'channels' });
    }
    const ids = new Set<string>();
    spec.channels = spec.channels.map((ch, i) => {
      const id = ch.id ?? `ch${i + 1}`;
      if (ids.has(id)) throw new ValidationError(`channels.${i}.id: ${id} is used twice`, { field: `channels.${i}.id` });
      ids.add(id);
      const old = previous.find((p) => p.id === id && p.type === ch.type);
      const kept = keepStoredValues({ ...ch, id }, old, `channels.${i}`);
      if (kept.type !== 'email') {
        const why = this.#egress.literalRefusal(kept.url);
        if (why) {
          throw new ValidationError(
            `channels.${i}.url: refused, ${why}; alert channels may not reach loopback, private, link-local, multicast or metadata addresses (${ALLOW_HINT})`,
            { field: `channels.${i}.url` },
          );
        }
      }
      return kept;
    });
    return spec;
  }
}

/**
 * A channel sent back as the API showed it keeps what the API hides: the webhook secret when
 * none is sent, header values sent as REDACTED, a webhook URL whose query string was REDACTED,
 * and a Slack URL reduced to its origin.
 */
function keepStoredValues(ch: Channel, old: Channel | undefined, field: string): Channel {
  if (ch.type === 'slack') {
    // The API shows a Slack URL reduced to its origin: sending that back keeps the real one.
    return old?.type === 'slack' && ch.url === redactUrl(old.url) ? { ...ch, url: old.url } : ch;
  }
  if (ch.type !== 'webhook') return ch;
  const prev = old?.type === 'webhook' ? old : undefined;
  const url = prev && ch.url === webhookUrlView(prev.url) ? prev.url : ch.url;
  if (url.includes(REDACTED)) {
    throw new ValidationError(`${field}.url: ${REDACTED} stands for the stored query string, and this channel has none; send the whole URL`, { field: `${field}.url` });
  }
  let headers = ch.headers;
  if (headers) {
    headers = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => {
        if (value !== REDACTED) return [name, value];
        const stored = prev?.headers?.[name];
        if (stored === undefined) {
          throw new ValidationError(`${field}.headers.${name}: ${REDACTED} stands for a stored value, and this channel has none`, { field: `${field}.headers.${name}` });
        }
        return [name, stored];
      }),
    );
  }
  const secret = ch.secret ?? prev?.secret;
  return { ...ch, url, ...(headers ? { headers } : {}), ...(secret !== undefined ? { secret } : {}) };
}
