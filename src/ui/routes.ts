/**
 * The web page's server side: the HTML document for every page route, the bundled assets, and
 * the session endpoints (sign in with a key, who am I, sign out). Every answer carries a strict
 * Content-Security-Policy: scripts, styles and connections from this origin only, nothing
 * inline, no frames.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { keyPrefix } from '../http/auth.ts';
import { type AuthRefusals, countRefusal, refuseWhileLimited } from '../http/auth-refusals.ts';
import { clientAddress } from '../http/client-address.ts';
import type { AppEnv } from '../http/context.ts';
import type { AddressSet } from '../net/cidr.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { Principal } from '../teams/model.ts';
import type { Session } from '../teams/session-store.ts';
import { loadBundle } from './bundle.ts';
import { clearSessionCookie, isSecureRequest, readSessionToken, setSessionCookie } from './cookies.ts';
import { CSRF_HEADER } from './session-auth.ts';
import { csrfMatches, type SessionService, SignInRefused } from './sessions.ts';
import { FAVICON_SVG, shellHtml } from './shell.ts';

export interface UiDeps {
  sessions: SessionService;
  /** AUDITLOG_BASE_URL: an https base makes the cookie Secure. */
  baseUrl?: string | undefined;
}

/** Paths the page's router renders; each answers the same HTML document. */
export const PAGE_PATHS = ['/', '/signin', '/search', '/history', '/saved', '/alerts', '/alerts/*', '/events/*'];

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  manifestSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
};

const security = secureHeaders({
  contentSecurityPolicy: CONTENT_SECURITY_POLICY,
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
});

const SignInBody = z.object({ key: z.string().min(1).max(512) });

export interface SessionView {
  team: string;
  role: string;
  keyId: string;
  csrfToken: string;
  expiresAt: string;
  csrfHeader: string;
}

const view = (s: Session): SessionView => ({
  team: s.team,
  role: s.role,
  keyId: s.keyId,
  csrfToken: s.csrfToken,
  expiresAt: new Date(s.expiresAt).toISOString(),
  csrfHeader: CSRF_HEADER,
});

export interface UiRouteDeps {
  audit: AuditTrail;
  /** The API's own: a sign-in with a wrong key is one more guess. */
  refusals: AuthRefusals;
  trustedProxies?: AddressSet | undefined;
}

export function registerUiRoutes(app: OpenAPIHono<AppEnv>, ui: UiDeps, deps: UiRouteDeps) {
  const { sessions } = ui;
  for (const path of [...PAGE_PATHS, '/ui/*', '/assets/*', '/favicon.svg']) app.use(path, security);

  const record = async (c: Context<AppEnv>, principal: Principal, status: number) => {
    try {
      await deps.audit.record({
        principal,
        method: c.req.method,
        path: c.req.path,
        query: {},
        status,
        requestId: c.get('requestId'),
        userAgent: c.req.header('user-agent'),
      });
    } catch (err) {
      c.get('logger').error({ err }, 'could not record the sign-in in the audit trail');
    }
  };

  for (const path of PAGE_PATHS) {
    app.get(path, async (c) => {
      const bundle = await loadBundle().catch((err: unknown) => {
        c.get('logger').error({ err }, 'could not build the page bundle');
        throw new AppError('INTERNAL', 'the web page could not be built; the API works; see the server log');
      });
      c.header('Cache-Control', 'no-store');
      return c.html(shellHtml(bundle));
    });
  }

  app.get('/assets/:name', async (c) => {
    const asset = (await loadBundle()).byName.get(c.req.param('name'));
    if (!asset) throw new AppError('NOT_FOUND', `no asset ${c.req.param('name')}`);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    c.header('ETag', asset.etag);
    c.header('Content-Type', asset.contentType);
    c.header('Vary', 'Accept-Encoding');
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('Content-Encoding', 'gzip');
      return c.body(new Uint8Array(asset.gzip));
    }
    return c.body(new Uint8Array(asset.body));
  });

  app.get('/favicon.svg', (c) => {
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(FAVICON_SVG, 200, { 'Content-Type': 'image/svg+xml' });
  });

  // Sign in: the key goes in a JSON body (a cross-site form cannot send JSON without CORS,
  // which this server never allows) and a cross-origin Origin is refused: no login CSRF.
  app.post('/ui/session', bodyLimit({ maxSize: 4096, onError: () => { throw new AppError('PAYLOAD_TOO_LARGE', 'the sign-in body is limited to 4096 bytes'); } }), async (c) => {
    c.header('Cache-Control', 'no-store');
    checkSameOrigin(c);
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the key as JSON: {"key": "alk_…"}');
    }
    const ip = clientAddress(c, deps.trustedProxies);
    refuseWhileLimited(deps.refusals, ip);
    const parsed = SignInBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'field key: the API key to sign in with is required', { field: 'key' });
    // A session the browser still had ends here: a sign-in never continues an old session.
    await sessions.signOut(readSessionToken(c));
    const { token, session } = await sessions.signIn(parsed.data.key).catch(async (err: unknown) => {
      if (err instanceof SignInRefused) await countRefusal(c, deps.refusals, ip, err.reason, keyPrefix(parsed.data.key.trim()));
      throw err;
    });
    const secure = isSecureRequest(c, ui.baseUrl);
    setSessionCookie(c, token, Math.floor(sessions.ttlMs / 1000), secure);
    const resolved = await sessions.resolve(token);
    if (resolved) await record(c, resolved.principal, 200);
    return c.json(view(session), 200);
  });

  // 200 either way: "not signed in" is an answer, not an error, for the page that asks.
  app.get('/ui/session', async (c) => {
    c.header('Cache-Control', 'no-store');
    const resolved = await sessions.resolve(readSessionToken(c));
    return c.json({ session: resolved ? view(resolved.session) : null }, 200);
  });

  app.delete('/ui/session', async (c) => {
    c.header('Cache-Control', 'no-store');
    const token = readSessionToken(c);
    const resolved = await sessions.resolve(token);
    if (resolved) {
      if (!csrfMatches(resolved.session, c.req.header(CSRF_HEADER))) {
        throw new AppError('FORBIDDEN', "missing or wrong CSRF token: send the session's token in the X-CSRF-Token header");
      }
      await sessions.signOut(token);
      await record(c, resolved.principal, 204);
    }
    clearSessionCookie(c, isSecureRequest(c, ui.baseUrl));
    return c.body(null, 204);
  });
}

/** A browser's Origin, when it sends one, must be this server's host. */
function checkSameOrigin(c: Context): void {
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new AppError('FORBIDDEN', 'cross-origin sign-in is not allowed');
  }
  if (host !== (c.req.header('x-forwarded-host') ?? c.req.header('host'))) {
    throw new AppError('FORBIDDEN', 'cross-origin sign-in is not allowed');
  }
}
