/**
 * What the catalog and scorecard API answers (src/api/catalogRoutes.ts), as
 * the Catalog and Scorecard pages read it. Every string in here came from a
 * config file or a measurement: the pages render it as text, never as markup.
 */
export type CheckStatus = 'passed' | 'failed' | 'not_measured';
/** What a check shows as: an exemption in force outranks what was measured. */
export type CheckMark = CheckStatus | 'exempt';
export type LevelName = 'none' | 'bronze' | 'silver' | 'gold';

export interface CatalogLink {
  url: string;
  title?: string;
  type?: string;
}

export interface CatalogDependency {
  service: string;
  declared: 'required' | 'optional' | null;
  observed: boolean;
  verdict: 'critical' | 'degradable' | 'no_effect' | null;
  drift: string | null;
}

export interface CatalogEntry {
  name: string;
  owner: string | null;
  description: string | null;
  system: string | null;
  lifecycle: string | null;
  phase: string | null;
  repository: string | null;
  links: CatalogLink[];
  dependsOn: CatalogDependency[];
  calledBy: string[];
  drift: string[];
  /** the newest changes on the record (one service's entry only) */
  changes?: Array<{ id: number; kind: string; version: string | null; summary: string; who: string; at: string }>;
}

export interface ScoredCheck {
  id: string;
  layer: string;
  level: 1 | 2 | 3;
  title: string;
  status: CheckStatus;
  fact: string;
  source: string;
  /** epoch ms */
  measuredAt: number;
  evidence?: Record<string, unknown>;
  exemption: { reason: string; expires: string } | null;
}

export interface ServiceScore {
  service: string;
  team: string | null;
  phase: string | null;
  level: 0 | 1 | 2 | 3;
  levelName: LevelName;
  expected: 1 | 2 | 3 | null;
  behind: boolean;
  counts: { passed: number; failed: number; notMeasured: number; exempt: number };
  checks: ScoredCheck[];
}

export interface ScoreDay {
  day: string;
  level: number;
  passed: number;
  failed: number;
  notMeasured: number;
}

export interface ScorecardNotice {
  at: string;
  title: string;
  detail: string;
}

export interface ServiceScoreDetail extends ServiceScore {
  history: ScoreDay[];
  notices: ScorecardNotice[];
}

export interface PyramidRubric {
  /** bottom-up: lifecycle first */
  layers: Array<{ layer: string; title: string }>;
  checks: Array<{ id: string; layer: string; level: 1 | 2 | 3; title: string }>;
}

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
  services: Array<{ service: string; status: CheckMark; fact: string }>;
}

export const LEVEL_NAMES: readonly LevelName[] = ['none', 'bronze', 'silver', 'gold'];

export const markOf = (c: Pick<ScoredCheck, 'status' | 'exemption'>): CheckMark => (c.exemption ? 'exempt' : c.status);

/**
 * The URL as an href when it is a web address, else null: links come from
 * config files anyone may edit, and a javascript: or data: URL in an href
 * would run in the console's origin.
 */
export function webHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}
