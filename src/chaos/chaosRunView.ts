import { z } from 'zod';
import type { DbOrTx } from '../store/store.js';

export const journalStatusSchema = z.enum(['completed', 'failed', 'aborted', 'interrupted'], { error: 'must be completed, failed, aborted or interrupted' });

function view(r: { id: number; title: string; service: string | null; status: string; deviated: number; started_by: string; started_at: number; ended_at: number | null; kind: string; experiment_name: string | null; game_day: string | null }) {
  return {
    id: Number(r.id),
    title: r.title,
    /** experiment or sweep */
    kind: r.kind,
    /** the config Experiment it ran, and the GameDay that scheduled it */
    experimentName: r.experiment_name,
    gameDay: r.game_day,
    service: r.service,
    status: r.status,
    deviated: r.deviated === 1,
    startedBy: r.started_by,
    startedAt: new Date(Number(r.started_at)).toISOString(),
    endedAt: r.ended_at === null ? null : new Date(Number(r.ended_at)).toISOString(),
  };
}

export async function listChaosRuns(db: DbOrTx) {
  const rows = await db.selectFrom('chaos_runs').select(['id', 'title', 'service', 'status', 'deviated', 'started_by', 'started_at', 'ended_at', 'kind', 'experiment_name', 'game_day']).orderBy('id', 'desc').limit(200).execute();
  return rows.map(view);
}

/** One run with its journal and the faults it injected. */
export async function chaosRunView(db: DbOrTx, id: number) {
  const r = await db.selectFrom('chaos_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return null;
  const faults = await db.selectFrom('chaos_faults').selectAll().where('run_id', '=', id).orderBy('id').execute();
  return {
    ...view(r),
    journal: r.journal === null ? null : (JSON.parse(r.journal) as unknown),
    faults: faults.map((f) => ({
      id: Number(f.id),
      kind: f.kind,
      target: JSON.parse(f.target) as unknown,
      injectedAt: new Date(Number(f.injected_at)).toISOString(),
      revertedAt: f.reverted_at === null ? null : new Date(Number(f.reverted_at)).toISOString(),
      revertedBy: f.reverted_by,
    })),
  };
}
