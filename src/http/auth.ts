/**
 * Authentication and authorization. The team of a request comes only from its key, never
 * from the body or the query string.
 */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.ts';
import type { TeamService } from '../teams/service.ts';
import { type Principal, type Role, roleAllows } from '../teams/model.ts';
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

export function authenticate(teams: TeamService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = presentedKey((n) => c.req.header(n));
    if (!key) throw new AppError('UNAUTHORIZED', 'missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    const principal = await teams.authenticate(key);
    if (!principal) throw new AppError('UNAUTHORIZED', 'invalid or revoked API key');
    c.set('principal', principal);
    await next();
  };
}

/** The team whose data a key may touch, if its role allows `need`. */
export function teamOf(principal: Principal, need: Role): string {
  if (principal.kind === 'operator') {
    throw new AppError('FORBIDDEN', 'the operator key manages teams; use a team API key to reach events');
  }
  if (!roleAllows(principal.key.role, need)) {
    throw new AppError('FORBIDDEN', `this key has role "${principal.key.role}"; this call needs "${need}"`);
  }
  return principal.key.team;
}

export function requireOperator(principal: Principal): void {
  if (principal.kind !== 'operator') throw new AppError('FORBIDDEN', 'this call needs the operator key');
}
