import { readFileSync } from 'node:fs';
import { arch, hostname, release, type } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../packageRoot.js';
import type { ActivityDefinition, Experiment } from './schema.js';

/** One activity's result, as chaoslib records it (keys in its order). */
export interface RunRecord {
  /** the activity as written (a ref's target), before ${name} substitution */
  activity: ActivityDefinition;
  output: unknown;
  status: 'succeeded' | 'failed';
  /** why it failed: lines, as Python's traceback.format_exception gives them */
  exception?: string[] | null;
  start: string | null;
  end: string | null;
  /** seconds */
  duration: number | null;
  /** probes of a steady-state hypothesis */
  tolerance_met?: boolean;
}

export interface SteadyState {
  steady_state_met: boolean | null;
  probes: RunRecord[];
}

export type JournalStatus = 'completed' | 'failed' | 'aborted' | 'interrupted';

/** A run's journal, in the shape `chaos run` writes to journal.json. */
export interface Journal {
  'chaoslib-version': string;
  platform: string;
  node: string;
  /** the experiment as run, secrets redacted */
  experiment: Experiment;
  start: string;
  status: JournalStatus;
  deviated: boolean;
  steady_states: { before: SteadyState | null; after: SteadyState | null; during: SteadyState[] };
  run: RunRecord[];
  rollbacks: RunRecord[];
  end: string;
  /** seconds */
  duration: number;
  /** what prodeng did that Chaos Toolkit would not (rollbacks after a failure, controls not run); not part of chaoslib's journal */
  prodeng: { notes: string[] };
}

/** `chaos run` exits 0 only for a completed run that did not deviate. */
export function journalExitCode(journal: Pick<Journal, 'status' | 'deviated'>): number {
  return journal.status === 'completed' && !journal.deviated ? 0 : 1;
}

/** Python's datetime.utcnow().isoformat(): UTC, microseconds, no zone suffix. */
export function pythonIsoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000`;
}

let version: string | undefined;
/** chaoslib-version: `prodeng-<version>`, so a reader knows which runner wrote the journal. */
export function runnerVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(join(packageRoot(import.meta.url), 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return `prodeng-${version}`;
}

/** Like Python's platform.platform(): system, release and machine. */
export function platformName(): string {
  return `${type()}-${release()}-${arch() === 'x64' ? 'x86_64' : arch()}`;
}

export function nodeName(): string {
  return hostname();
}
