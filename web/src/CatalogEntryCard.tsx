import type { CatalogDependency, CatalogEntry, CatalogLink } from './CatalogApi';
import { webHref } from './CatalogApi';

/** A link from the config: an anchor only for a web address, else the text of it, so a javascript: URL can never be clicked. */
export function CatalogLinkItem({ link }: { link: CatalogLink }) {
  const href = webHref(link.url);
  const label = link.title || link.url;
  return (
    <li data-testid="catalog-link">
      {href ? (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {label}
        </a>
      ) : (
        <span className="unlinked" title="not an http(s) address: shown, not linked">
          {label}
          {link.title ? ` (${link.url})` : ''} <small>not linked: not an http(s) address</small>
        </span>
      )}
      {link.type ? <small> · {link.type}</small> : null}
    </li>
  );
}

/** The repository: a link when it is a web address, else (a git or local path) as written. */
function Repository({ repository }: { repository: string | null }) {
  if (!repository) return <>-</>;
  const href = webHref(repository);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {repository}
    </a>
  ) : (
    <code>{repository}</code>
  );
}

const verdictWords = (v: CatalogDependency['verdict']) => (v === null ? 'not measured' : v === 'no_effect' ? 'no effect' : v);

/** What the service calls: declared in the config, seen in traffic, and what the last sweep found breaking it. */
function DependencyTable({ dependsOn }: { dependsOn: CatalogDependency[] }) {
  if (dependsOn.length === 0) return <p>It declares no dependencies and none were seen in traffic.</p>;
  return (
    <div className="scroll">
      <table data-testid="catalog-dependencies">
        <caption>Depends on</caption>
        <thead>
          <tr>
            <th scope="col">service</th>
            <th scope="col">declared</th>
            <th scope="col">observed</th>
            <th scope="col">last sweep</th>
            <th scope="col">drift</th>
          </tr>
        </thead>
        <tbody>
          {dependsOn.map((d) => (
            <tr key={d.service} data-service={d.service} className={d.drift ? 'drift' : undefined}>
              <td>
                <a href={`#/catalog/${encodeURIComponent(d.service)}`}>{d.service}</a>
              </td>
              <td>{d.declared ?? 'not declared'}</td>
              <td>{d.observed ? 'seen in traffic' : 'not seen'}</td>
              <td className={`verdict-${d.verdict ?? 'not_measured'}`}>{verdictWords(d.verdict)}</td>
              <td>{d.drift ? <span className="drift-flag">⚠ {d.drift}</span> : '-'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The service's catalog entry: who owns it, what it is, where it lives, what it calls and who calls it. */
export function CatalogEntryCard({ entry }: { entry: CatalogEntry }) {
  return (
    <section className="card" aria-labelledby="h-catalog-entry" data-testid="catalog-entry">
      <h2 id="h-catalog-entry">{entry.name}</h2>
      {entry.description ? <p data-testid="catalog-description">{entry.description}</p> : null}
      <dl className="facts">
        <dt>owner</dt>
        <dd>{entry.owner ?? '-'}</dd>
        <dt>system</dt>
        <dd>{entry.system ?? '-'}</dd>
        <dt>lifecycle</dt>
        <dd>{entry.lifecycle ?? '-'}</dd>
        <dt>phase</dt>
        <dd>{entry.phase ?? '-'}</dd>
        <dt>repository</dt>
        <dd data-testid="catalog-repository">
          <Repository repository={entry.repository} />
        </dd>
        <dt>called by</dt>
        <dd>{entry.calledBy.length ? entry.calledBy.join(', ') : 'nobody'}</dd>
      </dl>
      {entry.links.length ? (
        <ul className="links" data-testid="catalog-links" aria-label="links">
          {entry.links.map((l, i) => (
            <CatalogLinkItem key={i} link={l} />
          ))}
        </ul>
      ) : null}
      <DependencyTable dependsOn={entry.dependsOn} />
      {entry.drift.length ? (
        <ul className="drift-sentences" data-testid="catalog-drift" aria-label="drift between what is declared and what was measured">
          {entry.drift.map((d) => (
            <li key={d}>
              <span className="drift-flag">⚠</span> {d}
            </li>
          ))}
        </ul>
      ) : null}
      {entry.changes?.length ? (
        <>
          <h3>Recent changes</h3>
          <ul className="changes" data-testid="catalog-changes">
            {entry.changes.map((c) => (
              <li key={c.id}>
                <time dateTime={c.at}>{new Date(c.at).toLocaleString()}</time> {c.kind}
                {c.version ? ` ${c.version}` : ''}: {c.summary} — {c.who}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
