/**
 * Sending one notification to one channel. Each sender throws DeliveryError with a message
 * a person can act on; the deliverer decides about retries.
 */
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import { ALLOW_HINT, EgressPolicy, TargetRefusedError } from './egress.ts';
import type { Channel } from './model.ts';
import { type Notification, renderText } from './notification.ts';

export class DeliveryError extends Error {
  /** False when retrying cannot help (e.g. 4xx other than 408/429, no SMTP configured). */
  readonly retryable: boolean;
  /** The receiver's Retry-After, in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryable = true, retryAfterMs?: number) {
    super(message);
    this.name = 'DeliveryError';
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  user?: string;
  password?: string;
  from: string;
  /** Accept self-signed certificates (test servers only). */
  allowInvalidCertificates?: boolean;
}

export interface SendOptions {
  smtp?: SmtpSettings | undefined;
  timeoutMs?: number;
  /** Delivery id, sent as X-Auditlog-Delivery so receivers can drop duplicates. */
  deliveryId: string;
  now?: () => number;
  /** Where webhooks may go; default: nowhere private (src/alerts/egress.ts). */
  egress?: EgressPolicy;
}

const DEFAULT_EGRESS = new EgressPolicy();

export const SIGNATURE_HEADER = 'x-auditlog-signature';
export const TIMESTAMP_HEADER = 'x-auditlog-timestamp';
export const DELIVERY_HEADER = 'x-auditlog-delivery';

/**
 * The signature a receiver recomputes: hex HMAC-SHA256 over `<timestamp>.<raw body>` with the
 * channel secret, sent as `sha256=<hex>`. The timestamp is in the signed text so a captured
 * request cannot be replayed later with a fresh timestamp.
 */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export async function sendToChannel(channel: Channel, n: Notification, o: SendOptions): Promise<void> {
  switch (channel.type) {
    case 'webhook': {
      const body = JSON.stringify(n);
      const timestamp = String((o.now ?? Date.now)());
      const headers: Record<string, string> = {
        ...channel.headers,
        'content-type': 'application/json',
        'user-agent': 'auditlog-alerts/1',
        [DELIVERY_HEADER]: o.deliveryId,
        [TIMESTAMP_HEADER]: timestamp,
      };
      if (channel.secret) headers[SIGNATURE_HEADER] = signBody(channel.secret, timestamp, body);
      return post(channel.url, headers, body, o.timeoutMs ?? 10_000, o.egress ?? DEFAULT_EGRESS);
    }
    case 'slack': {
      const { title, body } = renderText(n);
      const text = `*${escapeSlack(title)}*\n${escapeSlack(body)}`;
      return post(
        channel.url,
        { 'content-type': 'application/json', 'user-agent': 'auditlog-alerts/1' },
        JSON.stringify({ text }),
        o.timeoutMs ?? 10_000,
        o.egress ?? DEFAULT_EGRESS,
      );
    }
    case 'email': {
      if (!o.smtp) throw new DeliveryError('no SMTP server is configured (set the SMTP settings of the server)', false);
      const { title, body } = renderText(n, { maxEvents: 10 });
      const transport = nodemailer.createTransport({
        host: o.smtp.host,
        port: o.smtp.port,
        secure: o.smtp.secure ?? false,
        ...(o.smtp.user ? { auth: { user: o.smtp.user, pass: o.smtp.password ?? '' } } : {}),
        connectionTimeout: o.timeoutMs ?? 10_000,
        greetingTimeout: o.timeoutMs ?? 10_000,
        socketTimeout: o.timeoutMs ?? 10_000,
        ...(o.smtp.allowInvalidCertificates ? { tls: { rejectUnauthorized: false } } : {}),
      });
      try {
        await transport.sendMail({
          from: o.smtp.from,
          to: channel.to,
          subject: title,
          text: body,
          headers: { 'X-Auditlog-Delivery': o.deliveryId },
        });
      } catch (err) {
        const e = err as { message?: string; responseCode?: number };
        // 5xx SMTP replies are permanent (bad recipient, rejected sender); the rest may pass later.
        throw new DeliveryError(`SMTP: ${e.message ?? String(err)}`, !(e.responseCode && e.responseCode >= 500));
      } finally {
        transport.close();
      }
      return;
    }
  }
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * POSTs over node:http(s) rather than fetch, because the connection must go to the address the
 * egress policy checked: its `lookup` resolves and checks the name, and the socket connects to
 * what it returned. No redirects: a webhook that moved is a configuration to fix, and following
 * one could carry the signed body somewhere the team never chose (or somewhere private).
 */
export async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number, egress: EgressPolicy): Promise<void> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) {
    const why = egress.refusal(host);
    if (why) throw new DeliveryError(`POST ${safeUrl(url)}: refused, ${why} (${ALLOW_HINT})`, false);
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const { status, retryAfter } = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: egress.lookup,
        // One connection per delivery: nothing pooled outlives the check that let it open.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        // Only the status matters; the body is drained so the socket can close.
        res.resume();
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      },
    );
    req.on('error', reject);
    req.end(body);
  }).catch((err: unknown) => {
    if (err instanceof TargetRefusedError) throw new DeliveryError(`POST ${safeUrl(url)}: refused, ${err.message} (${ALLOW_HINT})`, false);
    const e = err as { name?: string; code?: string; message?: string };
    const what = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (e.code ?? e.message ?? String(err));
    throw new DeliveryError(`POST ${safeUrl(url)}: ${what}`);
  });
  if (status >= 200 && status < 300) return;
  if (status >= 300 && status < 400) throw new DeliveryError(`POST ${safeUrl(url)}: HTTP ${status}, a redirect (not followed; update the URL)`, false);
  const retryable = status >= 500 || status === 408 || status === 429;
  throw new DeliveryError(`POST ${safeUrl(url)}: HTTP ${status}`, retryable, retryAfterMs(retryAfter));
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A URL for logs and history: no path or query, which may hold a token (Slack). */
function safeUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the webhook';
  }
}
