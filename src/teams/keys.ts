/**
 * API key format: `alk_<id>_<secret>`. The id finds the record; only a SHA-256 of the secret
 * is stored. A slow hash buys nothing here: the secret is 32 random bytes, not a password.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'alk';
const KEY_SHAPE = /^alk_([0-9a-z]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedSecret {
  id: string;
  /** The whole key, shown to the user once. */
  key: string;
  hash: string;
}

export function issueKey(): IssuedSecret {
  const id = randomBytes(10).toString('hex').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `${PREFIX}_${id}_${secret}`, hash: hashSecret(secret) };
}

export function parseKey(key: string): { id: string; secret: string } | null {
  const m = KEY_SHAPE.exec(key);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
