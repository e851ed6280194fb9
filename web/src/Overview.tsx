import { useApi } from './useApi';

interface Alert {
  id: number;
  summary: string;
  service: string | null;
  severity: string;
  status: string;
}
interface Remediation {
  id: number;
  runbook: string;
  target: string;
  status: string;
  reason: string;
}
interface Incident {
  id: number;
  title: string;
  status: string;
  service: string | null;
}
interface OnCall {
  schedule: string;
  team: string;
  user: string;
  shadowing?: string;
}
interface Pool {
  name: string;
  inService: number;
  capacity: number;
  provisioning: number;
  outOfService: number;
}

const IN_FLIGHT = ['pending', 'awaiting_approval', 'running', 'verifying'];

function byService(alerts: Alert[]): Array<[string, Alert[]]> {
  const groups = new Map<string, Alert[]>();
  for (const a of alerts) {
    const key = a.service ?? '(no service)';
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups].sort((x, y) => y[1].length - x[1].length);
}

/** What an on-call engineer looks at first: what is firing, what automation is doing, who is on call, how the fleet is. */
export function Overview() {
  const alerts = useApi<{ alerts: Alert[] }>('/api/v1/alerts?status=firing&limit=500', 5000, ['alert', 'silence']);
  const remediations = useApi<{ remediations: Remediation[] }>('/api/v1/remediations', 5000, ['remediation']);
  const incidents = useApi<{ incidents: Incident[] }>('/api/v1/incidents', 5000, ['incident']);
  const oncall = useApi<{ oncall: OnCall[] }>('/api/v1/oncall', 30_000);
  const pools = useApi<{ pools: Pool[] }>('/api/v1/pools', 5000, ['host']);
  const automation = useApi<{ paused: boolean; changedBy: string | null; reason: string | null }>('/api/v1/automation', 5000, ['automation']);

  const firing = alerts.data?.alerts ?? [];
  const inFlight = (remediations.data?.remediations ?? []).filter((r) => IN_FLIGHT.includes(r.status));
  const open = (incidents.data?.incidents ?? []).filter((i) => i.status !== 'resolved');

  return (
    <div className="grid">
      <section aria-labelledby="h-automation" className={automation.data?.paused ? 'card warn' : 'card'}>
        <h2 id="h-automation">Automation</h2>
        <p data-testid="automation-state">{automation.data ? (automation.data.paused ? `Paused by ${automation.data.changedBy}: ${automation.data.reason}` : 'Running') : '…'}</p>
      </section>
      <section aria-labelledby="h-firing" className="card">
        <h2 id="h-firing">Firing alerts ({firing.length})</h2>
        {firing.length === 0 ? <p>Nothing is firing.</p> : null}
        <ul data-testid="firing-by-service">
          {byService(firing).map(([service, list]) => (
            <li key={service}>
              <a href={service === '(no service)' ? '#/alerts?status=firing' : `#/alerts?status=firing&service=${encodeURIComponent(service)}`}>
                <strong>{service}</strong>
              </a>
              : {list.length} — {list.slice(0, 3).map((a) => a.summary).join('; ')}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="h-remediations" className="card">
        <h2 id="h-remediations">Remediations in flight ({inFlight.length})</h2>
        {remediations.data && inFlight.length === 0 ? <p>Automation is not acting on anything.</p> : null}
        <ul data-testid="remediations-in-flight">
          {inFlight.map((r) => (
            <li key={r.id}>
              <a href={`#/remediations/${r.id}`}>
                #{r.id} {r.runbook} on {r.target}
              </a>
              : {r.status} ({r.reason})
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="h-incidents" className="card">
        <h2 id="h-incidents">Open incidents ({open.length})</h2>
        {incidents.data && open.length === 0 ? <p>No open incidents.</p> : null}
        <ul data-testid="open-incidents">
          {open.map((i) => (
            <li key={i.id}>
              <a href={`#/incidents/${i.id}`}>
                #{i.id} [{i.status}] {i.title}
              </a>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="h-oncall" className="card">
        <h2 id="h-oncall">On call now</h2>
        <ul data-testid="oncall-now">
          {(oncall.data?.oncall ?? []).map((o) => (
            <li key={`${o.schedule}-${o.user}`}>
              {o.team}: <strong>{o.user}</strong> ({o.schedule}){o.shadowing ? `, shadowing ${o.shadowing}` : ''}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="h-fleet" className="card">
        <h2 id="h-fleet">Fleet</h2>
        <table data-testid="fleet-pools">
          <thead>
            <tr>
              <th scope="col">pool</th>
              <th scope="col">in service</th>
              <th scope="col">out</th>
            </tr>
          </thead>
          <tbody>
            {(pools.data?.pools ?? []).map((p) => (
              <tr key={p.name} className={p.inService < p.capacity ? 'warn' : ''}>
                <td>{p.name}</td>
                <td>
                  {p.inService} / {p.capacity}
                </td>
                <td>{p.outOfService + p.provisioning}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
