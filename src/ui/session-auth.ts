/**
 * Authentication by the web page's session cookie, beside the bearer-key authentication of
 * src/http/auth.ts: a request without a key header but with a session cookie is the page
 * calling the API. The session gives the principal of the key it was opened with; every
 * state-changing call must also carry the session's CSRF token in X-CSRF-Token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import { clientAddress } from '../http/client-address.ts';
import type { AppEnv } from '../http/context.ts';
import type { AddressSet } from '../net/cidr.ts';
import { actorContext } from '../audit/trail.ts';
import { hasSessionCookie, readSessionToken } from './cookies.ts';
import { csrfMatches, type SessionService } from './sessions.ts';

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when the request should be authenticated by its session: a cookie and no key header. */
export function usesSession(c: Context): boolean {
  return c.req.header('authorization') === undefined && c.req.header('x-api-key') === undefined && hasSessionCookie(c);
}

export function sessionAuthentication(sessions: SessionService, o: { trustedProxies?: AddressSet | undefined } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ip = clientAddress(c, o.trustedProxies);
    c.set('clientIp', ip);
    const resolved = await sessions.resolve(readSessionToken(c));
    if (!resolved) throw new AppError('UNAUTHORIZED', 'your session has expired or was signed out; sign in again');
    if (!SAFE_METHODS.has(c.req.method) && !csrfMatches(resolved.session, c.req.header(CSRF_HEADER))) {
      throw new AppError('FORBIDDEN', 'missing or wrong CSRF token: send the session\'s token in the X-CSRF-Token header');
    }
    c.set('principal', resolved.principal);
    // The services record who changed what from this context, as for a key (src/http/auth.ts).
    await actorContext.run({ via: 'api', principal: resolved.principal, requestId: c.get('requestId'), ...(ip ? { ip } : {}) }, () => next());
  };
}
