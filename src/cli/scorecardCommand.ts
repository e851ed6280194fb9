import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';

interface Score {
  service: string;
  team: string | null;
  phase: string | null;
  level: number;
  levelName: string;
  expected: number | null;
  behind: boolean;
  counts: { passed: number; failed: number; notMeasured: number; exempt: number };
  checks: Array<{ id: string; layer: string; level: number; title: string; status: string; fact: string; source: string; measuredAt: number; exemption: { reason: string; expires: string } | null }>;
}

const mark = (c: Score['checks'][number]) => (c.exemption ? 'exempt' : c.status === 'passed' ? 'pass' : c.status === 'failed' ? 'FAIL' : 'n/m');

/** `prodeng scorecard`: where each service stands on the pyramid, from prodeng's own records. */
export function scorecardCommand(): Command {
  return withServerOptions(
    new Command('scorecard')
      .description("each service's level on the service pyramid and the checks behind it")
      .option('--service <name>', 'one service, every check with its evidence')
      .option('--team <name>', "one team's services")
      .option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { service?: string; team?: string; json?: boolean }) => {
    const query = new URLSearchParams({ ...(flags.service ? { service: flags.service } : {}), ...(flags.team ? { team: flags.team } : {}) });
    const { services } = await apiClient(flags).get<{ services: Score[] }>(`/api/v1/scorecard${query.size ? `?${query}` : ''}`);
    if (flags.json) return console.log(JSON.stringify({ services }, null, 2));
    if (services.length === 0) return console.log('no services');
    if (flags.service) {
      const s = services[0]!;
      console.log(`${s.service} (team ${s.team ?? '-'}, phase ${s.phase ?? 'not set'}): ${s.levelName}${s.expected ? `, expected level ${s.expected}${s.behind ? ' (BEHIND)' : ''}` : ''}`);
      for (const layer of [...new Set(s.checks.map((c) => c.layer))]) {
        console.log(`\n${layer}`);
        for (const c of s.checks.filter((x) => x.layer === layer)) {
          console.log(`  [${mark(c).padEnd(6)}] L${c.level} ${c.id}: ${c.fact}${c.exemption ? ` (exempt until ${c.exemption.expires}: ${c.exemption.reason})` : ''}  — ${c.source}`);
        }
      }
      return;
    }
    const width = Math.max(7, ...services.map((s) => s.service.length));
    console.log(`${'service'.padEnd(width)}  ${'team'.padEnd(10)}  ${'phase'.padEnd(10)}  level     pass  fail  n/m  exempt`);
    for (const s of services) {
      console.log(`${s.service.padEnd(width)}  ${(s.team ?? '-').padEnd(10)}  ${(s.phase ?? '-').padEnd(10)}  ${`${s.levelName}${s.behind ? '!' : ''}`.padEnd(8)}  ${String(s.counts.passed).padStart(4)}  ${String(s.counts.failed).padStart(4)}  ${String(s.counts.notMeasured).padStart(3)}  ${String(s.counts.exempt).padStart(6)}`);
    }
    if (services.some((s) => s.behind)) console.log('\n! below the level its phase expects');
  });
}
