/**
 * Alert rules (docs/alerts.md): the zod schemas are the validation, the types and the API
 * documentation at once. Saved searches live in src/saved-searches/.
 */
import { z } from 'zod';
import cron from 'node-cron';
import { Duration } from './duration.ts';

const MIN = 60_000;
const DAY = 86_400_000;

const Name = z.string().trim().min(1).max(200);
const Query = z.string().max(16_384);
/** A group-by / term field: one concrete field, no wildcard (facets need one). */
const FieldName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^*?\s]+$/, 'one concrete field name, without wildcards or spaces');

// --- conditions ---------------------------------------------------------------------------

/** One notification per evaluation that has new matching events (batched). */
const AnyCondition = z.object({ type: z.literal('any') });
/** Number of matches in the window (per group with `groupBy`) above `threshold`. */
const CountAboveCondition = z.object({ type: z.literal('count_above'), threshold: z.number().int().min(0) });
/**
 * Number of matches in the window below `threshold`: a flatline. With `groupBy`, the groups
 * are those seen in the window before (a group that goes silent is then reported).
 */
const CountBelowCondition = z.object({ type: z.literal('count_below'), threshold: z.number().int().min(1) });
/** Distinct values of `field` in the window (per group) above `threshold` (at most 99). */
const CardinalityCondition = z.object({
  type: z.literal('cardinality'),
  field: FieldName,
  threshold: z.number().int().min(1).max(99),
});
/** A value of `field` (per group) not seen in the `lookback` before the window. */
const NewTermCondition = z.object({
  type: z.literal('new_term'),
  field: FieldName,
  lookback: Duration(MIN, 365 * DAY).default('30d'),
});

export const Condition = z.discriminatedUnion('type', [
  AnyCondition,
  CountAboveCondition,
  CountBelowCondition,
  CardinalityCondition,
  NewTermCondition,
]);
export type Condition = z.infer<typeof Condition>;

/** Conditions about single events (each match is news) rather than about a state that holds. */
export function isEventCondition(c: Condition): boolean {
  return c.type === 'any' || c.type === 'new_term';
}

// --- channels -------------------------------------------------------------------------------

export const HttpUrl = z
  .string()
  .max(2_048)
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${text.slice(0, 100)}" is not a URL` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `webhook URLs must be http or https, not ${url.protocol.replace(':', '')}` });
    }
    if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'put credentials in the secret, not in the URL' });
  });

const ChannelId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'channel id: 1-64 of A-Z, a-z, 0-9, _ and -')
  .optional();

/** What a channel's own headers may not set: message framing, the host, and our signature headers. */
const FRAMING_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'x-auditlog-signature',
  'x-auditlog-timestamp',
  'x-auditlog-delivery',
]);

/** Stands for a write-only value in what the API returns; sent back, it keeps the stored value. */
export const REDACTED = '[redacted]';

/** Generic JSON webhook; signed with HMAC-SHA256 of the body when a secret is set. */
export const WebhookChannel = z.object({
  id: ChannelId,
  type: z.literal('webhook'),
  url: HttpUrl,
  /** Write-only: never returned by the API (`hasSecret` says whether one is set). */
  secret: z.string().min(16).max(256).optional(),
  /** Write-only values: the API shows the names with REDACTED values (a token in a header is a secret). */
  headers: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/)
        .refine((name) => !FRAMING_HEADERS.has(name.toLowerCase()), { message: 'this header is set by auditlog (framing, host or signature)' }),
      z.string().max(1_024),
    )
    .optional(),
});
/** Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): the URL is the secret. */
export const SlackChannel = z.object({ id: ChannelId, type: z.literal('slack'), url: HttpUrl });
export const EmailChannel = z.object({
  id: ChannelId,
  type: z.literal('email'),
  to: z.array(z.email()).min(1).max(50),
});

export const Channel = z.discriminatedUnion('type', [WebhookChannel, SlackChannel, EmailChannel]);
export type Channel = z.infer<typeof Channel>;

// --- rules ----------------------------------------------------------------------------------

export const Severity = z.enum(['info', 'low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof Severity>;

const CronExpression = z
  .string()
  .max(120)
  .refine((s) => cron.validate(s), { message: 'not a valid cron expression (5 or 6 fields, e.g. "*/5 * * * *")' });

export const RuleInput = z.object({
  name: Name,
  description: z.string().max(2_000).optional(),
  query: Query,
  /** node-cron expression; a 6th leading field means seconds. Default: every minute. */
  schedule: CronExpression.default('* * * * *'),
  /** How far back each evaluation looks (`5m`, `1h`). */
  window: Duration(10_000, 7 * DAY).default('5m'),
  condition: Condition,
  /** Evaluate the condition per value of this field (per user, per host…). */
  groupBy: FieldName.optional(),
  /** No repeated notification for the same group within this period. `0s` = no throttle. */
  throttle: Duration(0, 7 * DAY).default('0s'),
  /** Send a "resolved" notification when a firing condition clears. */
  notifyRecovery: z.boolean().default(false),
  channels: z.array(Channel).max(10).default([]),
  severity: Severity.default('medium'),
  enabled: z.boolean().default(true),
});
export type RuleInput = z.input<typeof RuleInput>;
export type RuleSpec = z.infer<typeof RuleInput>;

export interface AlertRule extends RuleSpec {
  id: string;
  team: string;
  /** Set for rules installed from queries/ (their file name), so reinstalling updates them. */
  builtin?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * What the API shows of a channel: no secret, header values REDACTED, a webhook URL without its
 * query string (tokens travel there), and a Slack URL (the URL is the secret) reduced to its host.
 */
export const ChannelView = z.discriminatedUnion('type', [
  WebhookChannel.omit({ secret: true }).extend({ url: z.string(), headers: z.record(z.string(), z.string()).optional(), hasSecret: z.boolean() }),
  SlackChannel.extend({ url: z.string() }),
  EmailChannel,
]);
export type ChannelView = z.infer<typeof ChannelView>;

export function channelView(ch: Channel): ChannelView {
  switch (ch.type) {
    case 'webhook': {
      const { secret, headers, ...rest } = ch;
      return {
        ...rest,
        url: webhookUrlView(ch.url),
        ...(headers ? { headers: Object.fromEntries(Object.keys(headers).map((name) => [name, REDACTED])) } : {}),
        hasSecret: secret !== undefined,
      };
    }
    case 'slack':
      return { ...ch, url: redactUrl(ch.url) };
    case 'email':
      return ch;
  }
}

/** A webhook URL as shown: the query string, which may carry a token, replaced by REDACTED. */
export function webhookUrlView(url: string): string {
  try {
    const u = new URL(url);
    return u.search ? `${u.origin}${u.pathname}?${REDACTED}` : url;
  } catch {
    return '…';
  }
}

export function redactUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '…';
  }
}
