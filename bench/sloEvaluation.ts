import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../src/store/store.js';
import { sloSpecSchema, type SloDoc } from '../src/slo/sloKind.js';
import { SloEvaluator } from '../src/slo/sloEvaluator.js';
import { freshPostgres, postgresCpuSeconds } from './intakeBench.js';

export interface SloEvaluationFigures {
  store: string;
  slos: number;
  burning: number;
  rows: number;
  ticks: number;
  /** CPU of prodeng's process for one evaluation of every SLO, median of the ticks */
  cpuMsPerTick: number;
  /** PostgreSQL's processes, when the store is PostgreSQL */
  databaseCpuMsPerTick?: number;
  wallMsPerTick: number;
  /** share of one core when this runs once a minute */
  coreShare: number;
  alertsRaised: number;
}

const MIN = 60_000;
const HOUR = 3_600_000;

function slos(n: number): SloDoc[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'SLO',
    name: `svc-${i}-availability`,
    spec: sloSpecSchema.parse({ service: `svc-${i}`, objective: i % 2 ? 99.9 : 99.5, window: '30d', indicator: { events: {} } }),
    source: { file: 'bench.yaml', line: 1 },
  })) as unknown as SloDoc[];
}

/**
 * 30 days of hourly counts and the last 4 days of minute counts for each
 * SLO (the store's real layout), one in ten burning its budget at 20× in
 * its last hour; then the evaluator's pass, as the leader runs it every minute.
 */
async function fillPostgres(docs: SloDoc[], now: number, databaseUrl: string): Promise<number> {
  const hours: Array<[string, number, number, number]> = [];
  const minutes: Array<[string, number, number, number]> = [];
  docs.forEach((d, i) => {
    const burning = i % 10 === 0;
    const badRate = (d.spec.objective < 99.9 ? 0.001 : 0.0002) * 1;
    for (let h = 30 * 24; h >= 1; h--) hours.push([d.name, Math.floor(now / HOUR) * HOUR - h * HOUR, 6000 * (1 - badRate), 6000]);
    for (let m = 4 * 24 * 60; m >= 1; m--) {
      const at = Math.floor(now / MIN) * MIN - m * MIN;
      const bad = burning && m <= 60 ? 20 * (1 - d.spec.objective / 100) : badRate;
      minutes.push([d.name, at, 100 * (1 - bad), 100]);
    }
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  for (const [table, column, rows] of [['sli_hours', 'hour', hours], ['sli_minutes', 'minute', minutes]] as const) {
    for (let i = 0; i < rows.length; i += 50_000) {
      const chunk = rows.slice(i, i + 50_000);
      await client.query(`insert into ${table} (slo, ${column}, good, total) select * from unnest($1::text[], $2::bigint[], $3::float8[], $4::float8[])`, [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2]), chunk.map((r) => r[3])]);
    }
  }
  await client.query('vacuum analyze');
  await client.end();
  return hours.length + minutes.length;
}

function fillSqlite(file: string, docs: SloDoc[], now: number): number {
  const db = new Database(file);
  let rows = 0;
  const hour = db.prepare('insert into sli_hours (slo, hour, good, total) values (?, ?, ?, ?)');
  const minute = db.prepare('insert into sli_minutes (slo, minute, good, total) values (?, ?, ?, ?)');
  db.transaction(() => {
    docs.forEach((d, i) => {
      const burning = i % 10 === 0;
      const badRate = d.spec.objective < 99.9 ? 0.001 : 0.0002;
      for (let h = 30 * 24; h >= 1; h--) (hour.run(d.name, Math.floor(now / HOUR) * HOUR - h * HOUR, 6000 * (1 - badRate), 6000), rows++);
      for (let m = 4 * 24 * 60; m >= 1; m--) {
        const bad = burning && m <= 60 ? 20 * (1 - d.spec.objective / 100) : badRate;
        minute.run(d.name, Math.floor(now / MIN) * MIN - m * MIN, 100 * (1 - bad), 100);
        rows++;
      }
    });
  })();
  db.close();
  return rows;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function sloEvaluationBench(n: number, databaseUrl?: string): Promise<SloEvaluationFigures> {
  const docs = slos(n);
  const now = Math.floor(Date.parse('2026-12-01T12:00:30Z'));
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-slo-bench-'));
  const pgDb = databaseUrl ? await freshPostgres(databaseUrl) : undefined;
  // Counts are written straight to the tables (many times faster than through the API); the evaluator reads them as it would.
  let store = await openStore({ dataDir: dir, databaseUrl: pgDb?.url });
  let rows: number;
  if (store.dialect === 'sqlite') {
    await store.close();
    rows = fillSqlite(join(dir, 'prodeng.db'), docs, now);
    store = await openStore({ dataDir: dir });
  } else rows = await fillPostgres(docs, now, pgDb!.url);
  try {
    const evaluator = new SloEvaluator(store, docs);
    // The first pass creates each SLO's state and raises the burning ones' alerts; it is not measured.
    await evaluator.tick(now);
    const cpu: number[] = [];
    const dbCpu: number[] = [];
    const wall: number[] = [];
    for (let t = 1; t <= 5; t++) {
      const c0 = process.cpuUsage();
      const d0 = store.dialect === 'postgres' ? postgresCpuSeconds() : 0;
      const w0 = performance.now();
      await evaluator.tick(now + t * MIN);
      wall.push(performance.now() - w0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      if (store.dialect === 'postgres') dbCpu.push((postgresCpuSeconds() - d0) * 1000);
    }
    const alerts = await store.db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const cpuMsPerTick = median(cpu);
    return {
      store: store.dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      slos: n,
      burning: Math.ceil(n / 10),
      rows,
      ticks: cpu.length,
      cpuMsPerTick,
      ...(dbCpu.length ? { databaseCpuMsPerTick: median(dbCpu) } : {}),
      wallMsPerTick: median(wall),
      coreShare: (cpuMsPerTick + (dbCpu.length ? median(dbCpu) : 0)) / MIN,
      alertsRaised: Number(alerts.n),
    };
  } finally {
    await store.close();
    await pgDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
