import { DateTime } from 'luxon';
import type { Clock } from '../store/clock.js';
import type { Store } from '../store/store.js';
import { listOverrides, type StoredOverride } from './overrideStore.js';
import type { ScheduleOverride, ScheduleSpec } from './scheduleKind.js';

/** A schedule as the lookups need it: its name and spec (a config ScheduleDoc is one). */
export interface NamedSchedule {
  name: string;
  spec: ScheduleSpec;
}

/** The schedules in effect at one moment: config, with the stored overrides appended to each spec's overrides. */
export interface EffectiveSchedules {
  /** in config order */
  list: readonly NamedSchedule[];
  byName: ReadonlyMap<string, NamedSchedule>;
  specs: ReadonlyMap<string, ScheduleSpec>;
  /** the stored override an entry of `spec.overrides` came from; undefined for one from config */
  storedOf(o: ScheduleOverride): StoredOverride | undefined;
  /**
   * A schedule's stored overrides, cancelled ones too, as of the same read as
   * `list` (so a calendar feed's SEQUENCE and its content always agree).
   */
  storedHistory(schedule: string): readonly StoredOverride[];
}

export interface LiveSchedulesOptions {
  /** how long stored overrides are reused before the store is asked again (another replica may have written) */
  maxAgeMs?: number;
}

/** Several replicas share one database; a write elsewhere shows here after at most this long. */
const DEFAULT_MAX_AGE_MS = 2000;

/**
 * Overrides that ended longer ago than this are not loaded: they can no
 * longer change a page, a feed (7 days back) or a shift list of the last
 * year, and every lookup walks a schedule's overrides.
 */
const HISTORY_MS = 400 * 86_400_000;

const isoOf = (ms: number) => DateTime.fromMillis(ms, { zone: 'UTC' }).toISO()!;

/**
 * Who is on call, with overrides added at run time. Lookups never wait for the
 * database: the stored overrides are read at most every `maxAgeMs` (and at
 * once after a write through `invalidate`), and while they stay the same the
 * same spec objects are handed out, so the per-layer caches in rotation.ts
 * keep working (derived specs share the config's layer objects).
 */
export class LiveSchedules {
  private readonly config: readonly NamedSchedule[];
  private readonly maxAgeMs: number;
  private snapshot: { at: number; generation: number; value: EffectiveSchedules } | null = null;
  private loading: { generation: number; promise: Promise<EffectiveSchedules> } | null = null;
  private generation = 0;
  /** per schedule, the stored overrides its current derived spec was built from */
  private built = new Map<string, { ids: string; schedule: NamedSchedule }>();
  /** stored override id -> the entry appended to spec.overrides (kept while the override is loaded, so it stays the same object) */
  private entries = new Map<number, { stored: StoredOverride; entry: ScheduleOverride }>();
  private storedByEntry = new WeakMap<ScheduleOverride, StoredOverride>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    schedules: readonly NamedSchedule[],
    options: LiveSchedulesOptions = {},
  ) {
    this.config = schedules;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  }

  /** The schedules as written in config, without stored overrides. */
  get configured(): readonly NamedSchedule[] {
    return this.config;
  }

  /** Forget the cached overrides: call after writing one, so this process answers with it at once. */
  invalidate(): void {
    this.generation++;
    this.snapshot = null;
  }

  /** The schedules in effect now (from the cache while it is fresh). */
  async current(): Promise<EffectiveSchedules> {
    const now = this.clock.now();
    const s = this.snapshot;
    // Either direction: a test clock may be set back.
    if (s && s.generation === this.generation && Math.abs(now - s.at) < this.maxAgeMs) return s.value;
    if (this.loading?.generation === this.generation) return this.loading.promise;
    const generation = this.generation;
    const promise = this.load(now).then(
      (value) => {
        if (generation === this.generation) this.snapshot = { at: now, generation, value };
        if (this.loading?.generation === generation) this.loading = null;
        return value;
      },
      (err: unknown) => {
        if (this.loading?.generation === generation) this.loading = null;
        throw err;
      },
    );
    this.loading = { generation, promise };
    return promise;
  }

  private async load(now: number): Promise<EffectiveSchedules> {
    const stored = await listOverrides(this.store.db, { from: now - HISTORY_MS, includeCancelled: true });
    const perSchedule = new Map<string, StoredOverride[]>();
    const history = new Map<string, StoredOverride[]>();
    const push = (map: Map<string, StoredOverride[]>, o: StoredOverride) => {
      const list = map.get(o.schedule);
      if (list) list.push(o);
      else map.set(o.schedule, [o]);
    };
    for (const o of stored) {
      push(history, o);
      if (o.cancelledAt === null) push(perSchedule, o);
    }
    const entries = new Map<number, { stored: StoredOverride; entry: ScheduleOverride }>();
    const entryOf = (o: StoredOverride): ScheduleOverride => {
      let e = this.entries.get(o.id);
      if (!e) {
        e = { stored: o, entry: { from: isoOf(o.startsAt), to: isoOf(o.endsAt), user: o.user, ...(o.replaces ? { replaces: o.replaces } : {}) } };
        this.storedByEntry.set(e.entry, o);
      }
      entries.set(o.id, e);
      return e.entry;
    };
    const list = this.config.map((doc) => {
      const mine = perSchedule.get(doc.name) ?? [];
      const entriesOfDoc = mine.map(entryOf);
      const ids = mine.map((o) => o.id).join();
      const previous = this.built.get(doc.name);
      if (previous?.ids === ids) return previous.schedule;
      // The layers array (and each layer object) is the config's own.
      const schedule = mine.length === 0 ? doc : { ...doc, spec: { ...doc.spec, overrides: [...doc.spec.overrides, ...entriesOfDoc] } };
      this.built.set(doc.name, { ids, schedule });
      return schedule;
    });
    this.entries = entries;
    const storedByEntry = this.storedByEntry;
    return {
      list,
      byName: new Map(list.map((s) => [s.name, s])),
      specs: new Map(list.map((s) => [s.name, s.spec])),
      storedOf: (o) => storedByEntry.get(o),
      storedHistory: (schedule) => history.get(schedule) ?? [],
    };
  }
}
