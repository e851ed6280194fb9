import { useState } from 'react';
import { api, ApiError } from './api';
import { useActor } from './actor';
import { when } from './when';
import { useApi } from './useApi';

interface Step {
  name: string;
  action: string;
  risk: string;
  params: Record<string, unknown>;
}
interface GateDecision {
  gate: string;
  verdict: string;
  reason: string;
}
interface AuditEntry {
  id: number;
  at: string;
  kind: string;
  message: string;
  alertId: number | null;
  data: { decisions?: GateDecision[]; output?: unknown; ok?: boolean; error?: string } & Record<string, unknown>;
}
interface RemediationDetail {
  id: number;
  runbook: string;
  target: string;
  service: string | null;
  status: string;
  reason: string;
  dryRun: boolean;
  alertIds: number[];
  manualMinutes: number;
  createdAt: string;
  finishedAt: string | null;
  plan: { steps: Step[]; onFailure: Step[]; scope: string | null } | null;
  timeline: AuditEntry[];
}

/** The latest gate check: what each safety gate said, and why. */
function GateVerdicts({ timeline }: { timeline: AuditEntry[] }) {
  const last = [...timeline].reverse().find((t) => t.data?.decisions);
  if (!last) return <p>No gate check yet.</p>;
  return (
    <table data-testid="gate-verdicts">
      <caption>Safety gates at {when(last.at)}</caption>
      <thead>
        <tr>
          <th scope="col">gate</th>
          <th scope="col">verdict</th>
          <th scope="col">why</th>
        </tr>
      </thead>
      <tbody>
        {last.data.decisions!.map((d) => (
          <tr key={d.gate} className={`verdict-${d.verdict}`}>
            <td>{d.gate}</td>
            <td>{d.verdict}</td>
            <td>{d.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const output = (data: AuditEntry['data']) => (data?.output !== undefined ? JSON.stringify(data.output, null, 2) : data?.error ?? null);

/** One remediation: its plan, the gates' verdicts, every step with its output, and approve/reject while it waits. */
export function RemediationPage({ id }: { id: string }) {
  const r = useApi<RemediationDetail>(`/api/v1/remediations/${id}`, 3000, ['remediation']);
  const [who, setWho, commitWho] = useActor();
  const [why, setWhy] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  if (r.error) return <p role="alert">{r.error.message}</p>;
  const d = r.data;
  if (!d) return <p>Loading…</p>;
  const answer = (decision: 'approve' | 'reject') => {
    const by = commitWho();
    if (!by || !why.trim()) return setProblem('Say who you are and why first.');
    api(`/api/v1/remediations/${d.id}/${decision}`, { method: 'POST', body: { by, reason: why.trim() } }).then(
      () => {
        setProblem(null);
        r.reload();
      },
      (e: unknown) => setProblem(e instanceof ApiError ? e.message : String(e)),
    );
  };
  return (
    <div className="grid">
      <section className="card" aria-labelledby="h-remediation">
        <h2 id="h-remediation">
          Remediation #{d.id}: {d.runbook} on {d.target}
        </h2>
        <p data-testid="remediation-status">
          <strong>{d.status}</strong> — {d.reason}
        </p>
        <p>
          {d.dryRun ? 'Dry run. ' : ''}Service {d.service ?? '-'}; alerts{' '}
          {d.alertIds.map((a, i) => (
            <span key={a}>
              {i ? ', ' : ''}
              <a href={`#/alerts/${a}`}>#{a}</a>
            </span>
          ))}
          ; started {when(d.createdAt)}
          {d.finishedAt ? `, finished ${when(d.finishedAt)}` : ''}; saves {d.manualMinutes} min of manual work when it succeeds.
        </p>
        {d.status === 'awaiting_approval' ? (
          <div className="actions">
            <label>
              You are <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="your name" />
            </label>
            <label>
              Why <input value={why} onChange={(e) => setWhy(e.target.value)} placeholder="reason" />
            </label>
            <button type="button" onClick={() => answer('approve')}>
              Approve
            </button>
            <button type="button" onClick={() => answer('reject')}>
              Reject
            </button>
          </div>
        ) : null}
        {problem ? <p role="alert">{problem}</p> : null}
        {d.plan ? (
          <>
            <h3>Plan</h3>
            <ol>
              {d.plan.steps.map((s) => (
                <li key={s.name}>
                  {s.name}: <code>{s.action}</code> ({s.risk})
                </li>
              ))}
            </ol>
            {d.plan.onFailure.length ? <p>If it fails: {d.plan.onFailure.map((s) => `${s.name} (${s.action})`).join(', then ')}</p> : null}
          </>
        ) : null}
        <GateVerdicts timeline={d.timeline} />
      </section>
      <section className="card" aria-labelledby="h-audit">
        <h2 id="h-audit">Audit trail</h2>
        <ol className="timeline" data-testid="remediation-timeline">
          {d.timeline.map((t) => {
            const out = output(t.data);
            return (
              <li key={t.id}>
                {when(t.at)} <span className="kind">{t.kind}</span> {t.message}
                {out && t.kind.startsWith('step.') ? (
                  <details>
                    <summary>output</summary>
                    <pre>{out}</pre>
                  </details>
                ) : null}
              </li>
            );
          })}
        </ol>
      </section>
    </div>
  );
}
