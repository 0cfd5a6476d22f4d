/**
 * What every door that takes a secret shares (API keys, the page's sign-in, the /metrics
 * token): an address over its failure limit is refused before its secret is looked at, and
 * each failure counts against the address and goes to the audit trail. One limiter for all of
 * them, because they are guesses from the same address, often at the same secrets.
 */
import type { Context } from 'hono';
import type { FailedAuthentication } from '../audit/trail.ts';
import { RateLimitedError } from '../errors.ts';
import type { FailedAuthLimiter } from './auth-limiter.ts';
import type { AppEnv } from './context.ts';

export interface AuthRefusals {
  limiter?: FailedAuthLimiter | undefined;
  /** Writes a refusal to the audit trail; when that fails the client still gets its 401. */
  record?: ((failure: FailedAuthentication) => Promise<void>) | undefined;
}

/** Throws 429 with Retry-After while `ip` is over its limit. */
export function refuseWhileLimited(refusals: AuthRefusals, ip: string | undefined): void {
  const wait = ip && refusals.limiter ? refusals.limiter.retryAfterSeconds(ip) : 0;
  if (wait > 0) throw new RateLimitedError(`too many failed authentications from this address; retry in ${wait} s`, wait);
}

/**
 * Counts one failure of `ip` and records it. The caller answers 401 after this. `keyPrefix` is
 * the public part of what was presented (never the secret), or null.
 */
export async function countRefusal(
  c: Context<AppEnv>,
  refusals: AuthRefusals,
  ip: string | undefined,
  reason: string,
  keyPrefix: string | null,
): Promise<void> {
  const limited = ip !== undefined && refusals.limiter !== undefined && refusals.limiter.fail(ip);
  const base = { reason, keyPrefix, method: c.req.method, path: c.req.path, requestId: c.get('requestId'), ...(ip ? { ip } : {}), userAgent: c.req.header('user-agent') };
  try {
    await refusals.record?.({ ...base, status: 401 });
    // Once per window: the refusals that follow are not written, so a flood costs no writes.
    if (limited) await refusals.record?.({ ...base, status: 429 });
  } catch (err) {
    c.get('logger').error({ err }, 'could not record a failed authentication in the audit trail');
  }
}
