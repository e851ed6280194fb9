import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { formatConfigError } from '../config/index.js';
import { loadConfiguration } from '../loadConfiguration.js';
import { prometheusRules } from '../slo/prometheusRules.js';
import type { SloSpec } from '../slo/sloKind.js';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

interface SloSummary {
  name: string;
  service: string;
  objective: number;
  window: string;
  indicator: string;
  budgetRemaining: number | null;
  tier: string | null;
  urgency: string | null;
  evaluatedAt: string | null;
}

interface SloDetail extends SloSummary {
  budgetingMethod?: 'Occurrences' | 'Timeslices' | 'RatioTimeslices';
  timeslice?: { window: string; objective: number | null } | null;
  counted?: 'events' | 'slices';
  windowStart: string;
  windowEnd: string;
  events: { good: number; bad: number; total: number; allowedBad: number };
  burn: Array<{ tier: string; threshold: number; longWindow: string; shortWindow: string; longBurnRate: number; shortBurnRate: number; badInLongWindow: number; firing: boolean }>;
  history: Array<{ day: string; good: number; total: number }>;
  policyEvents?: Array<{ at: string; state: string; action: string; detail: string }>;
}

interface Backtest {
  slo: string;
  objective: number;
  minBadEvents: number;
  from: string;
  to: string;
  evaluations: number;
  pages: number;
  tickets: number;
  pagedMinutes: number;
  transitions: Array<{ at: string; tier: string | null; urgency: string | null; budgetRemaining: number }>;
}

interface Review {
  slo: string;
  objective: number;
  verdict: string;
  advice: string;
  windows: Array<{ start: string; end: string; objective: number; achieved: number | null; budgetUsed: number | null; met: boolean | null }>;
}

const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);

