/** A change listed with an incident (GET /api/v1/incidents/:id, changesBefore). */
export interface IncidentChange {
  id: number;
  service: string;
  version: string | null;
  kind: string;
  summary: string;
  who: string;
  commit: string | null;
  link: string | null;
  at: string;
  when: 'before' | 'during';
  via: string[] | null;
}

const minutesBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 60_000);

/**
 * "What changed in the hour before this broke": the first suspects. Everything
 * is rendered as text, the link too: it came from whoever recorded the change.
 */
export function IncidentChanges({ changes, openedAt }: { changes: IncidentChange[] | undefined; openedAt: string }) {
  const list = Array.isArray(changes) ? changes : [];
  return (
    <>
      <h3>Changed in the hour before</h3>
      {list.length === 0 ? (
        <p data-testid="incident-changes-none">No change on the record for this service or what it depends on.</p>
      ) : (
        <ul data-testid="incident-changes">
          {list.map((c) => {
            const mins = minutesBetween(c.at, openedAt);
            return (
              <li key={c.id}>
                <time dateTime={c.at}>{String(c.at).replace('T', ' ').slice(0, 19)}</time> ({c.when === 'before' ? `${mins} min before` : `${-mins} min after it opened`}){' '}
                <strong>{c.service}</strong>
                {c.via ? ` (a dependency: ${c.via.join(' → ')})` : ''} <span className="kind">{c.kind}</span>
                {c.version ? ` ${c.version}` : ''}: {c.summary} — by {c.who}
                {c.commit ? ` · commit ${c.commit.slice(0, 12)}` : ''}
                {c.link ? ` · ${c.link}` : ''}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
