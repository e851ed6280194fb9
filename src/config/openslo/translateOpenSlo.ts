import type { ConfigDoc } from '../configDoc.js';
import type { DocPath } from '../documentPlace.js';
import { configErrorMap } from '../issueMessages.js';
import { kindDefinition } from '../kindRegistry.js';
import type { LoadedConfig } from '../loadedConfig.js';
import { didYouMean } from '../references.js';
import { prometheusQueries, type PrometheusIndicatorInput } from './prometheusQueries.js';
import { DURATION_SHORTHAND, type MetricSource, type OpenSloAlertPolicySpec, type OpenSloDataSourceSpec, type OpenSloObjective, type OpenSloSliSpec, type OpenSloSloSpec, type OpenSloTimeWindow } from './openSloSchemas.js';

/** Where a problem in one OpenSLO object goes: a path inside the object. */
export interface ObjectPlace {
  error(path: DocPath, message: string): { file: string; line: number; column: number; path: string; message: string };
}

export interface OpenSloObject {
  doc: ConfigDoc;
  place: ObjectPlace;
}

export interface Translation {
  /** prodeng SLO documents, one per objective, each with the place its problems belong to */
  slos: Array<{ doc: ConfigDoc; place: ObjectPlace }>;
  problems: Array<{ place: ObjectPlace; path: DocPath; message: string; severity: 'error' | 'warning' }>;
}

/** The kinds OpenSLO objects are kept under, apart from prodeng's own (an OpenSLO Service is not a prodeng Service). */
export const openSloKind = (kind: string) => `OpenSLO.${kind}`;

const UNIT_DAYS: Record<string, number> = { d: 1, w: 7, M: 30, Q: 90, Y: 365 };
const CALENDARS: Record<string, string> = { d: 'day', w: 'week', M: 'month', Q: 'quarter', Y: 'year' };

/** A duration shorthand as a prodeng duration (a month is 30 days, a quarter 90, a year 365). */
function prodengDuration(shorthand: string): string {
  const [, n, unit] = DURATION_SHORTHAND.exec(shorthand)!;
  return unit === 'm' || unit === 'h' ? `${n}${unit}` : `${Number(n) * UNIT_DAYS[unit!]!}d`;
}

type Problem = Translation['problems'][number];

/**
 * OpenSLO SLOs as prodeng SLOs: the indicator (inline or an SLI by name,
 * its metric sources resolved through DataSources) becomes one prodeng
 * indicator, each objective one SLO evaluated like any other. What prodeng
 * cannot read (a Datadog query) is checked and reported, not evaluated.
 */
