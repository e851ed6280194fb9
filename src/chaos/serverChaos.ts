import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/index.js';
import type { Clock } from '../store/clock.js';
import type { Store } from '../store/store.js';
import type { Experiment } from './experiment/index.js';
import type { FaultKind } from './faultKinds.js';
import type { GameDayDoc, GameDaySpec } from './gameDay/gameDayKind.js';
import { gameDayTask } from './gameDay/gameDayTask.js';
import { ServerRuns } from './serverRuns.js';

/** The chaos stage's part of the server: config experiments run here, and the game days that schedule them. */
export interface ServerChaos {
  runs: ServerRuns;
  gameDays: readonly GameDayDoc[];
  /** the leader task that fires due game days */
  gameDayTick(now: number): Promise<void>;
  /** resolves once the game-day sequences started so far have ended (for tests and shutdown) */
  gameDaySequences(): Promise<void>;
  /** interrupts every run of this replica; each rolls back and is stored as interrupted */
  close(): Promise<void>;
}

export function startServerChaos(opts: { store: Pick<Store, 'db' | 'dialect'>; kinds: Readonly<Record<string, FaultKind<any>>>; clock: Clock; logger: Logger; config: LoadedConfig; env: NodeJS.ProcessEnv; owner: string }): ServerChaos {
  const runs = new ServerRuns({ db: opts.store.db, kinds: opts.kinds, clock: opts.clock, logger: opts.logger, experiments: opts.config.byKind<Experiment>('Experiment'), env: opts.env, owner: opts.owner });
  const gameDays = [...opts.config.byKind<GameDaySpec>('GameDay').values()];
  const task = gameDayTask({ store: opts.store, runs, gameDays, logger: opts.logger });
  return {
    runs,
    gameDays,
    gameDayTick: task.tick,
    gameDaySequences: task.sequences,
    async close() {
      await runs.close();
      await task.sequences();
    },
  };
}
