import { useState } from 'react';
import { when } from './when';

// A journal is whatever the runner PUT (prodeng's or Chaos Toolkit's own,
// perhaps hand-edited): every field is checked before it is shown, and all of
// it is shown as text, never as HTML.

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const asArray = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const scalar = (x: unknown): string | null => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : null);

/** Anything as text: strings as they are, the rest as indented JSON. */
function shown(x: unknown): string {
  // No output (an action that returns nothing) shows as "-".
  if (x === undefined || x === null) return '';
  if (typeof x === 'string') return x;
  try {
    return JSON.stringify(x, null, 2) ?? String(x);
  } catch {
    return String(x);
  }
}

/** Journal times are UTC without a zone (Python's utcnow().isoformat()): read them as UTC, not as the browser's local time. */
function journalTime(x: unknown): string {
  const s = scalar(x);
  if (!s) return '-';
  const iso = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(s) ? s : `${s}Z`;
  return Number.isNaN(Date.parse(iso)) ? s : when(iso);
}

const seconds = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? `${x.toFixed(2)} s` : '-');

const SHORT = 200;
const SHORT_LINES = 6;

/** A long output cut to a few lines, with a button for the rest: one probe's 2 MB body must not bury the table. */
export function ExpandableText({ text, label }: { text: string; label: string }) {
  const [open, setOpen] = useState(false);
  if (!text) return <>-</>;
  const lines = text.split('\n');
  const long = text.length > SHORT || lines.length > SHORT_LINES;
  const visible = open || !long ? text : `${lines.slice(0, SHORT_LINES).join('\n').slice(0, SHORT)}…`;
  return (
    <div className="expandable">
      <pre>{visible}</pre>
      {long ? (
        <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={`${open ? 'show less of' : 'show all of'} ${label}`}>
          {open ? 'show less' : `show all (${text.length.toLocaleString()} characters)`}
        </button>
      ) : null}
    </div>
  );
}

/** What an activity is: its name, and what it calls (an HTTP request, a process, a prodeng function). */
function ActivityName({ activity }: { activity: unknown }) {
  if (!isRecord(activity)) return <>{scalar(activity) ?? '(unnamed)'}</>;
  const p = isRecord(activity.provider) ? activity.provider : {};
  const target = p.type === 'http' ? `${scalar(p.method) ?? 'GET'} ${scalar(p.url) ?? ''}` : p.type === 'process' ? scalar(p.path) : p.type === 'prodeng' ? scalar(p.func) : null;
  return (
    <>
      {scalar(activity.name) ?? '(unnamed)'}
      <br />
      <small>
        {[scalar(activity.type), scalar(p.type), target].filter(Boolean).join(' · ')}
        {activity.background === true ? ' · in the background' : ''}
      </small>
    </>
  );
}

/** Whether a probe's output was within its tolerance; "-" for an action, which has none. */
function ToleranceCell({ met }: { met: unknown }) {
  if (met === true) return <td className="tolerance-met">met</td>;
  if (met === false) return <td className="tolerance-missed">not met</td>;
  return <td>-</td>;
}

/** One activity's result per row: what ran, how it went, its output (and why it failed). */
function ActivityTable({ records, testId, caption, tolerance }: { records: unknown[]; testId: string; caption: string; tolerance: boolean }) {
  if (records.length === 0) return <p data-testid={testId}>{caption}: nothing ran.</p>;
  return (
    <div className="scroll">
      <table data-testid={testId} className="journal-activities">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">activity</th>
            <th scope="col">status</th>
            {tolerance ? <th scope="col">tolerance</th> : null}
            <th scope="col">output</th>
            <th scope="col">started</th>
            <th scope="col">took</th>
          </tr>
        </thead>
        <tbody>
          {records.map((raw, i) => {
            const r = isRecord(raw) ? raw : {};
            const name = isRecord(r.activity) ? (scalar(r.activity.name) ?? `activity ${i + 1}`) : `activity ${i + 1}`;
            const exception = asArray(r.exception).map(shown).join('');
            return (
              <tr key={i} className={r.status === 'failed' || r.tolerance_met === false ? 'failing' : undefined}>
                <td>
                  <ActivityName activity={r.activity} />
                </td>
                <td>{scalar(r.status) ?? '-'}</td>
                {tolerance ? <ToleranceCell met={r.tolerance_met} /> : null}
                <td>
                  {/* A failed activity often has no output: then its exception alone. */}
                  {(r.output !== null && r.output !== undefined) || !exception ? <ExpandableText text={shown(r.output)} label={`the output of ${name}`} /> : null}
                  {exception ? <ExpandableText text={exception} label={`why ${name} failed`} /> : null}
                </td>
                <td>{journalTime(r.start)}</td>
                <td>{seconds(r.duration)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const metLabel = (met: unknown) => (met === true ? 'met' : met === false ? 'not met' : 'not checked');

/** The steady-state hypothesis at one point of the run: whether it held, and each probe with its tolerance. */
function SteadyStateSection({ state, title, testId }: { state: unknown; title: string; testId: string }) {
  const s = isRecord(state) ? state : null;
  const met = s?.steady_state_met;
  return (
    <div className="journal-steady-state" data-testid={testId}>
      <h4>
        {title}: <span className={met === false ? 'tolerance-missed' : met === true ? 'tolerance-met' : undefined}>{metLabel(met)}</span>
      </h4>
      {s ? <ActivityTable records={asArray(s.probes)} testId={`${testId}-probes`} caption={`Probes ${title.toLowerCase()}`} tolerance /> : null}
    </div>
  );
}

/** A run's journal (Chaos Toolkit's shape) as tables: the steady state before, during and after, the method, the rollbacks. */
export function ChaosJournal({ journal }: { journal: unknown }) {
  if (journal === null || journal === undefined) return <p data-testid="chaos-journal">No journal yet: the run has not ended.</p>;
  if (!isRecord(journal)) return <ExpandableText text={shown(journal)} label="the journal" />;
  if (journal.refused !== undefined) return <p data-testid="chaos-journal">Refused: {shown(journal.refused)}</p>;
  const states = isRecord(journal.steady_states) ? journal.steady_states : {};
  const during = asArray(states.during);
  const notes = isRecord(journal.prodeng) ? asArray(journal.prodeng.notes) : [];
  return (
    <div data-testid="chaos-journal">
      <p data-testid="journal-summary">
        {scalar(journal.status) ?? 'no status'}
        {journal.deviated === true ? ', deviated from the steady state' : journal.deviated === false ? ', the steady state held' : ''}; from {journalTime(journal.start)} to {journalTime(journal.end)} ({seconds(journal.duration)})
        {scalar(journal['chaoslib-version']) ? <small> · {scalar(journal['chaoslib-version'])}</small> : null}
      </p>
      <SteadyStateSection state={states.before} title="Before the method" testId="journal-before" />
      {during.map((d, i) => (
        <SteadyStateSection key={i} state={d} title={`During the method (${i + 1})`} testId={`journal-during-${i + 1}`} />
      ))}
      <h4>Method</h4>
      <ActivityTable records={asArray(journal.run)} testId="journal-method" caption="Method" tolerance={false} />
      <SteadyStateSection state={states.after} title="After the method" testId="journal-after" />
      <h4>Rollbacks</h4>
      <ActivityTable records={asArray(journal.rollbacks)} testId="journal-rollbacks" caption="Rollbacks" tolerance={false} />
      {notes.length ? (
        <>
          <h4>Notes</h4>
          <ul data-testid="journal-notes">
            {notes.map((n, i) => (
              <li key={i}>{shown(n)}</li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
