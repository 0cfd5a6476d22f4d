/**
 * Authentication and authorization. The team of a request comes only from its key, never
 * from the body or the query string.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { AddressSet } from '../net/cidr.ts';
import { actorContext } from '../audit/trail.ts';
import { parseKey } from '../teams/keys.ts';
import type { AuthFailure, TeamService } from '../teams/service.ts';
import { type AuthRefusals, countRefusal, refuseWhileLimited } from './auth-refusals.ts';
import { clientAddress } from './client-address.ts';
import type { AppEnv } from './context.ts';

function presentedKey(header: (name: string) => string | undefined): string | null {
  const auth = header('authorization');
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw new AppError('UNAUTHORIZED', 'Authorization header must be "Bearer <api key>"');
    return m[1]!;
  }
  return header('x-api-key')?.trim() || null;
}

export interface AuthenticateOptions {
  teams: TeamService;
  /** Refuses an address after too many failures (429 with Retry-After) and records each. */
  refusals: AuthRefusals;
  trustedProxies?: AddressSet;
}

/** The public part of a presented key, safe to keep: a team key's id, or the operator key's fixed prefix. */
export function keyPrefix(presented: string | null): string | null {
  if (!presented) return null;
  const parsed = parseKey(presented);
  if (parsed) return `alk_${parsed.id}`;
  return presented.startsWith('alop_') ? 'alop_' : null;
}

export function authenticate(o: AuthenticateOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ip = clientAddress(c, o.trustedProxies);
    c.set('clientIp', ip);
    refuseWhileLimited(o.refusals, ip);

    const refuse = async (reason: AuthFailure, presented: string | null, error: AppError): Promise<never> => {
      await countRefusal(c, o.refusals, ip, reason, keyPrefix(presented));
      throw error;
    };

    let presented: string | null;
    try {
      presented = presentedKey((n) => c.req.header(n));
    } catch (err) {
      return refuse('malformed_header', null, err as AppError);
    }
    if (!presented) {
      return refuse('missing', null, new AppError('UNAUTHORIZED', 'missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"'));
    }
    const result = await o.teams.identify(presented);
    if ('failure' in result) return refuse(result.failure, presented, new AppError('UNAUTHORIZED', 'invalid or revoked API key'));
    c.set('principal', result.principal);
    // The services record who changed what from this context (src/audit/trail.ts).
    await actorContext.run({ via: 'api', principal: result.principal, requestId: c.get('requestId'), ...(ip ? { ip } : {}) }, () => next());
  };
}
