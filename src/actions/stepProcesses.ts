import { hostname } from 'node:os';
import type { Generated } from 'kysely';
import type { DbOrTx } from '../store/store.js';
import { identify, isRunning, killGroupAndWait, groupMayRun, processPlace, type ProcessIdentity, type StepProcessWatch } from './processGroups.js';

/**
 * The record of step processes that run now: one row per process group a
 * remediation's step started, written when it starts and removed when it
 * has ended. A prodeng killed with -9 cannot end its children; the row is
 * how the next prodeng (or the replica that takes the remediation over)
 * knows what may still be running, and ends it before the remediation's
 * slot is given back or its step run again.
 */
export interface StepProcessesTable {
  id: Generated<number>;
  remediation_id: number;
  /** boot id and pid namespace: where pid means this process */
  place: string;
  /** for people: the machine it runs on */
  host: string;
  pid: number;
  start_time: string;
  /** the prodeng process that started it */
  owner_pid: number;
  owner_start: string;
  argv: string;
  timeout_ms: number;
  started_at: number;
}

export interface StepProcessRecord {
  remediationId: number;
  host: string;
  pid: number;
  argv: string[];
  startedAt: number;
  /** here: killed (or found gone); elsewhere: on another machine or container, out of reach */
  where: 'here' | 'elsewhere';
}

type Tables = { step_processes: StepProcessesTable };
const table = (db: DbOrTx) => db.withTables<Tables>();

let placeHere: string | undefined;
const here = () => (placeHere ??= processPlace());
let self: ProcessIdentity | undefined;
const me = () => (self ??= identify(process.pid));

/** The watch the executor puts around a step: each process the step starts is recorded with the remediation until it ends. */
export function recordingWatch(db: DbOrTx, remediationId: number, now: () => number): StepProcessWatch {
  return {
    async started(p, info) {
      await table(db)
        .insertInto('step_processes')
        .values({
          remediation_id: remediationId,
          place: here(),
          host: hostname(),
          pid: p.pid,
          start_time: p.startTime,
          owner_pid: me().pid,
          owner_start: me().startTime,
          argv: JSON.stringify(info.argv).slice(0, 2000),
          timeout_ms: info.timeoutMs,
          started_at: now(),
        })
        .execute();
    },
    async ended(p) {
      await table(db).deleteFrom('step_processes').where('remediation_id', '=', remediationId).where('place', '=', here()).where('pid', '=', p.pid).where('start_time', '=', p.startTime).execute();
    },
  };
}

type Row = Awaited<ReturnType<typeof rowsOf>>[number];
function rowsOf(db: DbOrTx, remediationId?: number) {
  let q = table(db).selectFrom('step_processes').selectAll();
  if (remediationId !== undefined) q = q.where('remediation_id', '=', remediationId);
  return q.orderBy('id').execute();
}

const toRecord = (r: Row, where: StepProcessRecord['where']): StepProcessRecord => ({
  remediationId: Number(r.remediation_id),
  host: r.host,
  pid: Number(r.pid),
  argv: JSON.parse(r.argv) as string[],
  startedAt: Number(r.started_at),
  where,
});

/** This machine (by name) started it before it last booted: nothing of it runs. */
const fromEarlierBoot = (r: Row) => r.host === hostname() && r.place.split('/')[0] !== here().split('/')[0];

/** Kills one recorded group here and waits for it; the row goes once nothing of it runs. */
async function endHere(db: DbOrTx, r: Row): Promise<boolean> {
  const leader = { pid: Number(r.pid), startTime: r.start_time };
  const gone = !groupMayRun(leader) || (await killGroupAndWait(leader));
  if (gone) await table(db).deleteFrom('step_processes').where('id', '=', r.id).execute();
  return gone;
}

/**
 * Ends what a remediation's steps left running, before it is taken over.
 * Returns what was ended here and what may still run (on another machine
 * or container, or a process that would not die): while anything may, the
 * remediation must keep its slot and not run a step again.
 */
export async function endLeftoverStepProcesses(db: DbOrTx, remediationId: number): Promise<{ ended: StepProcessRecord[]; mayRun: StepProcessRecord[] }> {
  const ended: StepProcessRecord[] = [];
  const mayRun: StepProcessRecord[] = [];
  for (const r of await rowsOf(db, remediationId)) {
    if (fromEarlierBoot(r)) {
      await table(db).deleteFrom('step_processes').where('id', '=', r.id).execute();
      ended.push(toRecord(r, 'here'));
    } else if (r.place !== here()) mayRun.push(toRecord(r, 'elsewhere'));
    else if (await endHere(db, r)) ended.push(toRecord(r, 'here'));
    else mayRun.push(toRecord(r, 'here'));
  }
  return { ended, mayRun };
}

/**
 * On start: step processes recorded here by a prodeng that no longer runs
 * (killed with -9, or crashed) are orphans whose timeout nobody enforces.
 * They are killed, group and all, before this process runs anything.
 * Those of a prodeng that still runs here (another replica) are its own.
 * Rows from an earlier boot of this machine name processes the reboot ended.
 */
export async function endOrphanedStepProcesses(db: DbOrTx): Promise<StepProcessRecord[]> {
  const ended: StepProcessRecord[] = [];
  for (const r of await rowsOf(db)) {
    if (fromEarlierBoot(r)) {
      await table(db).deleteFrom('step_processes').where('id', '=', r.id).execute();
      ended.push(toRecord(r, 'here'));
      continue;
    }
    if (r.place !== here()) continue;
    const owner = { pid: Number(r.owner_pid), startTime: r.owner_start };
    if (owner.pid === me().pid && owner.startTime === me().startTime) continue;
    if (isRunning(owner)) continue;
    if (await endHere(db, r)) ended.push(toRecord(r, 'here'));
  }
  return ended;
}
