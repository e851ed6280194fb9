import type { CampaignProgress } from './CatalogApi';
import { CheckStatusMark } from './ScorecardMarks';
import { useApi } from './useApi';

/** When it is due, in words: days left, due today, or overdue. */
function dueWords(c: CampaignProgress): string {
  if (c.overdue) return `overdue since ${c.due}`;
  if (c.passing === c.total) return `due ${c.due}: done`;
  if (c.daysLeft <= 0) return `due ${c.due}`;
  return `due ${c.due}, ${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'} left`;
}

function CampaignCard({ campaign: c }: { campaign: CampaignProgress }) {
  return (
    <article className={`campaign${c.overdue ? ' overdue' : ''}`} data-testid="campaign" data-campaign={c.name}>
      <h3>
        {c.name} <small>check {c.check} · team {c.team} · owner {c.owner}</small>
      </h3>
      {c.description ? <p>{c.description}</p> : null}
      <p data-testid="campaign-progress">
        <meter min={0} max={Math.max(1, c.total)} value={c.passing} aria-label={`${c.name}: services done`} /> {c.passing} of {c.total} services done · {dueWords(c)}
      </p>
      <ul className="campaign-services">
        {c.services.map((s) => (
          <li key={s.service} data-service={s.service}>
            <a href={`#/catalog/${encodeURIComponent(s.service)}`}>{s.service}</a> <CheckStatusMark mark={s.status} /> <small>{s.fact}</small>
          </li>
        ))}
      </ul>
    </article>
  );
}

/** Campaigns: one check a team is bringing all its services to, by a date. */
export function ScorecardCampaigns() {
  const { data, error } = useApi<{ campaigns: CampaignProgress[] }>('/api/v1/scorecard/campaigns', 30_000);
  return (
    <section className="card" aria-labelledby="h-campaigns" data-testid="campaigns">
      <h2 id="h-campaigns">Campaigns</h2>
      {error ? <p className="error">{error.message}</p> : null}
      {!data && !error ? <p>Loading…</p> : null}
      {data && data.campaigns.length === 0 ? <p>No campaigns are configured (kind ScorecardCampaign).</p> : null}
      {data?.campaigns.map((c) => <CampaignCard key={c.name} campaign={c} />)}
    </section>
  );
}
