/**
 * Sign-in for the web page: an API key (read or admin role) is exchanged for a session whose
 * random token goes in an HttpOnly cookie (src/ui/cookies.ts). The key itself never reaches
 * the browser's storage. Sessions expire, can be revoked (sign-out), and end when their key
 * is revoked; each carries its own CSRF token. Knows nothing of HTTP.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { ControlStore } from '../teams/control-store.ts';
import type { Principal } from '../teams/model.ts';
import type { AuthFailure, TeamService } from '../teams/service.ts';
import type { Session, SessionStore } from '../teams/session-store.ts';

/** 32 random bytes, base64url. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Expired sessions are swept at most this often (on sign-in). */
const SWEEP_EVERY_MS = 3_600_000;

export interface SignedIn {
  /** The cookie value: shown to the browser once, stored only as a hash. */
  token: string;
  session: Session;
}

export interface SessionServiceOptions {
  teams: TeamService;
  control: ControlStore;
  ttlMs: number;
  now?: () => number;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A sign-in with a key that is no key of ours; `reason` goes to the audit trail, never to the client. */
export class SignInRefused extends AppError {
  readonly reason: AuthFailure;
  constructor(reason: AuthFailure) {
    super('UNAUTHORIZED', 'invalid or revoked API key');
    this.reason = reason;
  }
}

export class SessionService {
  readonly #teams: TeamService;
  readonly #control: ControlStore;
  readonly #store: SessionStore;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #lastSweep = 0;

  constructor(o: SessionServiceOptions) {
    this.#teams = o.teams;
    this.#control = o.control;
    this.#store = o.control.sessions;
    this.#ttlMs = o.ttlMs;
    this.#now = o.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /**
   * Opens a new session for a team key that may read. Always a new token, whatever the browser
   * presented before (no session fixation).
   */
  async signIn(presentedKey: string): Promise<SignedIn> {
    const identified = await this.#teams.identify(presentedKey.trim());
    if ('failure' in identified) throw new SignInRefused(identified.failure);
    const { principal } = identified;
    if (principal.kind === 'operator') {
      throw new AppError('FORBIDDEN', "the operator key manages teams and reads no events; sign in with a team's read or admin key");
    }
    if (principal.key.role === 'ingest') {
      throw new AppError('FORBIDDEN', 'an ingest key can only send events; sign in with a read or admin key');
    }
    const now = this.#now();
    const token = randomBytes(32).toString('base64url');
    const session: Session = {
      id: hashToken(token),
      team: principal.key.team,
      keyId: principal.key.id,
      role: principal.key.role,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.#ttlMs,
      revokedAt: null,
    };
    await this.#store.insert(session);
    if (now - this.#lastSweep > SWEEP_EVERY_MS) {
      this.#lastSweep = now;
      await this.#store.deleteExpired(now);
    }
    return { token, session };
  }

  /** The live session of a token and the principal it acts as, or null (unknown, expired, signed out, key revoked). */
  async resolve(token: string | undefined): Promise<{ session: Session; principal: Principal } | null> {
    if (!token || !TOKEN_SHAPE.test(token)) return null;
    const session = await this.#store.get(hashToken(token));
    if (!session || session.revokedAt !== null || session.expiresAt <= this.#now()) return null;
    const key = await this.#control.getKey(session.keyId);
    if (!key || key.revokedAt !== null || key.team !== session.team) return null;
    const { hash: _hash, ...publicKey } = key;
    return { session, principal: { kind: 'key', key: publicKey } };
  }

  /** Revokes the session of a token (sign-out); unknown tokens are ignored. */
  async signOut(token: string | undefined): Promise<void> {
    if (!token || !TOKEN_SHAPE.test(token)) return;
    await this.#store.revoke(hashToken(token), this.#now());
  }
}

/** Compares a presented CSRF token with the session's in constant time. */
export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
