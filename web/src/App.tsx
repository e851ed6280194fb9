import { useEffect, useState } from 'react';
import { setSessionToken } from './api';
import { AlertList, AlertPage } from './Alerts';
import { Catalog } from './Catalog';
import { Chaos } from './Chaos';
import { ChaosRunPage } from './ChaosRun';
import { Fleet } from './Fleet';
import { IncidentList, IncidentPage } from './Incidents';
import { onLiveChange, onLiveStatus, reconnectLive } from './liveEvents';
import { Oncall } from './Oncall';
import { Overview } from './Overview';
import { PageErrorBoundary } from './PageErrorBoundary';
import { RemediationPage } from './RemediationPage';
import { Remediations } from './Remediations';
import { Reports } from './Reports';
import { ScorecardPage } from './Scorecard';
import { SloList, SloPage } from './Slos';
import { useRoute } from './useRoute';
import { useApi } from './useApi';
import { currentPrincipal, forgetPrincipal, type Principal } from './actor';

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

const PAGES = [
  ['', 'Overview'],
  ['alerts', 'Alerts'],
  ['remediations', 'Remediations'],
  ['incidents', 'Incidents'],
  ['slos', 'SLOs'],
  ['fleet', 'Fleet'],
  ['catalog', 'Catalog'],
  ['chaos', 'Chaos'],
  ['oncall', 'On-call'],
  ['reports', 'Reports'],
] as const;

function Page({ route }: { route: string[] }) {
  const [section, id, sub] = route;
  if (section === 'alerts') return id ? <AlertPage key={id} id={id} /> : <AlertList />;
  if (section === 'incidents') return id ? <IncidentPage key={id} id={id} /> : <IncidentList />;
  if (section === 'remediations') return id ? <RemediationPage key={id} id={id} /> : <Remediations />;
  if (section === 'slos') return id ? <SloPage key={id} name={decodeURIComponent(id)} /> : <SloList />;
  if (section === 'fleet') return <Fleet />;
  // #/catalog/:service is one service's entry and scorecard; #/catalog all of them.
  if (section === 'catalog') return id ? <ScorecardPage key={id} service={decodeURIComponent(id)} /> : <Catalog />;
  // #/chaos/runs/:id is one run; #/chaos (or anything else under it) the graph and the runs.
  if (section === 'chaos') return id === 'runs' && sub ? <ChaosRunPage key={sub} id={sub} /> : <Chaos />;
  if (section === 'oncall') return <Oncall />;
  if (section === 'reports') return <Reports />;
  return <Overview />;
}

/** Who the token is, beside the live badge; nothing without tokens (one local operator). */
function SignedInAs() {
  const [who, setWho] = useState<Principal | null>(null);
  useEffect(() => {
    void currentPrincipal().then(setWho);
  }, []);
  if (!who || who.via === 'local') return null;
  return (
    <span className="signed-in" data-testid="signed-in" title={`role ${who.role}`}>
      {who.user ?? who.name} · {who.role}
    </span>
  );
}

function LiveIndicator() {
  const [live, setLive] = useState(false);
  useEffect(() => onLiveStatus(setLive), []);
  // Keep the stream open while the console is, whether or not the page shown follows it.
  useEffect(() => onLiveChange(() => undefined), []);
  return (
    <span className={live ? 'live on' : 'live'} data-testid="live" title={live ? 'changes appear as they happen' : 'reconnecting; pages still refresh every few seconds'}>
      {live ? 'live' : 'offline'}
    </span>
  );
}

export function App() {
  const probe = useApi<unknown>('/api/v1/automation', 10_000);
  const route = useRoute();
  const current = (route[0] ?? '').split('?')[0];
  useEffect(() => {
    const name = PAGES.find(([path]) => path === current)?.[1] ?? 'Overview';
    document.title = `${name} · prodeng`;
  }, [current]);
  const needsToken = probe.error?.status === 401;
  return (
    <>
      <header>
        <h1>prodeng</h1>
        <nav aria-label="main">
          {PAGES.map(([path, name]) => (
            <a key={path} href={`#/${path}`} aria-current={current === path ? 'page' : undefined}>
              {name}
            </a>
          ))}
        </nav>
        {needsToken ? null : <SignedInAs />}
        {needsToken ? null : <LiveIndicator />}
      </header>
      <main>
        {needsToken ? (
          <TokenForm
            onSaved={() => {
              forgetPrincipal();
              probe.reload();
              reconnectLive();
            }}
          />
        ) : (
          // A page that throws shows the error in its place; another route starts afresh.
          <PageErrorBoundary key={route.map((p) => p.split('?')[0]).join('/')}>
            <Page route={route.map((p) => p.split('?')[0]!)} />
          </PageErrorBoundary>
        )}
      </main>
    </>
  );
}
