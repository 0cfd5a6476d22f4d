/**
 * The session cookie: HttpOnly (scripts never see the token), SameSite=Strict (no other site
 * can make the browser send it), Path=/, a Max-Age equal to the session's life, and Secure
 * with the `__Host-` prefix whenever the page is served over TLS (directly, behind a proxy that
 * says X-Forwarded-Proto: https, or when AUDITLOG_BASE_URL is https).
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'auditlog_session';

export function isSecureRequest(c: Context, baseUrl: string | undefined): boolean {
  if (baseUrl?.startsWith('https:')) return true;
  if (new URL(c.req.url).protocol === 'https:') return true;
  return c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** The session token the browser sent, under either cookie name. */
export function readSessionToken(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE, 'host') ?? getCookie(c, SESSION_COOKIE);
}

export function hasSessionCookie(c: Context): boolean {
  return readSessionToken(c) !== undefined;
}

export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: maxAgeSeconds,
    ...(secure ? { secure: true, prefix: 'host' as const } : {}),
  });
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, SESSION_COOKIE, { httpOnly: true, sameSite: 'Strict', path: '/', ...(secure ? { secure: true, prefix: 'host' as const } : {}) });
}
