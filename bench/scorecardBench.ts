import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/kinds.js';
import { loadConfigDir } from '../src/config/index.js';
import { openStore, type Store } from '../src/store/store.js';
import { builtinChecks, type CheckDefinition } from '../src/catalog/scorecard/builtinChecks.js';
import { evaluateScorecard } from '../src/catalog/scorecard/scorecard.js';
import { freshPostgres } from './intakeBench.js';

export interface ScorecardFigures {
  store: string;
  services: number;
  checks: number;
  rows: Record<string, number>;
  /** one evaluation of every service's every check: facts gathered, graded */
  runsMs: number[];
  medianMs: number;
}

const DAY = 86_400_000;

/** The built-in checks, then variants of them under other ids until there are `n` (the cost of a check is its evaluation over gathered facts). */
function checksOf(n: number): CheckDefinition[] {
  const out: CheckDefinition[] = [];
  for (let i = 0; out.length < n; i++) for (const c of builtinChecks) if (out.length < n) out.push(i === 0 ? c : { ...c, id: `${c.id}-${i}` });
  return out;
}

async function seed(store: Store, services: number, now: number): Promise<Record<string, number>> {
  const db = store.db;
  const hosts = [];
  for (let s = 0; s < services; s++) for (let h = 0; h < 3; h++) hosts.push({ name: `svc-${s}-${h}`, pool: `svc-${s}`, service: `svc-${s}`, cluster: 'c1', address: `10.0.${s % 250}.${h}:8080`, labels: '{}', provider: 'local-process', provider_ref: null, state: 'in_service' as const, state_reason: '', origin: 'pool', replaces: null, drained_by: null, created_at: now - 60 * DAY, updated_at: now, state_changed_at: now - 60 * DAY });
  for (let i = 0; i < hosts.length; i += 500) await db.insertInto('hosts').values(hosts.slice(i, i + 500)).execute();
  const targets = hosts.filter((_, i) => i % 7 !== 0).map((h) => ({ probe: 'health', host: h.name, firing: 0, consecutive_failures: 0, consecutive_successes: 3, last_at: now, next_at: now }));
  for (let i = 0; i < targets.length; i += 500) await db.insertInto('probe_targets').values(targets.slice(i, i + 500)).execute();
  const alerts = [];
  for (let s = 0; s < services; s++) for (let a = 0; a < 20; a++) alerts.push({ fingerprint: `fp-${s}-${a}`, source: 'prometheus', status: 'resolved' as const, labels: JSON.stringify({ alertname: `Alert${a % 4}`, service: `svc-${s}` }), annotations: '{}', summary: `Alert${a % 4}`, severity: 'warning', service: `svc-${s}`, host: null, dedup_key: null, generator_url: null, starts_at: now - (a + 1) * DAY, ends_at: now - a * DAY, ends_at_from_timeout: 0, last_seen_at: now - a * DAY, acknowledged_at: null, resolved_at: now - a * DAY, occurrences: 1, silenced_by: null, created_at: now - (a + 1) * DAY, updated_at: now });
  for (let i = 0; i < alerts.length; i += 500) await db.insertInto('alerts').values(alerts.slice(i, i + 500)).execute();
  const incidents = [];
  for (let s = 0; s < services; s++) for (let k = 0; k < 5; k++) incidents.push({ title: `svc-${s} down`, status: 'resolved' as const, service: `svc-${s}`, remediation_id: null, alert_ids: '[]', story: '[]', created_at: now - (k + 1) * 3 * DAY, updated_at: now, team: `team-${s % 50}`, escalation_policy: null, escalation_step: 0, escalation_round: 0, acknowledged_at: null, acknowledged_by: null, resolved_at: now, resolved_by: 'x', urgency: 'high' as const });
  for (let i = 0; i < incidents.length; i += 500) await db.insertInto('incidents').values(incidents.slice(i, i + 500) as never).execute();
  const upkeep = [];
  for (let s = 0; s < services; s++) for (const check of ['upkeep.todo-trend', 'upkeep.major-versions', 'upkeep.tls', 'upkeep.ci-duration', 'upkeep.flaky-tests', 'performance.latency-regression']) for (let d = 0; d < 5; d++) upkeep.push({ service: `svc-${s}`, check, measured_at: now - d * DAY, outcome: JSON.stringify({ status: d % 2 ? 'passed' : 'failed', fact: 'seeded', source: 'bench', measuredAt: now - d * DAY }) });
  for (let i = 0; i < upkeep.length; i += 500) await db.insertInto('upkeep_measurements').values(upkeep.slice(i, i + 500)).execute();
  return { hosts: hosts.length, probeTargets: targets.length, alerts: alerts.length, incidents: incidents.length, upkeepMeasurements: upkeep.length };
}

