import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * A step's command runs in its own process group (spawned detached, so its
 * pid is the group's id): a timeout, a cancel or prodeng's own exit ends the
 * command and everything it started, not only the first process. A process
 * is named by its pid and its start time (field 22 of /proc/<pid>/stat,
 * clock ticks since boot), so a pid the kernel has since given to another
 * program is never taken for it; and by where it runs (boot and pid
 * namespace), since a pid means nothing on another machine or container.
 */
export interface ProcessIdentity {
  pid: number;
  /** start time in clock ticks since boot, as text ('' where /proc cannot tell) */
  startTime: string;
}

/** `boot id/pid namespace` of this process: pids recorded under another one cannot be looked at from here. */
export function processPlace(): string {
  let boot = 'unknown-boot';
  let ns = 'unknown-ns';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // not Linux: pids are only compared within this process's own run
    boot = `${hostname()}-${process.pid}-${processStartTime(process.pid) ?? ''}`;
  }
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // no namespaces to tell apart
  }
  return `${boot}/${ns}`;
}

const hasProc = existsSync('/proc/self/stat');

interface Stat {
  state: string;
  pgrp: number;
  startTime: string;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // the command name (field 2) is in parentheses and may itself hold ") "
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), rest[2] field 5 (pgrp), rest[19] field 22 (starttime)
  return { state: rest[0] ?? '', pgrp: Number(rest[2]), startTime: rest[19] ?? '' };
}

export function processStartTime(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/** The identity of a process that runs now, read as soon as it was spawned. */
export function identify(pid: number): ProcessIdentity {
  return { pid, startTime: processStartTime(pid) ?? '' };
}

/** Whether this very process (same pid and start time) still runs here; a zombie has finished. */
export function isRunning(p: ProcessIdentity): boolean {
  const stat = readStat(p.pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return p.startTime === '' || stat.startTime === p.startTime;
}

/** Processes of group `pgid` that have not finished (zombies excluded). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(Number(name));
  }
  return members;
}

/**
 * Whether anything of the group led by `leader` may still run. The kernel
 * gives a pid to no new process while a group still uses it as its id, so
 * a leader pid that now names another program (a different start time)
 * means the group is gone; a leader that has exited may have left members.
 */
export function groupMayRun(leader: ProcessIdentity): boolean {
  if (!hasProc) {
    // without /proc only the kernel's answer for the group id is left
    try {
      process.kill(-leader.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  const stat = readStat(leader.pid);
  if (stat && leader.startTime !== '' && stat.startTime !== leader.startTime) return false;
  if (stat && stat.state !== 'Z' && stat.state !== 'X') return true;
  return groupMembers(leader.pid).length > 0;
}

/** SIGKILL to the whole group led by `leader`, if it is still that group. */
export function killGroup(leader: ProcessIdentity): void {
  if (!groupMayRun(leader)) return;
  try {
    process.kill(-leader.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kills the group and waits (up to `waitMs`) until none of it runs; true once it is gone. */
export async function killGroupAndWait(leader: ProcessIdentity, waitMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    killGroup(leader);
    if (!groupMayRun(leader)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Groups this process started that have not finished: prodeng ending (an
// exit, a signal handled by exit, close) ends them too, so none outlives it
// unwatched. kill -9 of prodeng cannot be caught: the record in the store
// lets the next prodeng end them.
const live = new Map<number, ProcessIdentity>();
let exitHookInstalled = false;

export function trackGroup(leader: ProcessIdentity): void {
  live.set(leader.pid, leader);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', killTrackedGroups);
  }
}

export function untrackGroup(pid: number): void {
  live.delete(pid);
}

/** Kills every group this process started that is still tracked (on exit; synchronous). */
export function killTrackedGroups(): void {
  for (const leader of live.values()) killGroup(leader);
  live.clear();
}

/**
 * What the code running a step wants to hear of the processes the step
 * starts: the executor records each in the store with its remediation, so
 * that a prodeng killed mid-step leaves a trace the next one acts on.
 * Carried by async context, so an action needs no store of its own.
 */
export interface StepProcessWatch {
  /** a step's process has started; resolves once it is recorded */
  started(p: ProcessIdentity, info: { argv: string[]; timeoutMs: number }): Promise<void>;
  /** it has ended (its group was killed or its leader exited) */
  ended(p: ProcessIdentity): Promise<void>;
}

const watchContext = new AsyncLocalStorage<StepProcessWatch>();

export function withStepProcessWatch<T>(watch: StepProcessWatch, fn: () => Promise<T>): Promise<T> {
  return watchContext.run(watch, fn);
}

export function currentStepProcessWatch(): StepProcessWatch | undefined {
  return watchContext.getStore();
}
