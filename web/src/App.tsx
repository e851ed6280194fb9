import { useState } from 'react';
import { setSessionToken } from './api';
import { Overview } from './Overview';
import { IncidentList, IncidentPage } from './Incidents';
import { Remediations } from './Remediations';
import { useRoute } from './useRoute';
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

function Page({ route }: { route: string[] }) {
  if (route[0] === 'incidents' && route[1]) return <IncidentPage id={route[1]} />;
  if (route[0] === 'incidents') return <IncidentList />;
  if (route[0] === 'remediations') return <Remediations />;
  return <Overview />;
}

export function App() {
  const probe = useApi<unknown>('/api/v1/automation', 10_000);
  const [, refresh] = useState(0);
  const route = useRoute();
  return (
    <>
      <header>
        <h1>prodeng</h1>
        <nav aria-label="main">
          <a href="#/">Overview</a>
          <a href="#/remediations">Remediations</a>
          <a href="#/incidents">Incidents</a>
        </nav>
      </header>
      <main>{probe.error?.status === 401 ? <TokenForm
            onSaved={() => {
              refresh((n) => n + 1);
              probe.reload();
            }}
          /> : <Page route={route} />}</main>
    </>
  );
}
