import { ApiError, type apiClient } from './apiClient.js';

/**
 * Holds a chaos run's lease from the command that runs it: renewed every
 * renewEveryMs, and `signal` aborts on Ctrl-C / SIGTERM or when the server
 * says the run is over (409: its lease ran out and its faults were
 * reverted). release() stops both.
 */
export function holdRunLease(api: ReturnType<typeof apiClient>, runId: number, renewEveryMs: number): { signal: AbortSignal; release(): void } {
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const renewal = setInterval(() => {
    api.post(`/api/v1/chaos/runs/${runId}/lease`, {}).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 409) stop.abort(new Error(err.message));
    });
  }, renewEveryMs);
  return {
    signal: stop.signal,
    release() {
      clearInterval(renewal);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
