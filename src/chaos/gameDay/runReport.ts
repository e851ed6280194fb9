import type { DbOrTx } from '../../store/store.js';
import type { ActivityDefinition, Experiment, Journal, RunRecord, SteadyState } from '../experiment/index.js';
import { code, inline, table, when } from './markdownText.js';

/** Everything a run's report tells, read from the store once. */
export interface RunReportData {
  run: {
    id: number;
    title: string;
    service: string | null;
    status: string;
    deviated: boolean;
    kind: string;
    experimentName: string | null;
    gameDay: string | null;
    startedBy: string;
    startedAt: number;
    endedAt: number | null;
  };
  experiment: Partial<Experiment>;
  /** the journal (null while running); a refused run's is `{refused}` */
  journal: (Partial<Journal> & { refused?: string }) | null;
  faults: Array<{ id: number; kind: string; target: unknown; injectedAt: number; revertedAt: number | null; revertedBy: string | null }>;
  alerts: Array<{ id: number; name: string; summary: string; severity: string; status: string; startsAt: number; resolvedAt: number | null }>;
  incidents: Array<{ id: number; title: string; status: string; urgency: string; createdAt: number; resolvedAt: number | null }>;
}

const parse = (text: string | null): any => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/**
 * A run and what happened around it: its faults, the alerts the chaos hook
 * labelled `chaos_run=<id>`, and the incidents opened for its service while
 * it ran (until now, for a run still going). Null when there is no such run.
 */
