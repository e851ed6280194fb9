import { useState } from 'react';
import { api, ApiError } from './api';
import { useActor } from './actor';
import { when } from './when';
import { useApi } from './useApi';

interface Schedule {
  name: string;
  team: string;
  timeZone: string;
  layers: Array<{ name: string; every: string; participants: string[] }>;
  calendarUrl: string;
}
interface Segment {
  start: string;
  end: string;
  users: string[];
  shadows: Array<{ user: string; shadowing: string }>;
  layer?: string | null;
  overrides?: Array<{ id: number | null; source: string; user: string | null; replaces: string | null }>;
}
interface Override {
  id?: number | null;
  source: string;
  /** null: a config override that takes `replaces` off call with nobody in their place */
  user: string | null;
  cancelledAt?: string | null;
  replaces: string | null;
  from: string;
  to: string;
  createdBy?: string;
  reason?: string;
}
interface OnCallEntry {
  schedule: string;
  team: string;
  user: string;
  layer?: string | null;
  shadowing?: string;
}

const DAY_MS = 86_400_000;
const DAYS = 7;

function startOfLocalDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

// Colours by person, stable across reloads, so a rotation reads at a glance.
function colourOf(user: string): string {
  let h = 0;
  for (const c of user) h = (h * 31 + c.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 82%)`;
}

/** A week of shifts, one row per day in the viewer's time: layers as coloured bars, overrides hatched, shadows named. */
function WeekCalendar({ schedule, weekStart }: { schedule: Schedule; weekStart: number }) {
  const from = new Date(weekStart).toISOString();
  const to = new Date(weekStart + DAYS * DAY_MS).toISOString();
  const shifts = useApi<{ shifts: Segment[] }>(`/api/v1/schedules/${encodeURIComponent(schedule.name)}/shifts?from=${from}&to=${to}`, 60_000);
  const days = Array.from({ length: DAYS }, (_, i) => weekStart + i * DAY_MS);
  const segments = shifts.data?.shifts ?? [];
  return (
    <div className="calendar" data-testid={`calendar-${schedule.name}`}>
      <div className="calendar-day" aria-hidden="true">
        <div />
        <div className="calendar-hours">
          {[0, 6, 12, 18].map((h) => (
            <span key={h} style={{ left: `${(h / 24) * 100}%` }}>
              {String(h).padStart(2, '0')}:00
            </span>
          ))}
        </div>
      </div>
      {days.map((day) => {
        const dayEnd = day + DAY_MS;
        const inDay = segments.filter((s) => Date.parse(s.start) < dayEnd && Date.parse(s.end) > day);
        return (
          <div key={day} className="calendar-day">
            <div className="calendar-date">{new Date(day).toLocaleDateString(undefined, { weekday: 'short', month: 'short', day: 'numeric' })}</div>
            <div className="calendar-track">
              {Date.now() >= day && Date.now() < dayEnd ? <div className="now" style={{ left: `${((Date.now() - day) / DAY_MS) * 100}%` }} title="now" /> : null}
              {inDay.map((s) => {
                const start = Math.max(Date.parse(s.start), day);
                const end = Math.min(Date.parse(s.end), dayEnd);
                const isOverride = (s.overrides?.length ?? 0) > 0;
                const who = s.users.length ? s.users.join(' + ') : 'nobody';
                const shadows = s.shadows.map((sh) => `${sh.user} shadowing ${sh.shadowing}`).join(', ');
                const label = `${who}${isOverride ? ' (override)' : s.layer ? ` (${s.layer})` : ''}${shadows ? `; ${shadows}` : ''}: ${when(s.start)} to ${when(s.end)}`;
                return (
                  <div
                    key={s.start}
                    className={`shift${isOverride ? ' override' : ''}${s.users.length ? '' : ' nobody'}`}
                    style={{ left: `${((start - day) / DAY_MS) * 100}%`, width: `${((end - start) / DAY_MS) * 100}%`, background: s.users[0] ? colourOf(s.users[0]) : undefined }}
                    title={label}
                    data-testid="shift"
                  >
                    <span aria-hidden="true">
                      {who}
                      {shadows ? <span className="shadow"> +{s.shadows.map((sh) => sh.user).join(', ')}</span> : null}
                    </span>
                    <span className="visually-hidden">{label}</span>
                  </div>
                );
              })}
            </div>
          </div>
        );
      })}
    </div>
  );
}

const toLocalInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/** "Alice covers for Bob from … to …": stored by the server, effective at once for paging and the calendar. */
function OverrideForm({ schedule, onCall, people, onSaved }: { schedule: Schedule; onCall: string[]; people: string[]; onSaved(): void }) {
  const [user, setUser] = useState('');
  // Until the person picks, default to covering whoever is on call now (known once loaded).
  const [picked, setReplaces] = useState<string | null>(null);
  const replaces = picked ?? onCall[0] ?? '';
  const [from, setFrom] = useState(() => toLocalInput(Date.now()));
  const [to, setTo] = useState(() => toLocalInput(Date.now() + 4 * 3_600_000));
  const [reason, setReason] = useState('');
  const [who, setWho, commitWho] = useActor();
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const listId = `people-${schedule.name}`;
  return (
    <form
      aria-label={`add an override to ${schedule.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        const by = commitWho();
        if (!by) return setProblem('Say who you are first.');
        const body = { user: user.trim(), ...(replaces ? { replaces } : {}), from: new Date(from).toISOString(), to: new Date(to).toISOString(), reason: reason.trim() || undefined, by };
        api(`/api/v1/schedules/${encodeURIComponent(schedule.name)}/overrides`, { method: 'POST', body }).then(
          () => {
            setProblem(null);
            setSaved(`${body.user} is on call${replaces ? ` instead of ${replaces}` : ''} from ${when(body.from)} to ${when(body.to)}.`);
            onSaved();
          },
          (err: unknown) => {
            setSaved(null);
            setProblem(err instanceof ApiError ? err.message : String(err));
          },
        );
      }}
    >
      <h3>Add an override</h3>
      <div className="actions">
        <label>
          Who covers <input value={user} onChange={(e) => setUser(e.target.value)} list={listId} required size={10} />
        </label>
        <datalist id={listId}>
          {people.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <label>
          Instead of{' '}
          <select value={replaces} onChange={(e) => setReplaces(e.target.value)}>
            <option value="">nobody (on call alongside)</option>
            {[...new Set([...onCall, ...people])].map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
        </label>
        <label>
          To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
        </label>
        <label>
          Reason <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. swap for a dentist visit" />
        </label>
        <label>
          You are <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="your name" size={10} />
        </label>
        <button type="submit">Add override</button>
      </div>
      {problem ? <p role="alert">{problem}</p> : null}
      {saved ? <p role="status">{saved}</p> : null}
    </form>
  );
}

