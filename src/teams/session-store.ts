/**
 * Sign-in sessions of the web page (src/ui/sessions.ts): control state, so they live beside
 * teams and keys in the same backend and every instance behind a load balancer sees the same
 * sessions, and a sign-out on one is a sign-out on all.
 */
import { z } from 'zod';
import { TeamId } from '../events/event.ts';
import { Role } from './model.ts';

export const Session = z.object({
  /** SHA-256 (hex) of the cookie's token: a copy of the store gives no usable session. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  team: TeamId,
  /** The API key the session was opened with; the session ends when the key is revoked. */
  keyId: z.string(),
  role: Role,
  /** Sent back in X-CSRF-Token on every state-changing call. */
  csrfToken: z.string(),
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
});
export type Session = z.infer<typeof Session>;

export interface SessionStore {
  insert(session: Session): Promise<void>;
  get(id: string): Promise<Session | null>;
  /** Marks a session revoked; false when there is no such live session. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Removes sessions that expired before `before`; returns how many. */
  deleteExpired(before: number): Promise<number>;
}
