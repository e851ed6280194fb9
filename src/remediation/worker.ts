import { runRemediationWork, type ExecutorOptions } from './executor.js';

export interface RemediationWorker {
  /** one pass over due work; tests call it after moving the clock */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Claims remediation work from the queue on a timer. Every replica runs one; leases keep them apart. */
export function startRemediationWorker(opts: ExecutorOptions, intervalMs: number): RemediationWorker {
  let running: Promise<number> | null = null;
  let stopped = false;
  const runOnce = (): Promise<number> => {
    if (running) return running;
    running = runRemediationWork(opts)
      .catch((err) => {
        opts.logger.error({ err }, 'remediation worker pass failed');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = intervalMs > 0 ? setInterval(() => void (stopped || runOnce()), intervalMs) : null;
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
