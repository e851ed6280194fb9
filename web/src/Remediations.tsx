import { useState } from 'react';
import { useActor } from './actor';
import { api, ApiError } from './api';
import { useApi } from './useApi';
import { when } from './when';

interface Remediation {
  id: number;
  runbook: string;
  target: string;
  service: string | null;
  status: string;
  reason: string;
  dryRun: boolean;
  createdAt: string;
}

/** Remediations, newest first, with approve/reject for the waiting ones and the kill switch (asks before it acts). */
export function Remediations() {
  const list = useApi<{ remediations: Remediation[] }>('/api/v1/remediations', 3000, ['remediation']);
  const automation = useApi<{ paused: boolean; changedBy: string | null; reason: string | null }>('/api/v1/automation', 5000, ['automation']);
  const [who, setWho, commitWho] = useActor();
  const [why, setWhy] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const post = async (path: string) => {
    const by = commitWho();
    if (!by || !why.trim()) return setProblem('Say who you are and why first.');
    try {
      await api(path, { method: 'POST', body: { by, reason: why.trim() } });
      setProblem(null);
      list.reload();
      automation.reload();
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : String(e));
    }
  };
  const paused = automation.data?.paused ?? false;
  return (
    <section className="card" aria-labelledby="h-remediations-all">
      <h2 id="h-remediations-all">Remediations</h2>
      <div className="actions">
        <label>
          You are <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="your name" />
        </label>
        <label>
          Why <input value={why} onChange={(e) => setWhy(e.target.value)} placeholder="reason" />
        </label>
        <button
          type="button"
          onClick={() => {
            if (window.confirm(paused ? 'Resume automation? Remediations will act again.' : 'Pause automation? Nothing will act until it is resumed.')) void post(`/api/v1/automation/${paused ? 'resume' : 'pause'}`);
          }}
        >
          {paused ? 'Resume automation' : 'Pause automation'}
        </button>
        <span data-testid="kill-switch">{paused ? `paused by ${automation.data?.changedBy}` : 'automation running'}</span>
      </div>
      {problem ? <p role="alert">{problem}</p> : null}
      {list.data && list.data.remediations.length === 0 ? <p>No remediations yet: when a runbook matches an alert, it shows here.</p> : null}
      <div className="scroll">
        <table data-testid="remediation-list">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">opened</th>
              <th scope="col">status</th>
              <th scope="col">runbook</th>
              <th scope="col">service</th>
              <th scope="col">target</th>
              <th scope="col">reason</th>
              <th scope="col">
                <span className="visually-hidden">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.remediations ?? []).map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={`#/remediations/${r.id}`}>#{r.id}</a>
                </td>
                <td>
                  <time dateTime={r.createdAt}>{when(r.createdAt)}</time>
                </td>
                <td>
                  {r.status}
                  {r.dryRun ? ' (dry run)' : ''}
                </td>
                <td>{r.runbook}</td>
                <td>{r.service ?? '-'}</td>
                <td>{r.target}</td>
                <td>{r.reason}</td>
                <td>
                  {r.status === 'awaiting_approval' ? (
                    <>
                      <button type="button" onClick={() => void post(`/api/v1/remediations/${r.id}/approve`)}>
                        Approve #{r.id}
                      </button>{' '}
                      <button type="button" onClick={() => void post(`/api/v1/remediations/${r.id}/reject`)}>
                        Reject #{r.id}
                      </button>
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