function Overrides({ schedule, onChange }: { schedule: Schedule; onChange(): void }) {
  const [, , commitWho] = useActor();
  const list = useApi<{ overrides: Override[] }>(`/api/v1/schedules/${encodeURIComponent(schedule.name)}/overrides`, 60_000);
  const [problem, setProblem] = useState<string | null>(null);
  const upcoming = (list.data?.overrides ?? []).filter((o) => !o.cancelledAt && Date.parse(o.to) > Date.now());
  if (upcoming.length === 0) return null;
  return (
    <>
      <h3>Overrides</h3>
      {problem ? <p role="alert">{problem}</p> : null}
      <ul data-testid={`overrides-${schedule.name}`}>
        {upcoming.map((o, i) => (
          <li key={o.id ?? `config-${i}`}>
            {o.user === null ? `${o.replaces} off call` : `${o.user}${o.replaces ? ` instead of ${o.replaces}` : ' alongside'}`} from {when(o.from)} to {when(o.to)}
            {o.source === 'config' ? ' (in config)' : ` (by ${o.createdBy}${o.reason ? `: ${o.reason}` : ''})`}{' '}
            {o.id ? (
              <button
                type="button"
                onClick={() => {
                  if (!window.confirm(`Cancel the override for ${o.user}?`)) return;
                  const by = commitWho();
                  api(`/api/v1/schedules/${encodeURIComponent(schedule.name)}/overrides/${o.id}${by ? `?by=${encodeURIComponent(by)}` : ''}`, { method: 'DELETE' }).then(
                    () => {
                      setProblem(null);
                      onChange();
                    },
                    (e: unknown) => setProblem(e instanceof ApiError ? e.message : String(e)),
                  );
                }}
              >
                Cancel override
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Each schedule: who is on call now, a week of shifts, its overrides, and a form to add one. */
export function Oncall() {
  const schedules = useApi<{ schedules: Schedule[] }>('/api/v1/schedules', 60_000);
  const [version, setVersion] = useState(0);
  const oncall = useApi<{ oncall: OnCallEntry[] }>('/api/v1/oncall', 30_000);
  const [weekStart, setWeekStart] = useState(() => startOfLocalDay(Date.now()));
  const list = schedules.data?.schedules ?? [];
  const bump = () => {
    setVersion((v) => v + 1);
    oncall.reload();
  };
  return (
    <>
      <section className="card" aria-labelledby="h-oncall-now">
        <h2 id="h-oncall-now">On call now</h2>
        {list.length === 0 && schedules.data ? <p>No schedules in the config.</p> : null}
        <ul data-testid="oncall-now-all">
          {(oncall.data?.oncall ?? []).map((o) => (
            <li key={`${o.schedule}-${o.user}`}>
              {o.schedule} ({o.team}): <strong>{o.user}</strong>
              {o.shadowing ? ` shadowing ${o.shadowing}` : o.layer ? ` from layer ${o.layer}` : ' (override)'}
            </li>
          ))}
        </ul>
        <div className="actions">
          <button type="button" onClick={() => setWeekStart(weekStart - DAYS * DAY_MS)}>
            Previous week
          </button>
          <button type="button" onClick={() => setWeekStart(startOfLocalDay(Date.now()))}>
            This week
          </button>
          <button type="button" onClick={() => setWeekStart(weekStart + DAYS * DAY_MS)}>
            Next week
          </button>
        </div>
      </section>
      {list.map((s) => {
        const people = [...new Set(s.layers.flatMap((l) => l.participants))].sort();
        const onCall = (oncall.data?.oncall ?? []).filter((o) => o.schedule === s.name && !o.shadowing).map((o) => o.user);
        return (
          <section key={s.name} className="card" aria-labelledby={`h-schedule-${s.name}`}>
            <h2 id={`h-schedule-${s.name}`}>
              {s.name} <small>team {s.team}, {s.timeZone}</small>
            </h2>
            <p>
              Layers: {s.layers.map((l) => `${l.name} (${l.every}: ${l.participants.join(', ')})`).join('; ')}. <a href={s.calendarUrl}>Calendar feed</a>
            </p>
            <WeekCalendar key={`${weekStart}-${version}`} schedule={s} weekStart={weekStart} />
            <Overrides key={version} schedule={s} onChange={bump} />
            <OverrideForm schedule={s} onCall={onCall} people={people} onSaved={bump} />
          </section>
        );
      })}
    </>
  );
}
