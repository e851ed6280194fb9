import { useState } from 'react';
import { useActor } from './actor';
import { api, apiText, ApiError } from './api';
import { useApi } from './useApi';
import { when } from './when';

interface IncidentSummary {
  id: number;
  title: string;
  status: string;
  service: string | null;
  team: string | null;
  acknowledgedBy: string | null;
  createdAt: string;
}

interface IncidentDetail extends IncidentSummary {
  timeline: Array<{ at: string; source: string; kind: string; actor: string | null; message: string }>;
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
  if (error) return <p role="alert">{error.message}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <>
      <section className="card" aria-labelledby="h-incident">
        <h2 id="h-incident">
          Incident #{data.id}: {data.title}
        </h2>
        <p data-testid="incident-status">
          {data.status}
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
        <ol data-testid="incident-timeline" className="timeline">
          {data.timeline.map((t, i) => (
            <li key={i}>
              <time dateTime={t.at}>{t.at.replace('T', ' ').slice(0, 19)}</time> <span className="kind">{t.kind}</span> {t.message}
            </li>
          ))}
        </ol>
      </section>
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
