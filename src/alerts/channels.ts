/**
 * Sending one notification to one channel. Each sender throws DeliveryError with a message
 * a person can act on; the deliverer decides about retries.
 */
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Channel } from './model.ts';
import { type Notification, renderText } from './notification.ts';

export class DeliveryError extends Error {
  /** False when retrying cannot help (e.g. 4xx other than 408/429, no SMTP configured). */
  readonly retryable: boolean;
  constructor(message: string, retryable = true) {
    super(message);
    this.name = 'DeliveryError';
    this.retryable = retryable;
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
}

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
      return post(channel.url, headers, body, o.timeoutMs ?? 10_000);
    }
    case 'slack': {
      const { title, body } = renderText(n);
      const text = `*${escapeSlack(title)}*\n${escapeSlack(body)}`;
      return post(channel.url, { 'content-type': 'application/json', 'user-agent': 'auditlog-alerts/1' }, JSON.stringify({ text }), o.timeoutMs ?? 10_000);
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

async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    // No redirects: a webhook that moved is a configuration to fix, and following one could
    // carry the signed body somewhere the team never chose.
    res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const what = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${cause ?? (err as Error).message}`;
    throw new DeliveryError(`POST ${safeUrl(url)}: ${what}`);
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status >= 200 && res.status < 300) return;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new DeliveryError(`POST ${safeUrl(url)}: HTTP ${res.status}`, retryable);
}

/** A URL for logs and history: no path or query, which may hold a token (Slack). */
function safeUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the webhook';
  }
}
