import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Store } from '../../store/store.js';
import { startChaosRun } from '../chaosRunLifecycle.js';
import type { ServerRuns } from '../serverRuns.js';
import type { GameDayDoc } from './gameDayKind.js';
import { dueSlot } from './gameDaySlots.js';

export interface GameDayTaskOptions {
  store: Pick<Store, 'db' | 'dialect'>;
  runs: ServerRuns;
  gameDays: readonly GameDayDoc[];
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** Whether this game day already has a run at or after the slot: the slot is taken. */
async function slotTaken(db: Store['db'], gameDay: string, slot: number): Promise<boolean> {
  const row = await db.selectFrom('chaos_runs').select('id').where('game_day', '=', gameDay).where('started_at', '>=', slot).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * A leader task: each enabled game day whose slot is due runs its
 * experiments in order, server-side, each run marked with the game day.
 * The slot is claimed by the first run's row, written in the transaction
 * that checked no run of the game day began since the slot (under an
 * advisory lock on PostgreSQL; SQLite has one writer), so two replicas —
 * say one that just lost the leader lease and one that just took it —
 * never run one slot twice. A refused run claims the slot too: a game day
 * an incident stopped is recorded as refused, not retried every second.
 */
export function gameDayTask(opts: GameDayTaskOptions): { tick(now: number): Promise<void>; sequences(): Promise<void> } {
  const active = new Set<Promise<void>>();
  const tick = async (now: number) => {
    for (const gameDay of opts.gameDays) {
      if (!gameDay.spec.enabled) continue;
      const slot = dueSlot(gameDay.spec, now);
      if (slot === null || (await slotTaken(opts.store.db, gameDay.name, slot))) continue;
      const [first, ...rest] = gameDay.spec.experiments;
      const firstDoc = opts.runs.experiments.get(first!);
      if (!firstDoc) {
        opts.logger.warn({ gameDay: gameDay.name, experiment: first }, 'game day names an Experiment the config does not have; skipped');
        continue;
      }
      const request = { startedBy: `game day ${gameDay.name}`, gameDay: gameDay.name };
      const claimed = await opts.store.db.transaction().execute(async (tx) => {
        if (opts.store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`prodeng.gameday:${gameDay.name}`}))`.execute(tx);
        if (await slotTaken(tx, gameDay.name, slot)) return null;
        return startChaosRun(tx, now, opts.runs.runStart(firstDoc, request));
      });
      if (!claimed) continue;
      opts.logger.info({ gameDay: gameDay.name, slot: new Date(slot).toISOString(), chaosRun: claimed.id, allowed: claimed.allowed }, 'game day slot claimed');
      const sequence = (async () => {
        if (claimed.allowed) await opts.runs.execute(claimed.id, firstDoc);
        for (const name of rest) {
          if (opts.runs.closed) return;
          const started = await opts.runs.start(name, request);
          if (started.ok) await started.done;
        }
      })().catch((err: unknown) => opts.logger.error({ gameDay: gameDay.name, err: (err as Error).message }, 'game day sequence failed'));
      active.add(sequence);
      void sequence.finally(() => active.delete(sequence));
    }
  };
  return { tick, sequences: async () => void (await Promise.allSettled([...active])) };
}
