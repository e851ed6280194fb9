import { useApi } from './useApi';
import { when } from './when';

/** A run as GET /api/v1/chaos/runs lists it (src/chaos/chaosRunView.ts). */
export interface ChaosRunSummary {
  id: number;
  title: string;
  service: string | null;
  /** running, completed, failed, aborted, interrupted or refused */
  status: string;
  deviated: boolean;
  startedBy: string;
  startedAt: string;
  endedAt: string | null;
  /** experiment or sweep, once the server says */
  kind?: string;
}

/** What a run came to, in words: a deviated run is the one to read. */
export const runOutcome = (r: Pick<ChaosRunSummary, 'status' | 'deviated'>) => (r.deviated ? `${r.status}, deviated` : r.status);

/** The newest chaos runs (experiments and sweeps); each links to its journal. */
export function ChaosRunList() {
  const { data, error } = useApi<{ runs: ChaosRunSummary[] }>('/api/v1/chaos/runs', 10_000);
  const runs = data?.runs ?? [];
  return (
    <section className="card" aria-labelledby="h-chaos-runs">
      <h2 id="h-chaos-runs">Runs</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {data && runs.length === 0 ? <p>No chaos runs yet.</p> : null}
      <div className="scroll">
        <table data-testid="chaos-runs">
          <thead>
            <tr>
              <th scope="col">run</th>
              <th scope="col">status</th>
              <th scope="col">service</th>
              <th scope="col">started by</th>
              <th scope="col">started</th>
              <th scope="col">ended</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} className={r.deviated || r.status === 'failed' ? 'failing' : undefined}>
                <td>
                  <a href={`#/chaos/runs/${r.id}`}>
                    #{r.id} {r.title}
                  </a>
                  {r.kind && r.kind !== 'experiment' ? <small> ({r.kind})</small> : null}
                </td>
                <td>{runOutcome(r)}</td>
                <td>{r.service ?? '-'}</td>
                <td>{r.startedBy}</td>
                <td>{when(r.startedAt)}</td>
                <td>{when(r.endedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