export function translateOpenSlo(objects: OpenSloObject[], config: LoadedConfig): Translation {
  const out: Translation = { slos: [], problems: [] };
  const byKind = (kind: string) => config.byKind(openSloKind(kind));
  for (const { doc, place } of objects) {
    if (doc.kind !== openSloKind('SLO')) continue;
    const spec = doc.spec as OpenSloSloSpec;
    const report = (path: DocPath, message: string, severity: 'error' | 'warning' = 'error') => out.problems.push({ place, path: ['spec', ...path], message, severity });
    const notEvaluated = (path: DocPath, why: string) => report(path, `SLO ${doc.name} is checked but not evaluated: ${why}`, 'warning');

    const objectives = spec.objectives ?? [];
    if (objectives.length === 0) {
      notEvaluated([], 'it has no objectives');
      continue;
    }
    const window = nativeWindow(spec.timeWindow[0]!, (path, message, severity) => report(['timeWindow', 0, ...path], message, severity));
    if (!window) continue;
    const dataSources = byKind('DataSource') as Map<string, ConfigDoc<OpenSloDataSourceSpec>>;
    const composite = objectives.some((o) => o.indicator || o.indicatorRef);
    const labels = Object.fromEntries(Object.entries((doc.metadata.labels ?? {}) as Record<string, string | string[]>).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));

    /** One prodeng SLO from an objective (or the composite), parsed by the SLO kind's own schema; false after a problem. */
    const addSlo = (name: string, input: Record<string, unknown>, objectiveIndex: number, indicatorPath: DocPath): boolean => {
      const native = kindDefinition('SLO')!.spec.safeParse({ service: spec.service, ...(spec.description ? { description: spec.description } : {}), window, ...input }, { error: configErrorMap });
      if (!native.success) {
        for (const issue of native.error.issues) report(openSloPathOf(issue.path, objectiveIndex, indicatorPath), issue.message);
        return false;
      }
      out.slos.push({ doc: { kind: 'SLO', name, metadata: { name, labels, annotations: { ...doc.metadata.annotations, 'openslo.com/slo': doc.name } }, spec: native.data, source: doc.source }, place });
      return true;
    };
    const budgeting = (objective: OpenSloObjective) => ({
      objective: percent(objective),
      budgetingMethod: spec.budgetingMethod,
      ...(spec.budgetingMethod === 'Occurrences'
        ? {}
        : { timeslice: { window: prodengDuration(objective.timeSliceWindow!), ...(spec.budgetingMethod === 'Timeslices' ? { objective: Math.round(objective.timeSliceTarget! * 1e9) / 1e7 } : {}) } }),
    });
    /** The SLI an objective (or, standard, the SLO) measures with, and where in the document it is. */
    const sliOf = (holder: { indicator?: { spec: OpenSloSliSpec } | undefined; indicatorRef?: string | undefined }, at: DocPath): { sli: OpenSloSliSpec; path: DocPath } | undefined => {
      const sli = holder.indicator?.spec ?? (holder.indicatorRef ? (byKind('SLI').get(holder.indicatorRef)?.spec as OpenSloSliSpec | undefined) : undefined);
      if (sli) return { sli, path: holder.indicator ? [...at, 'indicator', 'spec'] : [...at, 'indicatorRef'] };
      const names = config.declaredNames(openSloKind('SLI'));
      // A declared but broken SLI was reported where it is.
      if (!names.includes(holder.indicatorRef!)) notEvaluated([...at, 'indicatorRef'], `SLI "${holder.indicatorRef}" does not exist${names.length ? didYouMean(holder.indicatorRef!, names) : ' (no SLI is defined)'}`);
      return undefined;
    };

    if (!composite) {
      const measured = sliOf(spec, []);
      if (!measured) continue;
      objectives.forEach((objective, i) => {
        const indicator = nativeIndicator(measured.sli, objective, dataSources, (path, message) => report([...measured.path, ...path], message));
        if (indicator === undefined) return;
        if ('unsupported' in indicator) return notEvaluated(measured.path, String(indicator.unsupported));
        addSlo(objectives.length === 1 ? doc.name : objectiveName(doc.name, objective, i), { ...budgeting(objective), indicator }, i, measured.path);
      });
      continue;
    }

    // A composite: each objective its own SLO (counted, not alerting on its own), and the SLO itself their weighted burn.
    const parts: Array<{ name: string; input: Record<string, unknown>; i: number; path: DocPath; weight: number; objective: number }> = [];
    for (const [i, objective] of objectives.entries()) {
      const at: DocPath = ['objectives', i];
      if (!objective.indicator && !objective.indicatorRef) {
        report(at, 'a composite SLO gives each objective its own indicator or indicatorRef');
        break;
      }
      const measured = sliOf(objective, at);
      if (!measured) break;
      const indicator = nativeIndicator(measured.sli, objective, dataSources, (path, message) => report([...measured.path, ...path], message));
      if (indicator === undefined) break;
      if ('unsupported' in indicator) {
        notEvaluated(measured.path, String(indicator.unsupported));
        break;
      }
      const input = { ...budgeting(objective), indicator, alerting: { page: false, ticket: false }, policy: { notify: [] } };
      parts.push({ name: objectiveName(doc.name, objective, i), input, i, path: measured.path, weight: objective.compositeWeight ?? 1, objective: percent(objective) });
    }
    if (parts.length !== objectives.length) continue;
    if (!parts.every((p) => addSlo(p.name, p.input, p.i, p.path))) continue;
    const weights = parts.reduce((n, p) => n + p.weight, 0);
    const objective = Math.round((parts.reduce((n, p) => n + p.weight * p.objective, 0) / weights) * 1e7) / 1e7;
    addSlo(doc.name, { objective, indicator: { composite: parts.map((p) => ({ slo: p.name, weight: p.weight })) } }, 0, ['objectives']);
  }
  return out;
}

/** An objective's target in percent, as prodeng writes it. */
function percent(objective: OpenSloObjective): number {
  return objective.targetPercent ?? Math.round(objective.target! * 1e9) / 1e7;
}

