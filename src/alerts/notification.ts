/**
 * The notification: one per rule evaluation, whatever the number of groups, so a burst of a
 * hundred matching users is one message, not a hundred. The webhook sends this object as
 * its JSON body (documented in docs/alerts.md); Slack and email render it as text.
 */
import type { StoredEvent } from '../events/event.ts';
import type { AlertRule } from './model.ts';

/** Most groups listed in one notification; the rest are counted in `moreGroups`. */
export const MAX_GROUPS_PER_NOTIFICATION = 50;

export type GroupNotificationKind = 'firing' | 'reminder' | 'resolved' | 'suppressed_summary';

export interface EventSummary {
  id: string;
  timestamp: string;
  action?: string;
  outcome?: string;
  user?: string;
  sourceIp?: string;
  message?: string;
  url: string;
}

export interface GroupNotification {
  kind: GroupNotificationKind;
  /** Value of the group-by field; '' for rules without one. */
  group: string;
  /** Measured value (count, distinct values, new terms). */
  value: number;
  /** Matching events in the evaluated interval. */
  matches: number;
  /** Matches held back by the throttle since the previous notification of this group. */
  suppressed: number;
  window: { from: string; to: string };
  terms?: string[];
  events: EventSummary[];
}

export interface Notification {
  /** Unique per notification; receivers deduplicate on it (deliveries are at least once). */
  id: string;
  version: 1;
  team: string;
  rule: {
    id: string;
    name: string;
    description?: string;
    severity: string;
    query: string;
    condition: AlertRule['condition'];
    groupBy?: string;
    window: string;
  };
  /** Evaluation time: end of the last evaluated window. */
  evaluatedAt: string;
  /** firing if any group fires, else resolved / reminder. */
  status: 'firing' | 'resolved';
  groups: GroupNotification[];
  moreGroups: number;
  /** Total matches over all groups, suppressed ones included. */
  totalMatches: number;
}

export function summarizeEvent(e: StoredEvent, baseUrl: string): EventSummary {
  const user = e.ecs['user.name'] ?? e.ecs['user.email'] ?? e.ecs['user.id'];
  return {
    id: e.id,
    timestamp: new Date(e.timestamp).toISOString(),
    ...(e.ecs['event.action'] !== undefined ? { action: e.ecs['event.action'] } : {}),
    ...(e.ecs['event.outcome'] !== undefined ? { outcome: e.ecs['event.outcome'] } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(e.ecs['source.ip'] !== undefined ? { sourceIp: e.ecs['source.ip'] } : {}),
    ...(e.ecs.message !== undefined ? { message: e.ecs.message.slice(0, 300) } : {}),
    // The web page's event view: it opens in a browser, where the API URL would need a bearer header.
    url: `${baseUrl.replace(/\/+$/, '')}/events/${encodeURIComponent(e.id)}`,
  };
}

export function buildNotification(id: string, rule: AlertRule, evaluatedAt: number, groups: GroupNotification[]): Notification {
  const shown = groups.slice(0, MAX_GROUPS_PER_NOTIFICATION);
  return {
    id,
    version: 1,
    team: rule.team,
    rule: {
      id: rule.id,
      name: rule.name,
      ...(rule.description ? { description: rule.description } : {}),
      severity: rule.severity,
      query: rule.query,
      condition: rule.condition,
      ...(rule.groupBy ? { groupBy: rule.groupBy } : {}),
      window: rule.window,
    },
    evaluatedAt: new Date(evaluatedAt).toISOString(),
    status: groups.some((g) => g.kind !== 'resolved') ? 'firing' : 'resolved',
    groups: shown,
    moreGroups: groups.length - shown.length,
    totalMatches: groups.reduce((n, g) => n + (g.kind === 'resolved' ? 0 : g.matches + g.suppressed), 0),
  };
}

function describeCondition(n: Notification): string {
  const c = n.rule.condition;
  switch (c.type) {
    case 'any':
      return 'new matching events';
    case 'count_above':
      return `more than ${c.threshold} events in ${n.rule.window}`;
    case 'count_below':
      return `fewer than ${c.threshold} events in ${n.rule.window}`;
    case 'cardinality':
      return `more than ${c.threshold} distinct ${c.field} in ${n.rule.window}`;
    case 'new_term':
      return `a ${c.field} not seen in the previous ${c.lookback}`;
  }
}

function groupLine(n: Notification, g: GroupNotification): string {
  const who = g.group === '' ? '' : `${n.rule.groupBy}=${g.group}: `;
  const suppressed = g.suppressed > 0 ? ` (+${g.suppressed} suppressed by throttle)` : '';
  switch (g.kind) {
    case 'resolved':
      return `${who}resolved (value now ${g.value})`;
    case 'suppressed_summary':
      return `${who}${g.suppressed} more matches were held back by the throttle`;
    default: {
      const terms = g.terms?.length ? ` [${g.terms.slice(0, 10).join(', ')}]` : '';
      return `${who}${g.kind === 'reminder' ? 'still firing, ' : ''}value ${g.value}, ${g.matches} matching events${terms}${suppressed}`;
    }
  }
}

function eventLine(e: EventSummary): string {
  const parts = [e.timestamp, e.action, e.user, e.sourceIp, e.outcome].filter((x) => x !== undefined);
  return `${parts.join(' · ')} ${e.url}`;
}

/** Plain text for Slack and email: a title, one line per group, the top events. */
export function renderText(n: Notification, { maxEvents = 5 }: { maxEvents?: number } = {}): { title: string; body: string } {
  const icon = n.status === 'resolved' ? 'RESOLVED' : n.rule.severity.toUpperCase();
  const title = `[${icon}] ${n.rule.name}: ${n.status === 'resolved' ? 'condition cleared' : describeCondition(n)}`;
  const lines: string[] = [];
  if (n.rule.description) lines.push(n.rule.description, '');
  lines.push(`Team ${n.team}, evaluated at ${n.evaluatedAt}, query: ${n.rule.query || '*'}`);
  for (const g of n.groups) {
    lines.push(`• ${groupLine(n, g)}`);
    for (const e of g.events.slice(0, maxEvents)) lines.push(`    ${eventLine(e)}`);
  }
  if (n.moreGroups > 0) lines.push(`…and ${n.moreGroups} more groups`);
  return { title, body: lines.join('\n') };
}
