/**
 * The page's router: the URL is the state (path + query), so a link or a reload reproduces a
 * view. `navigate` pushes (or replaces) a history entry; components re-render on change.
 */
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();

export interface Loc {
  path: string;
  params: URLSearchParams;
  href: string;
}

const current = (): Loc => ({ path: location.pathname, params: new URLSearchParams(location.search), href: location.pathname + location.search });

window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(href: string, { replace = false } = {}): void {
  if (href === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.scrollTo(0, 0);
  listeners.forEach((l) => l());
}

export function useLocation(): Loc {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const l = () => setLoc(current());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return loc;
}

/** A plain link that navigates in-page on a plain left click (new tab and copy link still work). */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest('a');
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
  if (a.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}

export const href = (path: string, params: Record<string, string | undefined | null> = {}): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `${path}?${s}` : path;
};
