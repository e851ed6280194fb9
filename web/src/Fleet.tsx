import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from './api';
import { useActor } from './actor';
import { useApi } from './useApi';

interface Host {
  name: string;
  pool: string | null;
  service: string | null;
  cluster: string | null;
  address: string | null;
  state: string;
  stateReason: string;
  stateChangedAt: string;
  /** in service but failing a probe now (from servers that report it) */
  failing?: boolean;
}
interface ProbeTarget {
  probe: string;
  host: string;
  availability: number | null;
  firing: boolean;
  lastDetail: string;
}
interface LabState {
  running: boolean;
  scenarios: string[];
  hosts: Array<{ host: string; service: string | null; faults: string[]; answering: boolean }>;
}

const SCENARIO_HELP: Record<string, string> = {
  crash: 'the process exits',
  hang: 'stops answering',
  slow: 'answers late',
  errors: 'answers 500s',
  'disk-full': 'writes fail',
  leak: 'memory grows',
};

function groupBy<T>(items: T[], key: (t: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const i of items) groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

function probeStatus(targets: ProbeTarget[]): string {
  if (targets.length === 0) return 'not probed';
  return targets
    .map((t) => `${t.probe}: ${t.firing ? 'FAILING' : 'ok'}${t.availability === null ? '' : ` ${(t.availability * 100).toFixed(1)}%`}`)
    .join('; ');
}

/** The demo shop's faults as buttons: break a host, watch prodeng notice and heal it. */
function LabPanel({ lab, onChange }: { lab: LabState; onChange(): void }) {
  const services = [...new Set(lab.hosts.map((h) => h.service).filter((s): s is string => !!s))].sort();
  const [service, setService] = useState('');
  const [host, setHost] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const chosen = service || services[0] || '';
  const hostsOfService = lab.hosts.filter((h) => h.service === chosen).map((h) => h.host).sort();
  // "any" (empty) lets the server pick; a host that left the service falls back to any.
  const target = hostsOfService.includes(host) ? host : '';
  const where = target ? { service: chosen, host: target } : { service: chosen };
  const send = (path: string, body: object) =>
    api<{ host?: string; effect?: unknown; healed?: string[] }>(path, { method: 'POST', body }).then(
      (r) => {
        setResult(r.healed ? `Healed ${r.healed.join(', ') || 'nothing'}.` : `${r.host}: ${typeof r.effect === 'string' ? r.effect : 'fault injected'}.`);
        onChange();
      },
      (e: unknown) => setResult(e instanceof ApiError ? e.message : String(e)),
    );
  const broken = lab.hosts.filter((h) => h.faults.length > 0 || !h.answering);
  return (
    <section className="card" aria-labelledby="h-lab">
      <h2 id="h-lab">Lab: break the demo shop</h2>
      <div className="actions">
        <label>
          Service{' '}
          <select
            value={chosen}
            onChange={(e) => {
              setService(e.target.value);
              setHost('');
            }}
          >
            {services.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Host{' '}
          <select value={target} onChange={(e) => setHost(e.target.value)}>
            <option value="">any</option>
            {hostsOfService.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
        {lab.scenarios.map((s) => (
          <button key={s} type="button" title={SCENARIO_HELP[s]} onClick={() => void send('/api/v1/lab/break', { scenario: s, ...where })}>
            Break: {s}
          </button>
        ))}
        <button type="button" onClick={() => void send('/api/v1/lab/heal', where)}>
          Heal {target || chosen}
        </button>
      </div>
      {result ? (
        <p role="status" data-testid="lab-result">
          {result}
        </p>
      ) : null}
      {broken.length ? (
        <p>
          Faults now:{' '}
          {broken.map((h) => `${h.host} (${h.answering ? h.faults.join(', ') : 'not answering'})`).join('; ')}
        </p>
      ) : (
        <p>No faults injected.</p>
      )}
    </section>
  );
}

type Operation = 'drain' | 'undrain' | 'repair' | 'replace';

/** What a confirmed replace or repair does, said before it is done. */
const CONSEQUENCE: Partial<Record<Operation, (h: Host) => string>> = {
  replace: (h) => `A new host is provisioned in pool ${h.pool}; once it serves, ${h.name} is drained and taken out, then repaired in the background (it returns if the repair works, otherwise it is decommissioned).`,
  repair: (h) => `${h.name} is repaired by its provider (${h.pool ? `pool ${h.pool}` : 'static host'}) and returns to service once it is ready again.`,
};

/** The page's own confirmation: says what will happen, and acts only on an explicit yes (Escape or Cancel is a no). */
function ConfirmDialog({ title, text, confirm, onConfirm, onCancel }: { title: string; text: string; confirm: string; onConfirm(): void; onCancel(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    return () => dialog?.close?.();
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm card"
      aria-labelledby="h-confirm"
      aria-describedby="confirm-text"
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="h-confirm">{title}</h2>
      <p id="confirm-text">{text}</p>
      <div className="actions">
        <button type="button" onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" onClick={onCancel} autoFocus>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** Failing a probe now: the host list says so when the server reports it, else the probe results do. */
function isFailing(h: Host, targets: ProbeTarget[]): boolean {
  return h.failing ?? targets.some((t) => t.firing);
}

/** Hosts per pool with their state and probe status, failing ones first; drain, undrain, repair and replace (asked first); the lab's fault buttons when a lab runs. */
export function Fleet() {
  const hosts = useApi<{ hosts: Host[] }>('/api/v1/hosts', 5000, ['host']);
  const probes = useApi<{ targets: ProbeTarget[] }>('/api/v1/probes/availability', 5000, ['alert']);
  const lab = useApi<LabState>('/api/v1/lab', 10_000, ['host']);
  const [who, setWho, commitWho] = useActor();
  const [why, setWhy] = useState('');
  const [showGone, setShowGone] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [asking, setAsking] = useState<{ host: Host; operation: Operation } | null>(null);
  const probesOf = (host: string) => (probes.data?.targets ?? []).filter((t) => t.host === host);
  const operate = (host: string, operation: Operation) => {
    const by = commitWho();
    if (!by || !why.trim()) return setProblem('Say who you are and why first.');
    setBusy(`${operation} ${host}`);
    setDone(null);
    api<Host>(`/api/v1/hosts/${encodeURIComponent(host)}/${operation}`, { method: 'POST', body: { by, reason: why.trim() } })
      .then(
        (h) => {
          setProblem(null);
          setDone(`${operation} ${host}: done; ${h.name} is ${String(h.state ?? '').replace(/_/g, ' ')}${h.stateReason ? ` (${h.stateReason})` : ''}.`);
        },
        (e: unknown) => setProblem(e instanceof ApiError ? e.message : String(e)),
      )
      .finally(() => {
        setBusy(null);
        hosts.reload();
      });
  };
  /** Replace and repair change hosts for good: the page asks first, after checking who and why are given. */
  const ask = (host: Host, operation: Operation) => {
    if (!who.trim() || !why.trim()) return setProblem('Say who you are and why first.');
    setProblem(null);
    setAsking({ host, operation });
  };
  const visible = (hosts.data?.hosts ?? []).filter((h) => showGone || h.state !== 'decommissioned');
  const failing = (h: Host) => isFailing(h, probesOf(h.name));
  return (
    <>
      {lab.data && lab.data.hosts.length > 0 ? <LabPanel lab={lab.data} onChange={lab.reload} /> : null}
      <section className="card" aria-labelledby="h-fleet-hosts">
        <h2 id="h-fleet-hosts">Fleet</h2>
        <div className="actions">
          <label>
            You are <input value={who} onChange={(e) => setWho(e.target.value)} placeholder="your name" />
          </label>
          <label>
            Why <input value={why} onChange={(e) => setWhy(e.target.value)} placeholder="reason" />
          </label>
          <label>
            <input type="checkbox" checked={showGone} onChange={(e) => setShowGone(e.target.checked)} /> show decommissioned
          </label>
          {busy ? <span role="status">{busy}…</span> : null}
        </div>
        {problem ? <p role="alert">{problem}</p> : null}
        {done && !busy ? (
          <p role="status" data-testid="fleet-result">
            {done}
          </p>
        ) : null}
        {asking ? (
          <ConfirmDialog
            title={`${asking.operation === 'replace' ? 'Replace' : 'Repair'} ${asking.host.name}?`}
            text={`${CONSEQUENCE[asking.operation]!(asking.host)} Reason: ${why.trim()}.`}
            confirm={`${asking.operation === 'replace' ? 'Replace' : 'Repair'} ${asking.host.name}`}
            onCancel={() => setAsking(null)}
            onConfirm={() => {
              const { host, operation } = asking;
              setAsking(null);
              operate(host.name, operation);
            }}
          />
        ) : null}
        {groupBy(visible, (h) => `${h.pool ?? '(no pool)'} · ${h.cluster ?? 'no cluster'}`).map(([group, list]) => (
          <div key={group} className="scroll">
            <table data-testid={`hosts-${group.split(' ')[0]}`}>
              <caption>{group}</caption>
              <thead>
                <tr>
                  <th scope="col">host</th>
                  <th scope="col">state</th>
                  <th scope="col">probes</th>
                  <th scope="col">why</th>
                  <th scope="col">
                    <span className="visually-hidden">actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...list.filter(failing), ...list.filter((h) => !failing(h))].map((h) => (
                  <tr key={h.name} className={`state-${h.state}${failing(h) ? ' failing' : ''}`} data-host={h.name}>
                    <td>{h.name}</td>
                    <td>
                      {h.state.replace(/_/g, ' ')}
                      {failing(h) ? (
                        <>
                          {' '}
                          <strong className="badge failing">failing</strong>
                        </>
                      ) : null}
                    </td>
                    <td>{probeStatus(probesOf(h.name))}</td>
                    <td>{h.stateReason}</td>
                    <td>
                      {h.state === 'in_service' ? (
                        <button type="button" disabled={busy !== null} onClick={() => operate(h.name, 'drain')}>
                          Drain {h.name}
                        </button>
                      ) : null}
                      {h.state === 'out_of_service' || h.state === 'draining' ? (
                        <button type="button" disabled={busy !== null} onClick={() => operate(h.name, 'undrain')}>
                          Undrain {h.name}
                        </button>
                      ) : null}
                      {h.state === 'out_of_service' ? (
                        <button type="button" disabled={busy !== null} onClick={() => ask(h, 'repair')}>
                          Repair {h.name}
                        </button>
                      ) : null}
                      {h.pool && (h.state === 'in_service' || h.state === 'out_of_service') ? (
                        <button type="button" disabled={busy !== null} onClick={() => ask(h, 'replace')}>
                          Replace {h.name}
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </section>
    </>
  );
}
