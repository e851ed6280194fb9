import { useEffect, useState, type ReactNode } from 'react';
import { useActor } from './actor';
import { AlertRemediations, type Alert } from './Alerts';
import { IncidentChanges, type IncidentChange } from './IncidentChanges';
import { api, apiText, ApiError } from './api';
import { useApi } from './useApi';
import { when } from './when';

interface IncidentSummary {
  id: number;
  title: string;
  status: string;
  urgency?: 'high' | 'low';
  service: string | null;
  team: string | null;
  acknowledgedBy: string | null;
  createdAt: string;
}

interface IncidentDetail extends IncidentSummary {
  remediationId?: number | null;
  alertIds?: number[];
  changesBefore?: IncidentChange[];
  timeline: Array<{ at: string; source: string; kind: string; actor: string | null; message: string }>;
}

/** The most alerts an incident's page reads one by one to say what failed; the list says when there are more. */
const ALERTS_SHOWN = 50;

// An alert's host and summary do not change: each is read once per console session.
const alertCache = new Map<number, Promise<Alert | null>>();
function alertOnce(id: number): Promise<Alert | null> {
  let known = alertCache.get(id);
  if (!known) {
    known = api<Alert>(`/api/v1/alerts/${id}`).catch(() => {
      alertCache.delete(id);
      return null;
    });
    alertCache.set(id, known);
  }
  return known;
}

/** The incident's alerts by id (the first ALERTS_SHOWN), as they arrive. */
function useAlerts(ids: number[]): Map<number, Alert> {
  const key = ids.slice(0, ALERTS_SHOWN).join(',');
  const [alerts, setAlerts] = useState<Map<number, Alert>>(new Map());
  useEffect(() => {
    let live = true;
    const wanted = key ? key.split(',').map(Number) : [];
    void Promise.all(wanted.map(alertOnce)).then((found) => {
      if (!live) return;
      setAlerts(new Map(found.filter((a): a is Alert => !!a).map((a) => [a.id, a])));
    });
    return () => {
      live = false;
    };
  }, [key]);
  return alerts;
}

const hostOf = (a: Alert) => a.host ?? a.labels?.instance ?? null;

/** "cart-1: cart answers 503" — where, and what failed. */
const whatFailed = (a: Alert) => `${hostOf(a) ?? a.service ?? 'no host'}: ${a.summary || a.labels?.alertname || 'alert'}`;

