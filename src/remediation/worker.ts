import { claimRemediationWork, runClaimedWork, type ExecutorOptions } from './executor.js';

export interface RemediationWorker {
  /** claims what is due and waits until everything this process holds is done; tests call it after moving the clock */
  runOnce(): Promise<number>;
  /** claim now instead of at the next tick: intake calls it once a new remediation is committed */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Claims remediation work from the queue and runs up to `concurrency`
 * remediations side by side, so one slow step does not hold up the rest.
 * Every replica runs one; leases keep them apart. It claims on a timer, when
 * woken, and when a finished item frees a slot while work was left behind.
 */
export function startRemediationWorker(opts: ExecutorOptions, intervalMs: number, concurrency = 16): RemediationWorker {
  const inFlight = new Set<Promise<void>>();
  let claiming: Promise<number> | null = null;
  let claimAgain = false;
  let stopped = false;

  const claimPass = async (): Promise<number> => {
    const room = concurrency - inFlight.size;
    if (room <= 0) return 0;
    const items = await claimRemediationWork(opts, room);
    for (const item of items) {
      const running: Promise<void> = runClaimedWork(opts, item).finally(() => {
        inFlight.delete(running);
        // A full claim may have left due work behind: take it now.
        if (items.length === room && !stopped) void pass();
      });
      inFlight.add(running);
    }
    return items.length;
  };

  const pass = (): Promise<number> => {
    if (claiming) {
      claimAgain = true;
      return claiming;
    }
    claiming = claimPass()
      .catch((err) => {
        opts.logger.error({ err }, 'claiming remediation work failed');
        return 0;
      })
      .finally(() => {
        claiming = null;
        if (claimAgain && !stopped) {
          claimAgain = false;
          void pass();
        }
      });
    return claiming;
  };

  const timer = intervalMs > 0 ? setInterval(() => void (stopped || pass()), intervalMs) : null;
  timer?.unref();
  const settle = async () => {
    await claiming;
    while (inFlight.size > 0) await Promise.all(inFlight);
  };
  return {
    async runOnce() {
      const claimed = await pass();
      await settle();
      return claimed;
    },
    wake() {
      // Without a timer (tests) work moves only when runOnce is called.
      if (!stopped && intervalMs > 0) void pass();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await settle();
    },
  };
}
