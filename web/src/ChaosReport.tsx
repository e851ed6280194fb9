import { useEffect, useState } from 'react';
import { ApiError, apiText } from './api';

/**
 * The run's report (Markdown) when the server has one, as preformatted text:
 * it quotes journal data, so it is never turned into HTML. A 404 means no
 * report (yet), and the section is left out; `version` refetches it when the
 * run changes (it ends, its journal comes in).
 */
export function ChaosReport({ runId, version }: { runId: number; version: string }) {
  const [report, setReport] = useState<{ text: string } | { error: string } | null>(null);
  useEffect(() => {
    let current = true;
    apiText(`/api/v1/chaos/runs/${runId}/report`, 'text/markdown').then(
      (text) => current && setReport({ text }),
      (e: unknown) => current && setReport(e instanceof ApiError && e.status === 404 ? null : { error: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      current = false;
    };
  }, [runId, version]);
  if (!report) return null;
  return (
    <section className="card" aria-labelledby="h-chaos-report">
      <h2 id="h-chaos-report">Report</h2>
      {'error' in report ? (
        <p className="error">The report could not be loaded: {report.error}</p>
      ) : (
        <pre data-testid="chaos-report" tabIndex={0}>
          {report.text}
        </pre>
      )}
    </section>
  );
}