function configDir(services: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-scorecard-bench-'));
  const docs: string[] = [];
  for (let t = 0; t < 50; t++) {
    docs.push(`apiVersion: prodeng/v1\nkind: User\nmetadata: { name: user-${t}-a }\nspec: { email: a${t}@example.com }`, `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: user-${t}-b }\nspec: { email: b${t}@example.com }`);
    docs.push(`apiVersion: prodeng/v1\nkind: Team\nmetadata: { name: team-${t} }\nspec: { members: [{ user: user-${t}-a }, { user: user-${t}-b }] }`);
    docs.push(`apiVersion: prodeng/v1\nkind: Schedule\nmetadata: { name: team-${t}-primary }\nspec:\n  team: team-${t}\n  timeZone: UTC\n  layers: [{ name: weekly, rotation: { every: 1w }, start: "2026-01-05T09:00:00", participants: [user-${t}-a, user-${t}-b] }]`);
  }
  const phases = ['bootstrap', 'scale', 'excellence'];
  for (let s = 0; s < services; s++) docs.push(`apiVersion: prodeng/v1\nkind: Service\nmetadata: { name: svc-${s} }\nspec: { owner: team-${s % 50}, phase: ${phases[s % 3]} }`);
  writeFileSync(join(dir, 'services.yaml'), docs.join('\n---\n'));
  return dir;
}

/** The scorecard of 1,000 services × 100 checks over a seeded store: facts gathered in a few queries, every check graded. */
export async function scorecardBench(options: { services: number; checks: number; runs: number; postgresUrl?: string }): Promise<ScorecardFigures[]> {
  const now = Date.parse('2026-12-06T12:00:00Z');
  const dir = configDir(options.services);
  const loaded = await loadConfigDir(dir);
  if (!loaded.ok) throw new Error(`bench config: ${JSON.stringify(loaded.errors.slice(0, 3))}`);
  const checks = checksOf(options.checks);
  const figures: ScorecardFigures[] = [];
  const targets: Array<{ name: string; open(): Promise<{ store: Store; cleanup(): Promise<void> }> }> = [
    {
      name: 'SQLite',
      open: async () => {
        const dataDir = mkdtempSync(join(tmpdir(), 'prodeng-scorecard-db-'));
        const store = await openStore({ dataDir });
        return { store, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
      },
    },
  ];
  if (options.postgresUrl) {
    const base = options.postgresUrl;
    targets.push({
      name: 'PostgreSQL',
      open: async () => {
        const db = await freshPostgres(base);
        const store = await openStore({ databaseUrl: db.url });
        return { store, cleanup: () => db.drop() };
      },
    });
  }
  for (const target of targets) {
    const { store, cleanup } = await target.open();
    try {
      const rows = await seed(store, options.services, now);
      const runsMs: number[] = [];
      for (let r = 0; r < options.runs; r++) {
        const t0 = performance.now();
        const scores = await evaluateScorecard(store.db, loaded.config, now, checks);
        runsMs.push(performance.now() - t0);
        if (scores.length !== options.services || scores[0]!.checks.length !== options.checks) throw new Error('the bench graded the wrong thing');
      }
      const sorted = [...runsMs].sort((a, b) => a - b);
      figures.push({ store: target.name, services: options.services, checks: options.checks, rows, runsMs, medianMs: sorted[Math.floor((sorted.length - 1) / 2)]! });
    } finally {
      await store.close();
      await cleanup();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return figures;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function scorecardSection(figures: readonly ScorecardFigures[], machine: string): string {
  const f0 = figures[0]!;
  return `## catalog: scorecard evaluation

Every service's every check graded once, as \`GET /api/v1/scorecard\` and the scorecard monitor do: the facts of all services gathered from the store in a few queries (hosts, probe targets, remediations, chaos runs, host transitions, incidents, alerts, stored upkeep outcomes, sweep verdicts, SLO state) and the config (schedules, escalation, shadows, SLOs, runbooks), then ${fmt(f0.checks)} checks per service (the ${builtinChecks.length} built-in ones and variants of them under other ids) graded in memory with OpsLevel's level rule. Seeded: ${Object.entries(f0.rows).map(([k, v]) => `${fmt(v)} ${k}`).join(', ')}. No peer is named for this workload; the goal is under 5 s for 1,000 services × 100 checks.

Run ${new Date().toISOString()} on ${machine}.

| store | services | checks each | runs (ms) | median (ms) | goal |
|---|---:|---:|---|---:|---|
${figures.map((f) => `| ${f.store} | ${fmt(f.services)} | ${fmt(f.checks)} | ${f.runsMs.map((x) => fmt(x)).join(', ')} | ${fmt(f.medianMs)} | ${f.medianMs < 5000 ? 'met' : '**not met**'} |`).join('\n')}
`;
}
