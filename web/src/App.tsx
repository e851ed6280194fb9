import { useState } from 'react';
import { setSessionToken } from './api';
import { Overview } from './Overview';
import { useApi } from './useApi';

/** Asks for an API token when the server wants one; it is kept for this browser session only. */
function TokenForm({ onSaved }: { onSaved(): void }) {
  const [token, setToken] = useState('');
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        setSessionToken(token.trim());
        onSaved();
      }}
    >
      <h2>Sign in</h2>
      <label>
        API token <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoFocus />
      </label>
      <button type="submit">Use token</button>
    </form>
  );
}

export function App() {
  const probe = useApi<unknown>('/api/v1/automation', 10_000);
  const [, refresh] = useState(0);
  return (
    <>
      <header>
        <h1>prodeng</h1>
        <nav aria-label="main">
          <a href="#/">Overview</a>
        </nav>
      </header>
      <main>{probe.error?.status === 401 ? <TokenForm
            onSaved={() => {
              refresh((n) => n + 1);
              probe.reload();
            }}
          /> : <Overview />}</main>
    </>
  );
}
