import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { onCallAt } from '../src/oncall/rotation.js';
import { scheduleSpecSchema, type ScheduleSpec } from '../src/oncall/scheduleKind.js';
import { freePort, percentile, startProdeng } from './peers.js';

export interface PagingFigures {
  incidents: number;
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  lookups: number;
  lookupP50Us: number;
  lookupP99Us: number;
  apiAllSchedulesMs: number;
}

const TEAMS = 50;
const SCHEDULES = 1000;
const SERVICES = 1000;

function config(): string {
  const docs: string[] = [];
  for (let t = 0; t < TEAMS; t++) {
    docs.push(`apiVersion: prodeng/v1\nkind: User\nmetadata: { name: u-${t} }\nspec: { email: u-${t}@example.com }\n`);
    docs.push(`apiVersion: prodeng/v1\nkind: Team\nmetadata: { name: team-${t} }\nspec: { escalationPolicy: policy-${t} }\n`);
    docs.push(`apiVersion: prodeng/v1\nkind: EscalationPolicy\nmetadata: { name: policy-${t} }\nspec: { steps: [{ delay: 10m, targets: [{ schedule: sched-${t} }] }] }\n`);
  }
  // A service per incident: incidents of one service within 30 minutes are grouped into one, which pages once.
  for (let s = 0; s < SERVICES; s++) docs.push(`apiVersion: prodeng/v1\nkind: Service\nmetadata: { name: svc-${s} }\nspec: { owner: team-${s % TEAMS} }\n`);
  // 1,000 schedules of varied shapes (the first 50 page the teams), each a weekly or daily rotation in some zone with a restricted layer on top.
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'UTC'];
  for (let s = 0; s < SCHEDULES; s++) {
    const users = [`u-${s % TEAMS}`, `u-${(s + 1) % TEAMS}`, `u-${(s + 2) % TEAMS}`];
    docs.push(`apiVersion: prodeng/v1
kind: Schedule
metadata: { name: sched-${s} }
spec:
  team: team-${s % TEAMS}
  timeZone: ${zones[s % zones.length]}
  layers:
    - { name: base, rotation: { every: ${s % 2 ? 'weekly' : 'daily'}, handoff: "${s % 2 ? 'Mon ' : ''}09:00" }, start: "2026-01-05T09:00:00", participants: [${users.join(', ')}] }
    - { name: day, rotation: { every: 1w }, start: "2026-01-05T00:00:00", participants: [${users[0]}], restrictions: [{ days: [Mon, Tue, Wed, Thu, Fri], from: "09:00", to: "17:00" }] }
  overrides: [{ user: ${users[2]}, replaces: ${users[0]}, from: "2026-12-24T00:00:00", to: "2026-12-27T00:00:00" }]
`);
  }
  return docs.join('---\n');
}

/**
 * Page latency: incidents opened by hand (POST /api/v1/incidents) at 50/s,
 * timed from the 2xx until a real SMTP server in this process has the email.
 * On-call lookup: who is on call in each of 1,000 schedules at a random time.
 */
export async function pagingLatency(repoRoot: string, incidents: number): Promise<PagingFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-paging-'));
  writeFileSync(join(dir, 'oncall.yaml'), config());
  const received = new Map<number, number>();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      simpleParser(stream).then((mail) => {
        const id = Number(/Incident #(\d+)/.exec(mail.subject ?? '')?.[1]);
        if (id && !received.has(id)) received.set(id, performance.now());
        cb();
      }, cb);
    },
  });
  const smtpPort = await freePort();
  await new Promise<void>((r) => smtp.listen(smtpPort, '127.0.0.1', r));
  process.env.PRODENG_SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
  // The per-person limit (10 a minute) would hold most of these back: it is a gate, not the figure.
  process.env.PRODENG_PAGES_PER_USER_PER_MINUTE = '100000';
  const prodeng = await startProdeng(repoRoot, join(dir, 'data'), ['--config', dir]);
  try {
    const opened = new Map<number, number>();
    const posts: Promise<void>[] = [];
    const start = performance.now();
    if (incidents > SERVICES) throw new Error(`at most ${SERVICES} incidents: one per service`);
    for (let i = 0; i < incidents; i++) {
      posts.push(
        (async () => {
          const res = await fetch(`${prodeng.url}/api/v1/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: `benchmark incident ${i}`, service: `svc-${i}`, by: 'bench' }) });
          const body = (await res.json()) as { id: number };
          if (opened.has(body.id)) throw new Error(`incident ${i} joined incident ${body.id} instead of opening its own: each must page on its own`);
          opened.set(body.id, performance.now());
        })(),
      );
      await sleep(Math.max(0, start + (i + 1) * 20 - performance.now()));
    }
    await Promise.all(posts);
    const deadline = performance.now() + 30_000;
    while (received.size < incidents && performance.now() < deadline) await sleep(50);
    const latencies = [...opened].flatMap(([id, at]) => (received.has(id) ? [received.get(id)! - at] : []));

    // Lookups: the same function the API and paging use, per schedule.
    const specs: ScheduleSpec[] = [];
    const yaml = await import('yaml');
    for (const doc of yaml.parseAllDocuments(config())) {
      const d = doc.toJS() as { kind: string; spec: unknown };
      if (d.kind === 'Schedule') specs.push(scheduleSpecSchema.parse(d.spec));
    }
    // One warm-up pass (JIT, caches), then the measured one.
    for (const spec of specs) onCallAt(spec, DateTime.fromMillis(Date.parse('2026-03-01T00:00:00Z'), { zone: 'UTC' }));
    const times: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (const spec of specs) {
        const at = DateTime.fromMillis(Date.parse('2026-01-05T00:00:00Z') + Math.random() * 365 * 86_400_000, { zone: 'UTC' });
        const t0 = performance.now();
        onCallAt(spec, at);
        times.push((performance.now() - t0) * 1000);
      }
    }
    const t0 = performance.now();
    await (await fetch(`${prodeng.url}/api/v1/oncall?at=2026-07-01T12:00:00Z`)).json();
    const apiAllSchedulesMs = performance.now() - t0;
    return {
      incidents,
      delivered: latencies.length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: Math.max(...latencies),
      lookups: times.length,
      lookupP50Us: percentile(times, 0.5),
      lookupP99Us: percentile(times, 0.99),
      apiAllSchedulesMs,
    };
  } finally {
    await prodeng.stop();
    await new Promise<void>((r) => smtp.close(() => r()));
    delete process.env.PRODENG_SMTP_URL;
    delete process.env.PRODENG_PAGES_PER_USER_PER_MINUTE;
    rmSync(dir, { recursive: true, force: true });
  }
}