export async function loadRunReport(db: DbOrTx, id: number, now: number): Promise<RunReportData | null> {
  const r = await db.selectFrom('chaos_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  const journal = parse(r.journal);
  const faults = await db.selectFrom('chaos_faults').selectAll().where('run_id', '=', id).orderBy('id').execute();
  // Labels are stored as JSON.stringify writes them; the pattern is exact, and the id is digits only.
  const alerts = await db
    .selectFrom('alerts')
    .select(['id', 'labels', 'summary', 'severity', 'status', 'starts_at', 'resolved_at'])
    .where('labels', 'like', `%"chaos_run":"${id}"%`)
    .orderBy('starts_at')
    .orderBy('id')
    .limit(500)
    .execute();
  const windowEnd = r.ended_at === null ? now : Number(r.ended_at);
  const incidents = r.service
    ? await db.selectFrom('incidents').select(['id', 'title', 'status', 'urgency', 'created_at', 'resolved_at']).where('service', '=', r.service).where('created_at', '>=', Number(r.started_at)).where('created_at', '<=', windowEnd).orderBy('created_at').orderBy('id').limit(200).execute()
    : [];
  return {
    run: {
      id: Number(r.id),
      title: r.title,
      service: r.service,
      status: r.status,
      deviated: r.deviated === 1,
      kind: r.kind,
      experimentName: r.experiment_name,
      gameDay: r.game_day,
      startedBy: r.started_by,
      startedAt: Number(r.started_at),
      endedAt: r.ended_at === null ? null : Number(r.ended_at),
    },
    experiment: (journal?.experiment as Partial<Experiment> | undefined) ?? parse(r.experiment) ?? {},
    journal,
    faults: faults.map((f) => ({ id: Number(f.id), kind: f.kind, target: parse(f.target), injectedAt: Number(f.injected_at), revertedAt: f.reverted_at === null ? null : Number(f.reverted_at), revertedBy: f.reverted_by })),
    alerts: alerts.map((a) => {
      const labels = (parse(a.labels) ?? {}) as Record<string, string>;
      return { id: Number(a.id), name: labels.alertname ?? a.summary, summary: a.summary, severity: a.severity, status: a.status, startsAt: Number(a.starts_at), resolvedAt: a.resolved_at === null ? null : Number(a.resolved_at) };
    }),
    incidents: incidents.map((i) => ({ id: Number(i.id), title: i.title, status: i.status, urgency: i.urgency, createdAt: Number(i.created_at), resolvedAt: i.resolved_at === null ? null : Number(i.resolved_at) })),
  };
}

/** The verdict in plain words: what the status and the deviation mean for the hypothesis. */
export function verdictOf(data: Pick<RunReportData, 'run' | 'journal'>): { headline: string; explanation: string } {
  const { run, journal } = data;
  const before = journal?.steady_states?.before;
  switch (run.status) {
    case 'running':
      return { headline: 'Still running', explanation: 'The run has not ended yet; this report shows what happened so far.' };
    case 'refused':
      return { headline: 'Refused', explanation: `Nothing ran: ${journal?.refused ?? 'the guard refused the run'}.` };
    case 'completed':
      return run.deviated
        ? { headline: 'Completed, deviated', explanation: 'The method ran to its end but the steady state did not hold afterwards.' }
        : { headline: 'Completed: the hypothesis held', explanation: 'The method ran to its end and the steady state held before and after it. The system tolerated the fault.' };
    case 'failed':
      if (run.deviated) return { headline: 'Failed: the steady state deviated', explanation: 'The steady state held before the method and not after (or during) it: the system did not tolerate the fault. This is a finding to act on.' };
      if (before && before.steady_state_met === false) return { headline: 'Failed: no steady state to begin with', explanation: 'The steady state did not hold before the method, so the method was not run and nothing was injected: the system was not healthy when the run began.' };
      return { headline: 'Failed', explanation: 'The run failed without deviating from its steady state.' };
    case 'aborted':
      return { headline: 'Aborted', explanation: 'The run stopped on an error (an activity that could not run, or a configuration value missing); the hypothesis was not tested to the end. Its rollbacks ran.' };
    case 'interrupted':
      return { headline: 'Interrupted', explanation: 'The run was stopped before it ended (a person, the server stopping, or its runner dying); what it injected was rolled back or reverted by the server. The hypothesis was not tested to the end.' };
    default:
      return { headline: run.status, explanation: '' };
  }
}

/** A short summary of an activity's output: an http status, a process's exit, else the value cut short. */
export function outputSummary(output: unknown): string {
  if (output === null || output === undefined) return '–';
  if (typeof output === 'object' && !Array.isArray(output)) {
    const o = output as Record<string, unknown>;
    if (typeof o.status === 'number' && 'headers' in o) return `http ${o.status}`;
    if ('stdout' in o || 'stderr' in o) return `exit ${String(o.status)}`;
    // what prodeng's own functions answer: a fault injected, faults reverted
    if (typeof o.id === 'number' && typeof o.kind === 'string') return `fault ${o.id} (${inline(o.kind)})`;
    if (Array.isArray(o.reverted)) return o.reverted.length === 0 ? 'nothing to revert' : `reverted fault ${o.reverted.map((r) => inline(r)).join(', ')}`;
  }
  return code(output, 60);
}

const seconds = (s: number | null | undefined) => (typeof s === 'number' ? `${s.toFixed(s < 10 ? 2 : 1)} s` : '–');
const lastLine = (lines: string[] | null | undefined) => (lines && lines.length > 0 ? lines[lines.length - 1]!.trim() : '');

function probeRows(state: SteadyState): string[][] {
  return state.probes.map((p) => [inline(p.activity?.name), p.tolerance_met === undefined ? '–' : p.tolerance_met ? 'met' : '**not met**', outputSummary(p.output), p.status === 'failed' ? inline(lastLine(p.exception)) : '']);
}

function activityRows(records: RunRecord[]): string[][] {
  return records.map((r) => [inline(r.activity?.name), inline(r.activity?.type), r.status === 'succeeded' ? 'succeeded' : '**failed**', seconds(r.duration), r.status === 'failed' ? inline(lastLine(r.exception)) : outputSummary(r.output)]);
}

function hypothesisSection(experiment: Partial<Experiment>): string[] {
  const h = experiment['steady-state-hypothesis'];
  if (!h) return ['## Hypothesis', '', 'The experiment states no steady-state hypothesis.'];
  const probes = (h.probes ?? []) as ActivityDefinition[];
  return ['## Hypothesis', '', `**${inline(h.title)}**`, '', probes.length === 0 ? 'No probes.' : table(['probe', 'tolerance'], probes.map((p) => [inline(p.name), code(p.tolerance)]))];
}

function probeResultsSection(journal: RunReportData['journal']): string[] {
  const states = journal?.steady_states;
  const out = ['## Probe results', ''];
  if (!states) return [...out, 'No probe ran.'];
  const phase = (label: string, state: SteadyState | null | undefined) => {
    if (!state) return [`### ${label}`, '', 'Not run.', ''];
    return [`### ${label}: steady state ${state.steady_state_met ? 'met' : state.steady_state_met === false ? '**not met**' : 'unknown'}`, '', table(['probe', 'tolerance', 'output', 'error'], probeRows(state)), ''];
  };
  out.push(...phase('Before the method', states.before));
  const during = states.during ?? [];
  if (during.length > 0) {
    const missed = during.filter((s) => s.steady_state_met === false).length;
    out.push(`### During the method: ${during.length} checks, ${missed} not met`, '', table(['check', 'probe', 'tolerance', 'output', 'error'], during.flatMap((s, i) => probeRows(s).map((row) => [String(i + 1), ...row]))), '');
  }
  out.push(...phase('After the method', states.after));
  return out;
}

function faultsSection(faults: RunReportData['faults']): string[] {
  if (faults.length === 0) return ['## Faults injected', '', 'None.'];
  const how = (f: RunReportData['faults'][number]) => {
    if (f.revertedAt === null) return '**not reverted yet**';
    switch (f.revertedBy) {
      case 'never injected':
        return 'never injected (the injection failed)';
      case 'rollback':
        return "by the experiment's rollback";
      case 'run ended':
        return 'by prodeng when the run ended (the rollbacks left it)';
      case 'lease expired':
        return "by the dead man's switch (the runner stopped renewing its lease)";
      default:
        return `by ${inline(f.revertedBy)}`;
    }
  };
  return ['## Faults injected', '', table(['fault', 'kind', 'target', 'injected', 'reverted', 'how'], faults.map((f) => [String(f.id), inline(f.kind), code(f.target), when(f.injectedAt), when(f.revertedAt), how(f)]))];
}

function timelineSection(data: RunReportData): string[] {
  const events: Array<{ at: number; order: number; what: string }> = [];
  events.push({ at: data.run.startedAt, order: 0, what: 'run started' });
  for (const f of data.faults) {
    events.push({ at: f.injectedAt, order: 1, what: `fault ${f.id} injected (${inline(f.kind)})` });
    if (f.revertedAt !== null && f.revertedBy !== 'never injected') events.push({ at: f.revertedAt, order: 3, what: `fault ${f.id} reverted` });
  }
  for (const a of data.alerts) {
    events.push({ at: a.startsAt, order: 2, what: `alert ${inline(a.name)} fired (${inline(a.severity)}): ${inline(a.summary)}` });
    if (a.resolvedAt !== null) events.push({ at: a.resolvedAt, order: 3, what: `alert ${inline(a.name)} resolved` });
  }
  for (const i of data.incidents) {
    events.push({ at: i.createdAt, order: 2, what: `incident ${i.id} opened (${i.urgency === 'low' ? 'a ticket, nobody paged' : 'paged'}): ${inline(i.title)}` });
    if (i.resolvedAt !== null) events.push({ at: i.resolvedAt, order: 3, what: `incident ${i.id} resolved` });
  }
  if (data.run.endedAt !== null) events.push({ at: data.run.endedAt, order: 4, what: `run ended: ${inline(data.run.status)}` });
  events.sort((a, b) => a.at - b.at || a.order - b.order);
  const alertsSeen = data.alerts.length + data.incidents.length;
  return [
    '## Alert timeline',
    '',
    alertsSeen === 0 ? `No alert carried \`chaos_run=${data.run.id}\` and no incident was opened${data.run.service ? ` for ${inline(data.run.service)}` : ''} during the run.` : `${data.alerts.length} alerts labelled \`chaos_run=${data.run.id}\`, ${data.incidents.length} incidents opened${data.run.service ? ` for ${inline(data.run.service)}` : ''} during the run.`,
    '',
    table(['time', 'event'], events.map((e) => [when(e.at), e.what])),
  ];
}

/** The run's report in Markdown: what was tested, the verdict, the evidence, and how the system and the people around it reacted. */
export function renderRunReport(data: RunReportData): string {
  const { run, journal, experiment } = data;
  const verdict = verdictOf(data);
  const lines: string[] = [`# Chaos run ${run.id}: ${inline(run.title, 300)}`, ''];
  if (experiment.description) lines.push(...String(experiment.description).split(/\r?\n/).map((l) => `> ${inline(l, 2000)}`), '');
  lines.push(
    table(
      ['', ''],
      [
        ['experiment', run.experimentName ? `${inline(run.experimentName)} (config)` : inline(run.kind)],
        ...(run.gameDay ? [['game day', inline(run.gameDay)]] : []),
        ['service', run.service ? inline(run.service) : '–'],
        ['started', `${when(run.startedAt)} by ${inline(run.startedBy)}`],
        ['ended', run.endedAt === null ? 'not yet' : `${when(run.endedAt)} (${seconds((run.endedAt - run.startedAt) / 1000)})`],
      ],
    ),
    '',
    '## Verdict',
    '',
    `**${verdict.headline}.** ${verdict.explanation}`,
    '',
    `Status \`${inline(run.status)}\`, ${run.deviated ? 'deviated' : 'did not deviate'}.`,
    '',
    ...hypothesisSection(experiment),
    '',
    ...probeResultsSection(journal),
    '',
    '## Method',
    '',
    (journal?.run ?? []).length === 0 ? 'No activity of the method ran.' : table(['activity', 'type', 'status', 'duration', 'output or error'], activityRows(journal!.run!)),
    '',
    '## Rollbacks',
    '',
    (journal?.rollbacks ?? []).length === 0 ? 'None ran.' : table(['activity', 'type', 'status', 'duration', 'output or error'], activityRows(journal!.rollbacks!)),
    '',
    ...faultsSection(data.faults),
    '',
    ...timelineSection(data),
    '',
  );
  const notes = journal?.prodeng?.notes ?? [];
  if (notes.length > 0) lines.push('## Notes', '', ...notes.map((n) => `- ${inline(n, 500)}`), '');
  return lines.join('\n');
}
