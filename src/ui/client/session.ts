/** Who is signed in: the page's one piece of global state. */
import { useEffect, useState } from 'preact/hooks';
import { api, type SessionInfo, setSession } from './api.ts';

type State = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; session: SessionInfo };

let state: State = { status: 'loading' };
const listeners = new Set<() => void>();

function set(next: State) {
  state = next;
  setSession(next.status === 'signed-in' ? next.session : null);
  listeners.forEach((l) => l());
}

export async function loadSession(): Promise<void> {
  try {
    const { session } = await api.session();
    set(session ? { status: 'signed-in', session } : { status: 'signed-out' });
  } catch {
    set({ status: 'signed-out' });
  }
}

export async function signIn(key: string): Promise<void> {
  set({ status: 'signed-in', session: await api.signIn(key) });
}

export async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } finally {
    set({ status: 'signed-out' });
  }
}

export function sessionEnded(): void {
  set({ status: 'signed-out' });
}

export function useSession(): State {
  const [s, setS] = useState(state);
  useEffect(() => {
    const l = () => setS(state);
    listeners.add(l);
    l();
    return () => void listeners.delete(l);
  }, []);
  return s;
}

export const isAdmin = (s: SessionInfo): boolean => s.role === 'admin';
