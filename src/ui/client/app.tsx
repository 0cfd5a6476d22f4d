/** The page frame: top bar, the view the URL names, and the sign-in gate. */
import { useEffect } from 'preact/hooks';
import { whenUnauthorized } from './api.ts';
import { AlertDetailPage } from './pages/AlertDetail.tsx';
import { AlertEditPage } from './pages/AlertEdit.tsx';
import { AlertsPage } from './pages/Alerts.tsx';
import { EventPage } from './pages/Event.tsx';
import { HistoryPage } from './pages/History.tsx';
import { SavedPage } from './pages/Saved.tsx';
import { SearchPage } from './pages/Search.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { href, navigate, onLinkClick, useLocation } from './router.ts';
import { isAdmin, loadSession, sessionEnded, signOut, useSession } from './session.ts';

whenUnauthorized(sessionEnded);
void loadSession();

export function App() {
  const loc = useLocation();
  const s = useSession();

  useEffect(() => {
    // The live location, not this render's: a navigation may have happened since (sign-out).
    const path = location.pathname;
    if (s.status === 'signed-out' && path !== '/signin') {
      navigate(href('/signin', { next: path === '/' ? undefined : path + location.search }), { replace: true });
    } else if (s.status === 'signed-in' && path === '/') {
      navigate('/search', { replace: true });
    }
  }, [s.status, loc.href]);

  if (loc.path === '/signin') return <SignInPage next={loc.params.get('next')} />;
  if (s.status !== 'signed-in') return <div class="boot">Loading…</div>;
  const session = s.session;
  const admin = isAdmin(session);
  const section = loc.path.split('/')[1] ?? '';

  let page;
  const alert = /^\/alerts\/([^/]+)(\/edit)?$/.exec(loc.path);
  if (loc.path === '/search') page = <SearchPage loc={loc} session={session} />;
  else if (loc.path.startsWith('/events/')) page = <EventPage id={decodeURIComponent(loc.path.slice('/events/'.length))} session={session} />;
  else if (loc.path === '/history') page = <HistoryPage loc={loc} />;
  else if (loc.path === '/saved') page = <SavedPage session={session} />;
  else if (loc.path === '/alerts' || alert) {
    if (!admin) page = <NeedsAdmin />;
    else if (loc.path === '/alerts') page = <AlertsPage />;
    else if (alert![1] === 'new') page = <AlertEditPage id={null} loc={loc} />;
    else if (alert![2]) page = <AlertEditPage id={decodeURIComponent(alert![1]!)} loc={loc} />;
    else page = <AlertDetailPage id={decodeURIComponent(alert![1]!)} />;
  } else page = <div class="panel empty">No page at {loc.path}. <a href="/search">Search events</a></div>;

  return (
    <div class="frame" onClick={onLinkClick}>
      <header class="topbar">
        <a class="brand" href="/search">
          <span class="logo" aria-hidden="true" />
          auditlog
        </a>
        <nav>
          <a href="/search" class={section === 'search' || section === 'events' || section === 'history' ? 'active' : ''}>
            Search
          </a>
          <a href="/saved" class={section === 'saved' ? 'active' : ''}>
            Saved searches
          </a>
          {admin && (
            <a href="/alerts" class={section === 'alerts' ? 'active' : ''} data-admin>
              Alerts
            </a>
          )}
        </nav>
        <div class="who">
          <span title={`key ${session.keyId}`}>
            team <b>{session.team}</b> · <span class={`role role-${session.role}`}>{session.role}</span>
          </span>
          <button
            type="button"
            class="link"
            onClick={async () => {
              await signOut();
              navigate('/signin', { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main>{page}</main>
    </div>
  );
}

function NeedsAdmin() {
  return <div class="panel empty">Alert rules are managed with an admin key. Sign in with your team's admin key to see them.</div>;
}
