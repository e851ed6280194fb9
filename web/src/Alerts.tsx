import { useState } from 'react';
import { api, ApiError } from './api';
import { useActor } from './actor';
import { useApi } from './useApi';
import { when } from './when';

export interface Alert {
  id: number;
  status: string;
  silenced: boolean;
  silencedBy: string[];
  summary: string;
  severity: string;
  service: string | null;
  host: string | null;
  source: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  occurrences: number;
}
interface AlertDetail extends Alert {
  generatorURL?: string | null;
  history: Array<{ id: number; receivedAt: string; source: string; action: string; payload: unknown }>;
}
interface Silence {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: string };
}

const STATUSES = ['firing', 'acknowledged', 'resolved'] as const;

function matcherText(m: Silence['matchers'][number]) {
  const op = m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=';
  return `${m.name}${op}"${m.value}"`;
}

/** Filters travel in the hash (#/alerts?status=firing&service=cart) so a filtered view can be shared. */
function filtersFromHash(): { status: string[]; service: string; match: string } {
  const query = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  return { status: (query.get('status') ?? 'firing').split(',').filter(Boolean), service: query.get('service') ?? '', match: query.get('match') ?? '' };
}

function listPath(f: { status: string[]; service: string; match: string }, before: number | null) {
  const q = new URLSearchParams();
  if (f.status.length) q.set('status', f.status.join(','));
  if (f.service.trim()) q.set('service', f.service.trim());
  if (f.match.trim()) q.set('match[]', f.match.trim());
  if (before) q.set('before', String(before));
  q.set('limit', '100');
  return `/api/v1/alerts?${q.toString()}`;
}

/** Alerts with filters by status, service and label matchers, and the active silences. */
export function AlertList() {
  const [filters, setFilters] = useState(filtersFromHash);
  const [draft, setDraft] = useState(filters);
  const [before, setBefore] = useState<number | null>(null);
  const list = useApi<{ alerts: Alert[]; nextCursor: number | null }>(listPath(filters, before), 5000, ['alert', 'silence']);
  const apply = (next: typeof filters) => {
    setFilters(next);
    setBefore(null);
    const q = new URLSearchParams({ status: next.status.join(','), ...(next.service ? { service: next.service } : {}), ...(next.match ? { match: next.match } : {}) });
    history.replaceState(null, '', `#/alerts?${q.toString()}`);
  };
  const alerts = list.data?.alerts ?? [];
  return (
    <>
      <section className="card" aria-labelledby="h-alerts">
        <h2 id="h-alerts">Alerts</h2>
        <form
          className="actions"
          aria-label="alert filters"
          onSubmit={(e) => {
            e.preventDefault();
            apply(draft);
          }}
        >
          <fieldset className="inline">
            <legend>Status</legend>
            {STATUSES.map((s) => (
              <label key={s}>
                <input
                  type="checkbox"
                  checked={draft.status.includes(s)}
                  onChange={(e) => setDraft({ ...draft, status: e.target.checked ? [...draft.status, s] : draft.status.filter((x) => x !== s) })}
                />{' '}
                {s}
              </label>
            ))}
          </fieldset>
          <label>
            Service <input value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })} placeholder="any" size={12} />
          </label>
          <label>
            Labels <input value={draft.match} onChange={(e) => setDraft({ ...draft, match: e.target.value })} placeholder='{alertname="CartDown", instance=~"cart-.*"}' size={32} />
          </label>
          <button type="submit">Filter</button>
        </form>
        {list.error && list.error.status !== 401 ? <p role="alert">{list.error.message}</p> : null}
        {list.data && alerts.length === 0 ? <p>{list.data.nextCursor ? 'No alerts match among the newest ones; look at older ones.' : 'No alerts match.'}</p> : null}
        <div className="scroll">
          <table data-testid="alert-list">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">status</th>
                <th scope="col">severity</th>
                <th scope="col">service</th>
                <th scope="col">summary</th>
                <th scope="col">since</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.id} className={`status-${a.status}`}>
                  <td>{a.id}</td>
                  <td>
                    {a.status}
                    {a.silenced ? ' (silenced)' : ''}
                  </td>
                  <td>{a.severity}</td>
                  <td>{a.service ?? '-'}</td>
                  <td>
                    <a href={`#/alerts/${a.id}`}>{a.summary}</a>
                  </td>
                  <td>{when(a.startsAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="actions">
          {before ? (
            <button type="button" onClick={() => setBefore(null)}>
              Newest
            </button>
          ) : null}
          {list.data?.nextCursor ? (
            <button type="button" onClick={() => setBefore(list.data!.nextCursor)}>
              Older
            </button>
          ) : null}
        </div>
      </section>
      <Silences />
    </>
  );
}