export function sloCommand(): Command {
  const slo = new Command('slo').description('service-level objectives: error budgets, burn rates and their alerts');
  withServerOptions(slo.command('list').description('every SLO with its budget left and the tier its alert carries').option('--json', 'print JSON')).action(async (flags: ServerFlags & { json?: boolean }) => {
    const r = await apiClient(flags).get<{ slos: SloSummary[] }>('/api/v1/slos');
    if (flags.json) return console.log(JSON.stringify(r, null, 2));
    if (r.slos.length === 0) return console.log('no SLOs are configured');
    console.log(formatTable(['NAME', 'SERVICE', 'OBJECTIVE', 'WINDOW', 'BUDGET LEFT', 'ALERT'], r.slos.map((s) => [s.name, s.service, `${s.objective}%`, s.window, percent(s.budgetRemaining), s.tier ? `${s.tier} (${s.urgency})` : '-'])));
  });
  withServerOptions(slo.command('show <name>').description('one SLO now: its events, budget, and the burn over each alerting window').option('--json', 'print JSON')).action(async (name: string, flags: ServerFlags & { json?: boolean }) => {
    const s = await apiClient(flags).get<SloDetail>(`/api/v1/slos/${encodeURIComponent(name)}`);
    if (flags.json) return console.log(JSON.stringify(s, null, 2));
    const source = s.indicator === 'probe' ? 'probe checks' : s.indicator === 'prometheus' ? 'Prometheus-counted events' : s.indicator === 'heartbeat' ? 'heartbeat minutes' : s.indicator === 'composite' ? 'composite minutes (its parts\' burn, weighted)' : 'pushed events';
    const slices = s.counted === 'slices';
    const what =
      s.budgetingMethod === 'Timeslices' && s.timeslice
        ? `${s.timeslice.window} slices good (a slice is good when ${s.timeslice.objective}% of its ${source} are good)`
        : s.budgetingMethod === 'RatioTimeslices' && s.timeslice
          ? `mean ratio of good ${source} per ${s.timeslice.window} slice`
          : `${source} good`;
    console.log(`${s.name}: ${s.objective}% ${slices ? '' : 'of '}${what} for ${s.service}, ${s.window}${s.budgetingMethod ? `; budgeting: ${s.budgetingMethod}` : ''}`);
    const n = (x: number) => String(Math.round(x * 100) / 100);
    console.log(`window ${s.windowStart} to ${s.windowEnd}: ${n(s.events.bad)} bad of ${n(s.events.total)} ${slices ? 'slices' : 'events'}, ${s.events.allowedBad.toFixed(1)} allowed`);
    console.log(`budget left: ${percent(s.budgetRemaining)}; alert: ${s.tier ? `${s.tier} (${s.urgency})` : 'none'}`);
    console.log(formatTable(['TIER', 'BURN ≥', 'LONG', 'BURN', 'SHORT', 'BURN', slices ? 'BAD SLICES (LONG)' : 'BAD (LONG)', 'FIRING'], s.burn.map((b) => [b.tier, `${b.threshold}×`, b.longWindow, `${b.longBurnRate.toFixed(2)}×`, b.shortWindow, `${b.shortBurnRate.toFixed(2)}×`, n(b.badInLongWindow), b.firing ? 'yes' : 'no'])));
    if (s.policyEvents?.length) {
      console.log('error-budget policy:');
      for (const e of s.policyEvents.slice(0, 10)) console.log(`  ${e.at.replace('T', ' ').slice(0, 19)}  ${e.state.padEnd(9)} ${e.action}: ${e.detail}`);
    }
  });
  withServerOptions(
    slo
      .command('backtest <name>')
      .description('replay stored events minute by minute and show when the SLO alert would have fired, moved and ended')
      .option('--from <time>', 'RFC 3339 start (default: 7 days before --to)')
      .option('--to <time>', 'RFC 3339 end (default: now)')
      .option('--objective <percent>', 'try another objective')
      .option('--min-bad-events <n>', 'try another low-traffic guard')
      .option('--json', 'print JSON'),
  ).action(async (name: string, flags: ServerFlags & { from?: string; to?: string; objective?: string; minBadEvents?: string; json?: boolean }) => {
    const q = new URLSearchParams();
    if (flags.from) q.set('from', flags.from);
    if (flags.to) q.set('to', flags.to);
    if (flags.objective) q.set('objective', flags.objective);
    if (flags.minBadEvents) q.set('minBadEvents', flags.minBadEvents);
    const r = await apiClient(flags).get<Backtest>(`/api/v1/slos/${encodeURIComponent(name)}/backtest${q.size ? `?${q}` : ''}`);
    if (flags.json) return console.log(JSON.stringify(r, null, 2));
    console.log(`${r.slo} at ${r.objective}% (minBadEvents ${r.minBadEvents}), ${r.from} to ${r.to}: ${r.pages} page(s), ${r.tickets} ticket(s), ${r.pagedMinutes} minute(s) paging`);
    if (r.transitions.length === 0) return console.log('the alert would not have fired');
    console.log(formatTable(['AT', 'ALERT', 'BUDGET LEFT'], r.transitions.map((t) => [t.at, t.tier ? `${t.tier} (${t.urgency})` : 'resolved', percent(t.budgetRemaining)])));
  });
  withServerOptions(slo.command('review <name>').description('the target against what was achieved over the last windows, with advice').option('--windows <n>', 'how many windows back', '3').option('--json', 'print JSON')).action(
    async (name: string, flags: ServerFlags & { windows: string; json?: boolean }) => {
      const r = await apiClient(flags).get<Review>(`/api/v1/slos/${encodeURIComponent(name)}/review?windows=${encodeURIComponent(flags.windows)}`);
      if (flags.json) return console.log(JSON.stringify(r, null, 2));
      console.log(`${r.slo} (${r.objective}% now): ${r.advice}`);
      console.log(formatTable(['WINDOW', 'TARGET', 'ACHIEVED', 'BUDGET USED', 'MET'], r.windows.map((w) => [`${w.start.slice(0, 10)} to ${w.end.slice(0, 10)}`, `${w.objective}%`, w.achieved === null ? '-' : `${(w.achieved * 100).toFixed(3)}%`, w.budgetUsed === null ? '-' : `${(w.budgetUsed * 100).toFixed(0)}%`, w.met === null ? 'no data' : w.met ? 'yes' : 'no'])));
    },
  );
  slo
    .command('rules')
    .description('write the SLOs whose indicator is a Prometheus query as Prometheus recording and alerting rules, with a promtool test file beside them')
    .requiredOption('--config <dir>', 'the config directory with the SLO documents')
    .option('--out <dir>', 'where to write slo-rules.yaml and slo-rules.test.yaml', '.')
    .action(async (flags: { config: string; out: string }) => {
      const result = await loadConfiguration(flags.config);
      if (!result.ok) {
        for (const e of result.errors) console.error(formatConfigError(e));
        console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${flags.config}; no rules written`);
        process.exitCode = 1;
        return;
      }
      const files = prometheusRules([...result.config.byKind<SloSpec>('SLO').values()]);
      for (const s of files.skipped) console.error(`skipped ${s.slo}: ${s.reason}`);
      if (files.slos.length === 0) {
        console.error('no SLO has a Prometheus indicator (indicator.prometheus); no rules written');
        process.exitCode = 1;
        return;
      }
      mkdirSync(flags.out, { recursive: true });
      writeFileSync(join(flags.out, 'slo-rules.yaml'), files.rules);
      writeFileSync(join(flags.out, 'slo-rules.test.yaml'), files.tests);
      console.log(`wrote ${join(flags.out, 'slo-rules.yaml')} and slo-rules.test.yaml for ${files.slos.join(', ')}; check with: promtool check rules slo-rules.yaml && promtool test rules slo-rules.test.yaml`);
    });
  return slo;
}
