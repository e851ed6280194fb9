export interface PeriodicTask<T> {
  /** one run now, or the run already under way: runs never overlap */
  runOnce(): Promise<T>;
  /** no more runs; waits for the one under way */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (0: only when runOnce is called), one run
 * at a time. A failed run is reported to `onError` and yields `fallback`;
 * the timer goes on.
 */
export function periodicTask<T>(task: () => Promise<T>, opts: { intervalMs: number; fallback: T; onError(err: unknown): void }): PeriodicTask<T> {
  let running: Promise<T> | null = null;
  let stopped = false;
  const runOnce = (): Promise<T> => {
    if (running) return running;
    running = task()
      .catch((err) => {
        opts.onError(err);
        return opts.fallback;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = opts.intervalMs > 0 ? setInterval(() => void (stopped || runOnce()), opts.intervalMs) : null;
  timer?.unref();
  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