function Silences() {
  const list = useApi<{ silences: Silence[] }>('/api/v1/silences?state=active', 10_000, ['silence']);
  const [problem, setProblem] = useState<string | null>(null);
  const silences = list.data?.silences ?? [];
  return (
    <section className="card" aria-labelledby="h-silences">
      <h2 id="h-silences">Active silences ({silences.length})</h2>
      {problem ? <p role="alert">{problem}</p> : null}
      {list.data && silences.length === 0 ? <p>None. Silence an alert from its page.</p> : null}
      <ul data-testid="silence-list">
        {silences.map((s) => (
          <li key={s.id}>
            <code>{s.matchers.map(matcherText).join(', ')}</code> until {when(s.endsAt)} — {s.createdBy}: {s.comment}{' '}
            <button
              type="button"
              onClick={() => {
                if (!window.confirm(`Expire the silence ${s.matchers.map(matcherText).join(', ')}? Matching alerts will notify again.`)) return;
                api(`/api/v1/silences/${s.id}`, { method: 'DELETE' }).then(
                  () => {
                    setProblem(null);
                    list.reload();
                  },
                  (e: unknown) => setProblem(e instanceof ApiError ? e.message : String(e)),
                );
              }}
            >
              Expire
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const DURATIONS = ['30m', '1h', '2h', '4h', '8h', '1d', '3d'];

/** Silence the alerts that share some of this alert's labels: the person picks which labels must match. */
function SilenceForm({ alert, onCreated }: { alert: Alert; onCreated(): void }) {
  const names = Object.keys(alert.labels).sort();
  const [picked, setPicked] = useState<string[]>(() => names.filter((n) => n !== 'instance'));
  const [duration, setDuration] = useState('1h');
  const [comment, setComment] = useState('');
  const [who, setWho, commitWho] = useActor();
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <form
      className="card"
      aria-labelledby="h-silence-form"
      onSubmit={(e) => {
        e.preventDefault();
        const by = commitWho();
        if (!by) return setProblem('Say who you are first.');
        if (picked.length === 0) return setProblem('Pick at least one label to match.');
        const matchers = picked.map((name) => ({ name, value: alert.labels[name]!, isRegex: false }));
        api<{ silenceID: string }>('/api/v1/silences', { method: 'POST', body: { matchers, duration, createdBy: by, comment } }).then(
          (r) => {
            setProblem(null);
            setCreated(r.silenceID);
            onCreated();
          },
          (err: unknown) => setProblem(err instanceof ApiError ? err.message : String(err)),
        );
      }}
    >
      <h3 id="h-silence-form">Silence alerts like this one</h3>
      <fieldset>
        <legend>Match these labels</legend>
        {names.map((n) => (
          <label key={n} className="block">
            <input type="checkbox" checked={picked.includes(n)} onChange={(e) => setPicked(e.target.checked ? [...picked, n] : picked.filter((x) => x !== n))} />{' '}
            <code>
              {n}="{alert.labels[n]}"
            </code>
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <label>
          For{' '}
          <select value={duration} onChange={(e) => setDuration(e.target.value)}>
            {DURATIONS.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <label>
          You are <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="your name" />
        </label>
        <label>
          Comment <input value={comment} onChange={(e) => setComment(e.target.value)} placeholder="why (ticket, maintenance)" />
        </label>
        <button type="submit">Create silence</button>
      </div>
      {problem ? <p role="alert">{problem}</p> : null}
      {created ? <p role="status">Silence created; it is listed under Alerts.</p> : null}
    </form>
  );
}

/** Only web addresses become links: an alert's data comes from whoever can send alerts (no javascript: links). */
export function webUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const shown = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** PagerDuty's custom_details (stored as JSON text): a table of its fields, or the text as sent. */
function CustomDetails({ text }: { text: string }) {
  const details = parsedJson(text);
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    return (
      <table data-testid="custom-details">
        <caption>Details (PagerDuty custom_details)</caption>
        <tbody>
          {Object.entries(details as Record<string, unknown>).map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{typeof v === 'object' && v !== null ? <pre>{shown(v)}</pre> : String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <div data-testid="custom-details">
      <h3>Details (PagerDuty custom_details)</h3>
      <pre>{shown(details)}</pre>
    </div>
  );
}

/** What the sender said about the alert: description, runbook and other links, PagerDuty's details and links. */
function Annotations({ alert }: { alert: AlertDetail }) {
  const annotations = alert.annotations && typeof alert.annotations === 'object' ? alert.annotations : {};
  const { summary: _summary, description, custom_details: customDetails, links, images: _images, ...rest } = annotations as Record<string, string | undefined>;
  const pdLinks = typeof links === 'string' ? parsedJson(links) : null;
  const linkList = (Array.isArray(pdLinks) ? pdLinks : []).filter((l): l is { href: string; text?: string } => !!l && typeof l === 'object' && !!webUrl((l as { href?: unknown }).href));
  const source = webUrl(alert.generatorURL);
  const runbookKey = webUrl(rest.runbook_url) ? 'runbook_url' : webUrl(rest.runbook) ? 'runbook' : null;
  const runbook = runbookKey ? webUrl(rest[runbookKey]) : null;
  // Every other annotation as sent; web addresses among them are links.
  const others = Object.entries(rest)
    .filter(([k]) => k !== runbookKey)
    .sort(([a], [b]) => a.localeCompare(b));
  return (
    <div data-testid="alert-annotations">
      {description ? <p data-testid="alert-description">{String(description)}</p> : null}
      {runbook || source || linkList.length ? (
        <ul className="links">
          {runbook ? (
            <li>
              <a href={runbook} target="_blank" rel="noopener noreferrer">
                Runbook
              </a>
            </li>
          ) : null}
          {source ? (
            <li>
              <a href={source} target="_blank" rel="noopener noreferrer">
                Source ({alert.source})
              </a>
            </li>
          ) : null}
          {linkList.map((l, i) => (
            <li key={i}>
              <a href={webUrl(l.href)!} target="_blank" rel="noopener noreferrer">
                {typeof l.text === 'string' && l.text ? l.text : l.href}
              </a>
            </li>
          ))}
        </ul>
      ) : null}
      {others.length ? (
        <table>
          <caption>Annotations</caption>
          <tbody>
            {others.map(([k, v]) => {
              const url = webUrl(v);
              return (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>
                    {url ? (
                      <a href={url} target="_blank" rel="noopener noreferrer">
                        {String(v)}
                      </a>
                    ) : (
                      String(v)
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {typeof customDetails === 'string' ? <CustomDetails text={customDetails} /> : null}
    </div>
  );
}

export interface RemediationSummary {
  id: number;
  runbook: string;
  target: string;
  status: string;
  reason: string;
  createdAt: string;
}

/** What automation did about these alerts: each remediation, linked to its page. */
export function AlertRemediations({ alertIds, title = 'Remediations' }: { alertIds: number[]; title?: string }) {
  const ids = alertIds.slice(0, 200).join(',');
  const list = useApi<{ remediations: RemediationSummary[] }>(ids ? `/api/v1/remediations?alert=${ids}` : null, 10_000, ['remediation']);
  const remediations = list.data?.remediations ?? [];
  return (
    <section className="card" aria-labelledby="h-alert-remediations">
      <h2 id="h-alert-remediations">{title}</h2>
      {list.error && list.error.status !== 401 ? <p role="alert">{list.error.message}</p> : null}
      {list.data && remediations.length === 0 ? <p>None: no runbook acted on {alertIds.length === 1 ? 'this alert' : 'these alerts'}.</p> : null}
      {remediations.length ? (
        <div className="scroll">
          <table data-testid="alert-remediations">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">runbook</th>
                <th scope="col">target</th>
                <th scope="col">status</th>
                <th scope="col">why</th>
              </tr>
            </thead>
            <tbody>
              {remediations.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`#/remediations/${r.id}`}>#{r.id}</a>
                  </td>
                  <td>{r.runbook}</td>
                  <td>{r.target}</td>
                  <td>{r.status}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** One alert: its labels, what happened to it, which runbook applies, and a silence made from it. */
export function AlertPage({ id }: { id: string }) {
  const alert = useApi<AlertDetail>(`/api/v1/alerts/${id}`, 5000, ['alert', 'silence']);
  const runbooks = useApi<{ chosen: string | null; verdicts: Array<{ runbook: string; matches: boolean; reason: string }> }>(`/api/v1/alerts/${id}/runbooks`, 60_000);
  if (alert.error) return <p role="alert">{alert.error.message}</p>;
  const a = alert.data;
  if (!a) return <p>Loading…</p>;
  return (
    <div className="grid">
      <section className="card" aria-labelledby="h-alert">
        <h2 id="h-alert">
          Alert #{a.id}: {a.summary}
        </h2>
        <p data-testid="alert-status">
          {a.status}
          {a.silenced ? ` (silenced by ${a.silencedBy.join(', ')})` : ''} · {a.severity} · {a.service ?? 'no service'}
          {a.host ? ` · ${a.host}` : ''} · from {a.source}
        </p>
        <p>
          Started {when(a.startsAt)}, last seen {when(a.lastSeenAt)}
          {a.resolvedAt ? `, resolved ${when(a.resolvedAt)}` : ''}; {a.occurrences} occurrence(s).
        </p>
        <Annotations alert={a} />
        <table>
          <caption>Labels</caption>
          <tbody>
            {Object.entries(a.labels).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {runbooks.data ? <p>Runbook: {runbooks.data.chosen ?? 'none matches'}</p> : null}
      </section>
      <section className="card" aria-labelledby="h-alert-history">
        <h2 id="h-alert-history">History</h2>
        <ol className="timeline" data-testid="alert-history">
          {a.history.map((h) => (
            <li key={h.id}>
              {when(h.receivedAt)} <span className="kind">{h.action}</span> from {h.source}
            </li>
          ))}
        </ol>
      </section>
      <AlertRemediations alertIds={[a.id]} />
      <SilenceForm alert={a} onCreated={alert.reload} />
    </div>
  );
}
