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
  plan: unknown;
  timeline: AuditEntry[];
}

const list = <T,>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const text = (v: unknown, fallback = '-'): string => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : fallback);

/**
 * The plan as stored, read defensively: a refused remediation (say, an alert
 * without the cluster its runbook's maxUnhealthy is counted per) has an empty
 * plan `{}`, an older or damaged one may lack fields; none may blank the page.
 */
function readPlan(plan: unknown): { steps: Step[]; onFailure: Step[]; scope: string | null } | null {
  if (!plan || typeof plan !== 'object') return null;
  const p = plan as Record<string, unknown>;
  const steps = list<Step>(p.steps).filter((s) => s && typeof s === 'object');
  const onFailure = list<Step>(p.onFailure).filter((s) => s && typeof s === 'object');
  if (steps.length === 0 && onFailure.length === 0) return null;
  return { steps, onFailure, scope: typeof p.scope === 'string' ? p.scope : null };
}

function Plan({ plan, status }: { plan: unknown; status: string }) {
  const p = readPlan(plan);
  return (
    <div data-testid="remediation-plan">
      <h3>Plan</h3>
      {p ? (
        <>
          {p.scope ? <p>Counted in {p.scope} for maxUnhealthy.</p> : null}
          <ol>
            {p.steps.map((s, i) => (
              <li key={i}>
                {text(s.name, `step ${i + 1}`)}: <code>{text(s.action)}</code> ({text(s.risk, 'risk unknown')})
              </li>
            ))}
          </ol>
          {p.onFailure.length ? <p>If it fails: {p.onFailure.map((s, i) => `${text(s.name, `step ${i + 1}`)} (${text(s.action)})`).join(', then ')}</p> : null}
        </>
      ) : (
        <p>No plan: {status === 'skipped' || status === 'escalated' ? 'automation refused before planning any step (the reason is above and in the audit trail).' : 'none was recorded.'}</p>
      )}
    </div>
  );
}

/** The latest gate check: what each safety gate said, and why. */
function GateVerdicts({ timeline }: { timeline: AuditEntry[] }) {
  const last = [...timeline].reverse().find((t) => Array.isArray(t?.data?.decisions));
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
        {last.data.decisions!.map((d, i) => (
          <tr key={`${d.gate}-${i}`} className={`verdict-${d.verdict}`}>
            <td>{d.gate}</td>
            <td>{d.verdict}</td>
            <td>{d.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const output = (data: AuditEntry['data'] | undefined): string | null => (data?.output !== undefined ? JSON.stringify(data.output, null, 2) : typeof data?.error === 'string' ? data.error : null);

/** One remediation: its plan, the gates' verdicts, every step with its output, and approve/reject while it waits. */
export function RemediationPage({ id }: { id: string }) {
  const r = useApi<RemediationDetail>(`/api/v1/remediations/${id}`, 3000, ['remediation']);
  const [who, setWho, commitWho] = useActor();
  const [why, setWhy] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  if (r.error) return <p role="alert">{r.error.message}</p>;
  const d = r.data;
  if (!d) return <p>Loading…</p>;
  const alertIds = list<number>(d.alertIds);
  const timeline = list<AuditEntry>(d.timeline).filter((t) => t && typeof t === 'object');
  const incidents = [...new Set(timeline.map((t) => t.data?.incident).filter((n): n is number => typeof n === 'number'))];
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
        {incidents.length ? (
          <p data-testid="remediation-incidents">
            Handed to a human:{' '}
            {incidents.map((n, i) => (
              <span key={n}>
                {i ? ', ' : ''}
                <a href={`#/incidents/${n}`}>incident #{n}</a>
              </span>
            ))}
          </p>
        ) : null}
        <p>
          {d.dryRun ? 'Dry run. ' : ''}Service {d.service ?? '-'}; alerts{' '}
          {alertIds.map((a, i) => (
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
        <Plan plan={d.plan} status={d.status} />
        <GateVerdicts timeline={timeline} />
      </section>
      <section className="card" aria-labelledby="h-audit">
        <h2 id="h-audit">Audit trail</h2>
        <ol className="timeline" data-testid="remediation-timeline">
          {timeline.map((t, i) => {
            const out = output(t.data);
            const kind = text(t.kind, '');
            return (
              <li key={t.id ?? i}>
                {when(t.at)} <span className="kind">{kind}</span> {text(t.message, '')}
                {out && kind.startsWith('step.') ? (
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