/** Names in a timeline message ("remediation 3", "alert 12", "incident 4") become links to their pages. */
function linked(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(/\b(remediation|alert|incident) #?(\d+)\b/g)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const page = m[1] === 'remediation' ? 'remediations' : m[1] === 'alert' ? 'alerts' : 'incidents';
    parts.push(
      <a key={m.index} href={`#/${page}/${m[2]}`}>
        {m[0]}
      </a>,
    );
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** The incident's alerts: which host, what failed, and whether it still does. */
function WhatFailed({ ids, alerts }: { ids: number[]; alerts: Map<number, Alert> }) {
  if (ids.length === 0) return <p>No alerts: opened by hand.</p>;
  return (
    <>
      <h3>What failed</h3>
      <ul data-testid="incident-alerts">
        {ids.slice(0, ALERTS_SHOWN).map((id) => {
          const a = alerts.get(id);
          return (
            <li key={id}>
              <a href={`#/alerts/${id}`}>alert #{id}</a>
              {a ? (
                <>
                  {' '}
                  <strong>{hostOf(a) ?? a.service ?? 'no host'}</strong>: {a.summary || a.labels?.alertname} ({a.status})
                </>
              ) : null}
            </li>
          );
        })}
      </ul>
      {ids.length > ALERTS_SHOWN ? <p>…and {ids.length - ALERTS_SHOWN} more alerts.</p> : null}
    </>
  );
}

export function IncidentList() {
  const { data } = useApi<{ incidents: IncidentSummary[] }>('/api/v1/incidents', 5000, ['incident']);
  const incidents = data?.incidents ?? [];
  return (
    <section className="card" aria-labelledby="h-incidents-all">
      <h2 id="h-incidents-all">Incidents</h2>
      {data && incidents.length === 0 ? <p>No incidents.</p> : null}
      <div className="scroll">
        <table data-testid="incident-list">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">opened</th>
              <th scope="col">status</th>
              <th scope="col">service</th>
              <th scope="col">title</th>
            </tr>
          </thead>
          <tbody>
            {incidents.map((i) => (
              <tr key={i.id}>
                <td>{i.id}</td>
                <td>
                  <time dateTime={i.createdAt}>{when(i.createdAt)}</time>
                </td>
                <td>
                  {i.status}
                  {i.urgency === 'low' ? ' · ticket' : ''}
                  {i.acknowledgedBy ? ` (${i.acknowledgedBy})` : ''}
                </td>
                <td>{i.service ?? '-'}</td>
                <td>
                  <a href={`#/incidents/${i.id}`}>{i.title}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** One incident's whole story, with acknowledge, resolve and notes. */
export function IncidentPage({ id }: { id: string }) {
  const { data, error, reload } = useApi<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`, 5000, ['incident']);
  const [who, setWho, commitWho] = useActor();
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (path: string, body: Record<string, unknown>) => {
    const by = commitWho();
    if (!by) return setProblem('Say who you are first.');
    try {
      await api(`/api/v1/incidents/${encodeURIComponent(id)}/${path}`, { method: 'POST', body: { by, ...body } });
      setProblem(null);
      reload();
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : String(e));
    }
  };
  const [postmortem, setPostmortem] = useState<string | null>(null);
  const showPostmortem = async () => {
    try {
      setPostmortem(await apiText(`/api/v1/incidents/${encodeURIComponent(id)}/postmortem`, 'text/markdown'));
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof ApiError ? e.message : String(e));
    }
  };
  const alertIds = Array.isArray(data?.alertIds) ? data.alertIds : [];
  const alerts = useAlerts(alertIds);
  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  const timeline = Array.isArray(data.timeline) ? data.timeline : [];
  return (
    <>
      <section className="card" aria-labelledby="h-incident">
        <h2 id="h-incident">
          Incident #{data.id}: {data.title}
        </h2>
        <p data-testid="incident-status">
          {data.status}
          {data.urgency === 'low' ? ' · low urgency (a ticket: the team is told, nobody is paged)' : ''}
          {data.acknowledgedBy ? ` (acknowledged by ${data.acknowledgedBy})` : ''} · service {data.service ?? '-'} · team {data.team ?? '-'}
        </p>
        <div className="actions">
          <label>
            You are <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="your name" />
          </label>
          <button type="button" disabled={data.status !== 'open'} onClick={() => void act('ack', {})}>
            Acknowledge
          </button>
          <button type="button" disabled={data.status === 'resolved'} onClick={() => void act('resolve', {})}>
            Resolve
          </button>
          <button type="button" onClick={() => void showPostmortem()}>
            Postmortem draft
          </button>
        </div>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('notes', { text: note }).then(() => setNote(''));
          }}
        >
          <label>
            Note <input value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit" disabled={!note.trim()}>
            Add note
          </button>
        </form>
        {problem ? <p role="alert">{problem}</p> : null}
        <WhatFailed ids={alertIds} alerts={alerts} />
        {data.remediationId ? (
          <p>
            Handed over by <a href={`#/remediations/${data.remediationId}`}>remediation #{data.remediationId}</a>.
          </p>
        ) : null}
        <IncidentChanges changes={data.changesBefore} openedAt={data.createdAt} />
        <h3>Timeline</h3>
        <ol data-testid="incident-timeline" className="timeline">
          {timeline.map((t, i) => {
            const alertId = t.source === 'alert' ? Number(/^alert (\d+)/.exec(t.message ?? '')?.[1]) : NaN;
            const alert = alerts.get(alertId);
            const by = t.source === 'remediation' && t.actor ? t.actor : null;
            return (
              <li key={i}>
                <time dateTime={t.at}>{String(t.at ?? '').replace('T', ' ').slice(0, 19)}</time> <span className="kind">{t.kind}</span> {linked(String(t.message ?? ''))}
                {alert ? <> — {whatFailed(alert)}</> : null}
                {by ? <> ({linked(by)})</> : null}
              </li>
            );
          })}
        </ol>
      </section>
      {alertIds.length ? <AlertRemediations alertIds={alertIds} title="Remediations of its alerts" /> : null}
      {postmortem !== null ? <PostmortemDraft id={data.id} text={postmortem} onClose={() => setPostmortem(null)} /> : null}
    </>
  );
}

/** The draft as the server wrote it (Markdown), to copy into the team's postmortem doc or save as a file. */
function PostmortemDraft({ id, text, onClose }: { id: number; text: string; onClose(): void }) {
  const [copied, setCopied] = useState(false);
  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `incident-${id}-postmortem.md`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  };
  return (
    <section className="card" aria-labelledby="h-postmortem">
      <h2 id="h-postmortem">Postmortem draft</h2>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={download}>
          Download .md
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <pre data-testid="postmortem-draft" tabIndex={0}>
        {text}
      </pre>
    </section>
  );
}
