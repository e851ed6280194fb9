import { periodicTask } from '../store/periodicTask.js';
import { runRemediationWork, type ExecutorOptions } from './executor.js';

export interface RemediationWorker {
  /** one pass over due work; tests call it after moving the clock */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

/** Claims remediation work from the queue on a timer. Every replica runs one; leases keep them apart. */
export function startRemediationWorker(opts: ExecutorOptions, intervalMs: number): RemediationWorker {
  return periodicTask(() => runRemediationWork(opts), {
    intervalMs,
    fallback: 0,
    onError: (err) => opts.logger.error({ err }, 'remediation worker pass failed'),
  });
}
