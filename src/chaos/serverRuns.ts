import type { Logger } from 'pino';
import type { ConfigDoc } from '../config/index.js';
import type { Clock } from '../store/clock.js';
import type { DbOrTx } from '../store/store.js';
import { ActivityFailed, prodengExtension, runExperiment, type Experiment, type Journal } from './experiment/index.js';
import type { FaultKind } from './faultKinds.js';
import { chaosRegistry, type FaultActions } from './faultRegistry.js';
import { FAULT_LEASE_MS, openFaults, renewRunLease } from './faultLeases.js';
import { injectFault } from './injectFault.js';
import { serviceUrlEnv } from './serviceUrlEnv.js';
import { nodeName, platformName, pythonIsoTime, runnerVersion } from './experiment/journal.js';
import { endChaosRun, revertFault, startChaosRun, type ChaosRunStart, type StartedRun } from './chaosRunLifecycle.js';

export interface ServerRunsOptions {
  db: DbOrTx;
  kinds: Readonly<Record<string, FaultKind<any>>>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** the config's Experiment documents, by name */
  experiments: ReadonlyMap<string, ConfigDoc<Experiment>>;
  /** where experiments' configuration and secrets are read (the server's environment) */
  env: NodeJS.ProcessEnv;
  /** this replica, recorded as the runs' owner */
  owner: string;
}

export type ServerRunStart = { ok: true; id: number; done: Promise<Journal> } | { ok: false; code: 'not_found'; message: string } | { ok: false; code: Extract<StartedRun, { allowed: false }>['code']; id: number; message: string };

/** Who asked, and for which game day when one did. */
export interface RunRequest {
  startedBy: string;
  gameDay?: string | undefined;
}

/**
 * Config Experiment documents run inside the server, by whichever replica
 * was asked: the run is admitted and recorded as any run is, its faults are
 * injected by direct calls (the same injectFault the HTTP route uses), and
 * it renews its own lease while it runs, so a replica killed mid-run leaves
 * its faults to the dead man's switch. close() interrupts every run here;
 * each rolls back and ends as interrupted before the server stops.
 */
export class ServerRuns {
  private readonly running = new Map<number, { stop: AbortController; done: Promise<Journal> }>();
  /** set by close(): nothing more starts here */
  closed = false;

  constructor(private readonly opts: ServerRunsOptions) {}

  get experiments(): ReadonlyMap<string, ConfigDoc<Experiment>> {
    return this.opts.experiments;
  }

  /** What a run of this document records when it starts. */
  runStart(doc: ConfigDoc<Experiment>, request: RunRequest): ChaosRunStart {
    const ext = prodengExtension(doc.spec.extensions);
    return {
      title: doc.spec.title,
      service: ext.service ?? null,
      blastRadius: ext.blastRadius,
      maxBlastRadius: ext.maxBlastRadius,
      page: ext.page,
      experiment: doc.spec as unknown as Record<string, unknown>,
      startedBy: request.startedBy,
      owner: this.opts.owner,
      kind: 'experiment',
      experimentName: doc.metadata.name,
      gameDay: request.gameDay ?? null,
    };
  }

  /** Admits and starts the named experiment; `done` settles with its journal once it has ended and been stored. */
  async start(name: string, request: RunRequest, db: DbOrTx = this.opts.db): Promise<ServerRunStart> {
    const doc = this.opts.experiments.get(name);
    if (!doc) return { ok: false, code: 'not_found', message: `no Experiment "${name}" in the config (known: ${[...this.opts.experiments.keys()].join(', ') || 'none'})` };
    const run = await startChaosRun(db, this.opts.clock.now(), this.runStart(doc, request));
    this.opts.logger.info({ chaosRun: run.id, experiment: name, gameDay: request.gameDay, by: request.startedBy, allowed: run.allowed }, run.allowed ? 'server-side chaos run started' : 'server-side chaos run refused');
    if (!run.allowed) return { ok: false, code: run.code, id: run.id, message: run.reason };
    return { ok: true, id: run.id, done: this.execute(run.id, doc) };
  }

  /** Runs an admitted run (its row already says running) to its end. */
  execute(id: number, doc: ConfigDoc<Experiment>): Promise<Journal> {
    const stop = new AbortController();
    if (this.closed) stop.abort(new Error('the server is stopping'));
    const done = this.runToEnd(id, doc, stop).finally(() => this.running.delete(id));
    this.running.set(id, { stop, done });
    return done;
  }

  private async runToEnd(id: number, doc: ConfigDoc<Experiment>, stop: AbortController): Promise<Journal> {
    const { db, kinds, clock } = this.opts;
    const actions: FaultActions = {
      async inject(kind, target) {
        const outcome = await injectFault(db, kinds, clock, { runId: id, kind, target });
        if (!outcome.ok) throw new ActivityFailed(`${kind}: ${outcome.message}`);
        return outcome.fault;
      },
      async revert(faultId) {
        const [fault] = await openFaults(db, { id: faultId });
        if (fault) await revertFault(db, kinds, fault, 'rollback', clock.now());
      },
    };
    // The lease is kept on wall-clock time: it is this process being alive that it proves.
    const renewal = setInterval(() => {
      void this.renew(id, stop).catch((err: unknown) => this.opts.logger.warn({ chaosRun: id, err: (err as Error).message }, 'renewing a chaos run lease failed; trying again'));
    }, Math.floor(FAULT_LEASE_MS / 3));
    renewal.unref();
    let journal: Journal;
    try {
      // The services' addresses as they are now (PRODENG_SERVICE_<NAME>_URL); what the server's environment sets wins.
      const env = { ...(await serviceUrlEnv(db)), ...this.opts.env };
      journal = await runExperiment(doc.spec, { registry: chaosRegistry(actions), signal: stop.signal, clock, env });
    } catch (err) {
      // Only a configuration value or secret that cannot be read gets here, before anything ran.
      journal = unrunJournal(doc.spec, (err as Error).message, clock.now());
    } finally {
      clearInterval(renewal);
    }
    await endChaosRun(db, kinds, clock, id, journal);
    this.opts.logger.info({ chaosRun: id, experiment: doc.metadata.name, status: journal.status, deviated: journal.deviated }, 'server-side chaos run ended');
    return journal;
  }

  /** Renews the run's lease; a run the store no longer calls running (the leader ended it) is stopped. */
  private async renew(id: number, stop: AbortController): Promise<void> {
    const run = await this.opts.db.selectFrom('chaos_runs').select(['status']).where('id', '=', id).executeTakeFirst();
    if (run?.status !== 'running') return void stop.abort(new Error(`the run is ${run?.status ?? 'gone'}; its faults were reverted`));
    await renewRunLease(this.opts.db, id, this.opts.clock.now());
  }

  /** Interrupts every run of this server and waits for their rollbacks and journals. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.running.values()];
    for (const r of all) r.stop.abort(new Error('the server is stopping'));
    await Promise.allSettled(all.map((r) => r.done));
  }
}

/** The journal of a run that could not begin (a configuration value missing from the server's environment). */
function unrunJournal(experiment: Experiment, why: string, now: number): Journal {
  const at = pythonIsoTime(now);
  return {
    'chaoslib-version': runnerVersion(),
    platform: platformName(),
    node: nodeName(),
    experiment,
    start: at,
    status: 'aborted',
    deviated: false,
    steady_states: { before: null, after: null, during: [] },
    run: [],
    rollbacks: [],
    end: at,
    duration: 0,
    prodeng: { notes: [`the run could not begin: ${why}`] },
  };
}
