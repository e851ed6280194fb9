import type { DbOrTx } from '../store/store.js';
import { titleTemplate } from './titleTemplate.js';

export interface ParetoFilter {
  /** epoch ms, inclusive */
  since: number;
  /** epoch ms, exclusive */
  until: number;
  /** only alerts of these services (a team's); undefined: every alert, with or without a service */
  services?: readonly string[] | undefined;
  /** at most this many entries; total, templates and shares still count them all */
  limit: number;
}

export interface ParetoEntry {
  template: string;
  /** firings: alerts that started in the window with a title of this template */
  count: number;
  share: number;
  /** this entry's share plus every entry's above it */
  cumulativeShare: number;
  /** services these firings came from, by name (alerts without a service add none) */
  services: string[];
  /** the title of the newest firing */
  example: string;
  /** when the newest firing started */
  lastSeen: string;
}

export interface AlertPareto {
  /** firings in the window */
  total: number;
  /** distinct templates in the window, shown or not */
  templates: number;
  entries: ParetoEntry[];
}

interface TemplateTally {
  template: string;
  count: number;
  services: Set<string>;
  example: string;
  lastStarted: number;
}

// Shares are for reading, not for summing again; four places is a tenth of a percent of a percent.
const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The most frequent alerts over a window, titles folded into templates, most
 * frequent first. Each time an alert fires anew it is a new row in `alerts`,
 * so rows that started in the window are the firings. The store groups equal
 * titles (repeats of one alert mostly have the same title), so only distinct
 * titles reach the normaliser.
 */
export async function alertPareto(db: DbOrTx, filter: ParetoFilter): Promise<AlertPareto> {
  if (filter.services && filter.services.length === 0) return { total: 0, templates: 0, entries: [] };
  let query = db
    .selectFrom('alerts')
    .select((eb) => ['summary', 'service', eb.fn.countAll<number>().as('firings'), eb.fn.max('starts_at').as('last_started')])
    .where('starts_at', '>=', filter.since)
    .where('starts_at', '<', filter.until)
    .groupBy(['summary', 'service']);
  if (filter.services) query = query.where('service', 'in', [...filter.services]);
  const rows = await query.execute();

  const tallies = new Map<string, TemplateTally>();
  let total = 0;
  for (const row of rows) {
    // PostgreSQL's count(*) is a bigint; this repo's pg setup reads it as a number, Number() keeps it one either way.
    const firings = Number(row.firings);
    const lastStarted = Number(row.last_started);
    const template = titleTemplate(row.summary);
    total += firings;
    let tally = tallies.get(template);
    if (!tally) tallies.set(template, (tally = { template, count: 0, services: new Set(), example: row.summary, lastStarted }));
    tally.count += firings;
    if (row.service !== null) tally.services.add(row.service);
    if (lastStarted > tally.lastStarted || (lastStarted === tally.lastStarted && row.summary < tally.example)) {
      tally.lastStarted = lastStarted;
      tally.example = row.summary;
    }
  }

  // Ties: the more recent first (more likely still worth fixing), then by template so the order is stable.
  const ranked = [...tallies.values()].sort((a, b) => b.count - a.count || b.lastStarted - a.lastStarted || (a.template < b.template ? -1 : a.template > b.template ? 1 : 0));
  let cumulative = 0;
  const entries = ranked.slice(0, filter.limit).map((t): ParetoEntry => {
    cumulative += t.count;
    return {
      template: t.template,
      count: t.count,
      share: round(t.count / total),
      cumulativeShare: round(cumulative / total),
      services: [...t.services].sort(),
      example: t.example,
      lastSeen: new Date(t.lastStarted).toISOString(),
    };
  });
  return { total, templates: tallies.size, entries };
}
