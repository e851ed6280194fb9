import { ChaosJournal } from './ChaosJournal';
import { ChaosReport } from './ChaosReport';
import { runOutcome, type ChaosRunSummary } from './ChaosRunList';
import { useApi } from './useApi';
import { when } from './when';

/** GET /api/v1/chaos/runs/:id (src/chaos/chaosRunView.ts): the run, its journal as PUT, and the faults it injected. */
interface ChaosRunDetail extends ChaosRunSummary {
  journal: unknown;
  faults: Array<{ id: number; kind: string; target: unknown; injectedAt: string; revertedAt: string | null; revertedBy: string | null }>;
}

/** A fault's target (a host, a proxy and its toxic) on one line. */
const targetText = (t: unknown) => (typeof t === 'object' && t !== null ? Object.entries(t).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ') : String(t));

/** What the run broke and when each fault was undone: a fault with no revert is still in place. */
function ChaosRunFaults({ faults }: { faults: ChaosRunDetail['faults'] }) {
  if (faults.length === 0) return <p>This run injected no faults through prodeng.</p>;
  return (
    <div className="scroll">
      <table data-testid="chaos-run-faults">
        <caption>Faults</caption>
        <thead>
          <tr>
            <th scope="col">fault</th>
            <th scope="col">target</th>
            <th scope="col">injected</th>
            <th scope="col">reverted</th>
          </tr>
        </thead>
        <tbody>
          {faults.map((f) => (
            <tr key={f.id} className={f.revertedAt ? undefined : 'failing'}>
              <td>
                #{f.id} {f.kind}
              </td>
              <td>{targetText(f.target)}</td>
              <td>{when(f.injectedAt)}</td>
              <td>{f.revertedAt ? `${when(f.revertedAt)} by ${f.revertedBy ?? 'unknown'}` : 'not reverted: still in place'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** #/chaos/runs/:id: one run, what it injected, its journal and, when there is one, its report. */
export function ChaosRunPage({ id }: { id: string }) {
  const { data: run, error } = useApi<ChaosRunDetail>(`/api/v1/chaos/runs/${encodeURIComponent(id)}`, 5000);
  if (error) return <p className="error">{error.message}</p>;
  if (!run) return <p>Loading…</p>;
  return (
    <>
      <section className="card" aria-labelledby="h-chaos-run">
        <p>
          <a href="#/chaos">← Chaos</a>
        </p>
        <h2 id="h-chaos-run">
          Run #{run.id}: {run.title}
        </h2>
        <p data-testid="chaos-run-status">
          <strong className={run.deviated || run.status === 'failed' ? 'badge failing' : undefined}>{runOutcome(run)}</strong>
          {run.kind ? ` · ${run.kind}` : ''}
          {run.service ? ` · service ${run.service}` : ''} · started by {run.startedBy} <time dateTime={run.startedAt}>{when(run.startedAt)}</time>
          {run.endedAt ? (
            <>
              , ended <time dateTime={run.endedAt}>{when(run.endedAt)}</time>
            </>
          ) : (
            ', still running'
          )}
        </p>
        <ChaosRunFaults faults={run.faults} />
      </section>
      <section className="card" aria-labelledby="h-chaos-journal">
        <h2 id="h-chaos-journal">Journal</h2>
        <ChaosJournal journal={run.journal} />
      </section>
      <ChaosReport runId={run.id} version={`${run.status}:${run.endedAt ?? ''}`} />
    </>
  );
}
