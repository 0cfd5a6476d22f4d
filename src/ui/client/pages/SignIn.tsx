/** Sign in with an API key (read or admin); the key is exchanged for a session cookie and forgotten. */
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { navigate } from '../router.ts';
import { signIn } from '../session.ts';

export function SignInPage({ next }: { next: string | null }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
      setKey('');
      // Only a path of this site: `next` comes from the URL.
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/search', { replace: true });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'could not reach the server');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="signin">
      <form class="panel" onSubmit={submit}>
        <h1>
          <span class="logo" aria-hidden="true" /> auditlog
        </h1>
        <p class="muted">Sign in with a read or admin API key of your team. The key is exchanged for a session; it is not stored in the browser.</p>
        <label for="key">API key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          placeholder="alk_…"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
          autofocus
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">
          <code>./dev.sh start</code> prints a key for the demo team.
        </p>
      </form>
    </div>
  );
}
