import type { GraphService } from './DependencyGraph';
import { when } from './when';

/** Each service's reliability score from the runs that broke its calls: 0–100, or not measured. */
export function ChaosServiceTable({ services }: { services: GraphService[] }) {
  return (
    <div className="scroll">
      <table data-testid="chaos-services">
        <caption>Services</caption>
        <thead>
          <tr>
            <th scope="col">service</th>
            <th scope="col">reliability</th>
            <th scope="col">runs</th>
            <th scope="col">last run</th>
            <th scope="col">critical path</th>
          </tr>
        </thead>
        <tbody>
          {services.map((s) => {
            const score = s.reliability?.score ?? null;
            return (
              <tr key={s.name}>
                <td>{s.name}</td>
                <td data-score={score ?? 'none'}>{score === null ? 'not measured' : `${score} / 100`}</td>
                <td>{s.reliability?.runs ?? 0}</td>
                <td>
                  <time dateTime={s.reliability?.lastRunAt ?? undefined}>{when(s.reliability?.lastRunAt)}</time>
                </td>
                <td>{s.onCriticalPath ? 'yes' : 'no'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