/** A prodeng SLO's name for one of several objectives: the SLO's name and the objective's (or its position). */
function objectiveName(slo: string, objective: OpenSloObjective, i: number): string {
  const slug = (objective.displayName ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `${slo}.${slug || String(i + 1)}`;
  return name.length <= 63 && /[a-z0-9]$/.test(name) ? name : `${slo.slice(0, 58)}.${i + 1}`;
}

/** Where in the OpenSLO object a prodeng SLO field came from. */
function openSloPathOf(path: readonly PropertyKey[], objective: number, indicatorPath: DocPath): DocPath {
  const [first] = path;
  if (first === 'objective') return ['objectives', objective];
  if (first === 'window') return ['timeWindow', 0];
  if (first === 'timeslice') return ['objectives', objective, 'timeSliceWindow'];
  if (first === 'indicator') return indicatorPath;
  return first === undefined ? [] : [String(first)];
}

function nativeWindow(window: OpenSloTimeWindow, report: (path: DocPath, message: string, severity?: 'error' | 'warning') => void): unknown {
  if (window.isRolling) return prodengDuration(window.duration);
  const [, n, unit] = DURATION_SHORTHAND.exec(window.duration)!;
  const calendar = CALENDARS[unit!];
  if (n !== '1' || !calendar) {
    report(['duration'], `prodeng evaluates calendar windows of one day, week, month, quarter or year (1d, 1w, 1M, 1Q, 1Y), not ${window.duration}`);
    return undefined;
  }
  const cal = window.calendar!;
  const [date, time] = cal.startTime.split(' ');
  const [, month, day] = date!.split('-');
  const firstDay = { day: true, week: true, month: day === '01', quarter: day === '01' && ['01', '04', '07', '10'].includes(month!), year: day === '01' && month === '01' }[calendar as 'day'];
  const aligned = time === '00:00:00' && firstDay;
  if (!aligned) report(['calendar', 'startTime'], `prodeng starts each calendar ${calendar} at 00:00 on its first day in the time zone${calendar === 'week' ? ' (a week on Monday)' : ''}, not at ${cal.startTime}`, 'warning');
  return { calendar, timeZone: cal.timeZone || 'UTC' };
}

type NativeIndicator = Record<string, unknown> | { unsupported: string };

/** The prodeng indicator an SLI's metrics describe, undefined after an error was reported. */
function nativeIndicator(sli: OpenSloSliSpec, objective: OpenSloObjective, dataSources: Map<string, ConfigDoc<OpenSloDataSourceSpec>>, report: (path: DocPath, message: string) => void): NativeIndicator | undefined {
  const sources: Array<{ role: 'good' | 'bad' | 'total' | 'raw' | 'threshold'; source: MetricSource; path: DocPath }> = [];
  if (sli.thresholdMetric) sources.push({ role: 'threshold', source: sli.thresholdMetric.metricSource, path: ['thresholdMetric', 'metricSource'] });
  const ratio = sli.ratioMetric;
  for (const role of ['good', 'bad', 'total', 'raw'] as const) {
    const holder = ratio?.[role];
    if (holder) sources.push({ role, source: holder.metricSource, path: ['ratioMetric', role, 'metricSource'] });
  }
  const resolved: Array<{ role: (typeof sources)[number]['role']; type: string; spec: Record<string, unknown>; url?: string; path: DocPath }> = [];
  for (const s of sources) {
    let type = s.source.type;
    let url: string | undefined;
    if (s.source.metricSourceRef) {
      const ds = dataSources.get(s.source.metricSourceRef);
      // A missing (or broken) DataSource was reported with the references (or where it is).
      if (!ds) return { unsupported: `DataSource "${s.source.metricSourceRef}" is not in the config` };
      type ??= ds.spec.type;
      url = connectionUrl(ds.spec.connectionDetails);
    }
    if (!type) {
      report([...s.path, 'type'], 'is required without a metricSourceRef: what kind of source (e.g. Prometheus, or prodeng for prodeng\'s own counts)');
      return undefined;
    }
    resolved.push({ role: s.role, type, spec: s.source.spec, path: s.path, ...(url ? { url } : {}) });
  }
  const types = [...new Set(resolved.map((r) => r.type.toLowerCase()))];
  if (types.length > 1) return { unsupported: `its metrics come from different kinds of source (${resolved.map((r) => r.type).join(', ')})` };
  const type = types[0]!;

  if (type === 'prodeng') {
    if (sli.thresholdMetric) return { unsupported: 'a thresholdMetric of type prodeng: prodeng\'s own indicators are ratios' };
    // prodeng counts good and total of one source together: every metric source names the same one.
    const [first, ...rest] = resolved;
    const differs = rest.find((r) => JSON.stringify(r.spec) !== JSON.stringify(first!.spec));
    if (differs) {
      report([...differs.path, 'spec'], 'with type prodeng, every metric source names the same prodeng indicator (events, probe or heartbeat): prodeng counts its good and total events together');
      return undefined;
    }
    if (ratio?.raw) return { unsupported: 'a raw ratio of type prodeng: give good (or bad) and total' };
    return first!.spec;
  }
  if (type === 'prometheus') {
    const queries: Partial<Record<(typeof resolved)[number]['role'], string>> = {};
    for (const r of resolved) {
      const query = r.spec.query ?? r.spec.promql;
      if (typeof query !== 'string' || query.trim() === '') {
        report([...r.path, 'spec', 'query'], 'is required for a Prometheus source: the PromQL to ask');
        return undefined;
      }
      queries[r.role] = query.trim();
    }
    const url = resolved.find((r) => r.url)?.url;
    const input: PrometheusIndicatorInput = { queries, counter: ratio?.counter ?? false, rawType: ratio?.rawType, op: objective.op, value: objective.value };
    return { prometheus: { ...(url ? { url } : {}), ...prometheusQueries(input) } };
  }
  return { unsupported: `prodeng does not read ${resolved[0]!.type} (it reads Prometheus, and its own counts with type prodeng)` };
}

/** A DataSource's URL, from connectionDetails as a mapping or a list of mappings (as OpenSLO's examples write it). */
function connectionUrl(details: unknown): string | undefined {
  const entries = Array.isArray(details) ? details : [details];
  for (const e of entries) {
    if (e && typeof e === 'object' && typeof (e as { url?: unknown }).url === 'string') return (e as { url: string }).url;
  }
  return undefined;
}

/**
 * What OpenSLO objects name by reference must exist: an SLO's alert
 * policies, a policy's condition and targets, a metric source's DataSource.
 * (An SLO's SLI is resolved, and reported, when it is translated.)
 */
export function openSloReferences(doc: ConfigDoc, config: LoadedConfig): Array<{ path: DocPath; message: string }> {
  const problems: Array<{ path: DocPath; message: string }> = [];
  const mustExist = (kind: string, name: string | undefined, path: DocPath) => {
    if (name === undefined) return;
    const names = config.declaredNames(openSloKind(kind));
    if (!names.includes(name)) problems.push({ path, message: `${kind} "${name}" does not exist${names.length ? didYouMean(name, names) : ` (no ${kind} is defined)`}` });
  };
  const policy = (spec: OpenSloAlertPolicySpec | undefined, at: DocPath) => {
    spec?.conditions.forEach((c, i) => mustExist('AlertCondition', (c as { conditionRef?: string }).conditionRef, [...at, 'conditions', i, 'conditionRef']));
    spec?.notificationTargets.forEach((t, i) => mustExist('AlertNotificationTarget', (t as { targetRef?: string }).targetRef, [...at, 'notificationTargets', i, 'targetRef']));
  };
  const sources = (sli: OpenSloSliSpec | undefined, at: DocPath) => {
    if (!sli) return;
    if (sli.thresholdMetric) mustExist('DataSource', sli.thresholdMetric.metricSource.metricSourceRef, [...at, 'thresholdMetric', 'metricSource', 'metricSourceRef']);
    for (const role of ['good', 'bad', 'total', 'raw'] as const) mustExist('DataSource', sli.ratioMetric?.[role]?.metricSource.metricSourceRef, [...at, 'ratioMetric', role, 'metricSource', 'metricSourceRef']);
  };
  if (doc.kind === openSloKind('AlertPolicy')) policy(doc.spec as OpenSloAlertPolicySpec, ['spec']);
  if (doc.kind === openSloKind('SLI')) sources(doc.spec as OpenSloSliSpec, ['spec']);
  if (doc.kind === openSloKind('SLO')) {
    const spec = doc.spec as OpenSloSloSpec;
    sources(spec.indicator?.spec, ['spec', 'indicator', 'spec']);
    spec.objectives?.forEach((o, i) => {
      sources(o.indicator?.spec, ['spec', 'objectives', i, 'indicator', 'spec']);
      if (o.indicatorRef) mustExist('SLI', o.indicatorRef, ['spec', 'objectives', i, 'indicatorRef']);
    });
    spec.alertPolicies?.forEach((item, i) => {
      const p = item as { alertPolicyRef?: string; spec?: OpenSloAlertPolicySpec };
      mustExist('AlertPolicy', p.alertPolicyRef, ['spec', 'alertPolicies', i, 'alertPolicyRef']);
      policy(p.spec, ['spec', 'alertPolicies', i, 'spec']);
    });
  }
  return problems;
}

export type { Problem };
