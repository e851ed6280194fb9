import type { LoadedConfig } from '../../config/index.js';
import type { CheckStatus } from '../checks/checkOutcome.js';
import type { CampaignSpec } from './scorecardKinds.js';
import type { ServiceScore } from './scorecard.js';

const DAY = 24 * 3600_000;

export interface CampaignProgress {
  name: string;
  check: string;
  team: string;
  owner: string;
  description: string | null;
  due: string;
  daysLeft: number;
  overdue: boolean;
  passing: number;
  total: number;
  /** each of the team's services and where it stands on the check (exempt counts as done) */
  services: Array<{ service: string; status: CheckStatus | 'exempt'; fact: string }>;
}

/** Every campaign: the team's services that pass its check, how many days are left, whether it is overdue. */
export function campaignProgress(config: LoadedConfig, scores: readonly ServiceScore[], now: number): CampaignProgress[] {
  return [...config.byKind<CampaignSpec>('ScorecardCampaign').values()].map((doc) => {
    const c = doc.spec;
    const services = scores
      .filter((s) => s.team === c.team)
      .map((s) => {
        const check = s.checks.find((x) => x.id === c.check);
        return { service: s.service, status: check?.exemption ? ('exempt' as const) : (check?.status ?? ('not_measured' as const)), fact: check?.fact ?? `no check ${c.check}` };
      });
    const passing = services.filter((s) => s.status === 'passed' || s.status === 'exempt').length;
    const dueAt = Date.parse(`${c.due}T00:00:00Z`) + DAY;
    return {
      name: doc.name,
      check: c.check,
      team: c.team,
      owner: c.owner,
      description: c.description ?? null,
      due: c.due,
      daysLeft: Math.ceil((dueAt - now) / DAY),
      overdue: now >= dueAt && passing < services.length,
      passing,
      total: services.length,
      services,
    };
  });
}

/** What a team's digest says is due: campaigns not done within 14 days of their date (or past it), and services behind their phase's level. */
export function upkeepDue(team: string, campaigns: readonly CampaignProgress[], scores: readonly ServiceScore[]): string[] {
  const lines: string[] = [];
  for (const c of campaigns) {
    if (c.team !== team || c.passing === c.total || c.daysLeft > 14) continue;
    const left = c.services.filter((s) => s.status !== 'passed' && s.status !== 'exempt').map((s) => s.service);
    lines.push(`${c.overdue ? 'OVERDUE' : `due in ${c.daysLeft} day(s)`}: campaign ${c.name} (${c.check}, owner ${c.owner}): ${c.passing} of ${c.total} services pass; left: ${left.join(', ')}`);
  }
  for (const s of scores) {
    if (s.team !== team || !s.behind) continue;
    const holding = s.checks.filter((c) => !c.exemption && c.status !== 'passed' && c.level <= (s.expected ?? 0)).map((c) => c.id);
    lines.push(`${s.service} is at ${s.levelName}, below what its ${s.phase} phase expects (level ${s.expected}): ${holding.join(', ')}`);
  }
  return lines;
}
