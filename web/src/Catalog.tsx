import { useState } from 'react';
import type { CatalogEntry, ServiceScore } from './CatalogApi';
import { CatalogServiceTable } from './CatalogServiceTable';
import { DependencyGraph, type ChaosGraph } from './DependencyGraph';
import { ScorecardCampaigns } from './ScorecardCampaigns';
import { useApi } from './useApi';

/** The owners a filter can pick, from the catalog itself so a team with no services is not offered. */
const teamsOf = (entries: readonly CatalogEntry[]) => [...new Set(entries.map((e) => e.owner).filter((o): o is string => !!o))].sort();

function TeamFilter({ teams, team, onChange }: { teams: string[]; team: string; onChange(team: string): void }) {
  return (
    <label>
      Team{' '}
      <select value={team} onChange={(e) => onChange(e.target.value)} data-testid="catalog-team">
        <option value="">all teams</option>
        {teams.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The services, filtered by team, each with the level it has reached. */
function CatalogServicesCard() {
  const [team, setTeam] = useState('');
  const { data: catalog, error } = useApi<{ services: CatalogEntry[] }>('/api/v1/catalog/services', 30_000);
  // The server filters the scores; the catalog list is filtered here so the team choices stay whole.
  const { data: scored, error: scoreError } = useApi<{ services: ServiceScore[] }>(`/api/v1/scorecard${team ? `?team=${encodeURIComponent(team)}` : ''}`, 30_000);
  const entries = (catalog?.services ?? []).filter((e) => !team || e.owner === team);
  const scores = new Map((scored?.services ?? []).map((s) => [s.service, s]));
  const behind = entries.filter((e) => scores.get(e.name)?.behind).length;
  return (
    <section className="card" aria-labelledby="h-catalog">
      <h2 id="h-catalog">Service catalog</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {scoreError ? <p className="error">scorecard: {scoreError.message}</p> : null}
      {!catalog && !error ? <p>Loading…</p> : null}
      {catalog ? (
        <>
          <div className="actions">
            <TeamFilter teams={teamsOf(catalog.services)} team={team} onChange={setTeam} />
            <span data-testid="catalog-summary">
              {entries.length} service{entries.length === 1 ? '' : 's'}, {behind} behind what their phase expects
            </span>
          </div>
          {catalog.services.length === 0 ? <p>No services are configured (kind Service).</p> : <CatalogServiceTable entries={entries} scores={scores} />}
        </>
      ) : null}
    </section>
  );
}

/** Who calls whom, declared and observed, with the last sweep's verdicts: the Chaos page's picture. */
function CatalogGraphCard() {
  const { data: graph, error } = useApi<ChaosGraph>('/api/v1/catalog/graph', 30_000);
  return (
    <section className="card" aria-labelledby="h-catalog-graph">
      <h2 id="h-catalog-graph">Dependencies</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {!graph && !error ? <p>Loading…</p> : null}
      {graph && graph.services.length === 0 && graph.edges.length === 0 ? <p>No services declare dependencies and discovery has seen no calls yet.</p> : null}
      {graph && (graph.services.length > 0 || graph.edges.length > 0) ? (
        <div className="scroll">
          <DependencyGraph graph={graph} />
        </div>
      ) : null}
    </section>
  );
}

/** #/catalog: every service, its owner and level; the campaigns under way; the dependency graph. */
export function Catalog() {
  return (
    <>
      <CatalogServicesCard />
      <ScorecardCampaigns />
      <CatalogGraphCard />
    </>
  );
}
