import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigDir } from '../../config/index.js';
import '../experiment/experimentKind.js';
import './gameDayKind.js';
import { dueSlot, MISSED_SLOT_GRACE_MS, nextSlot } from './gameDaySlots.js';

const weekly = { schedule: '0 14 * * WED', timeZone: 'Europe/London' };
// Wednesday 2026-12-09 14:00 in London is 14:00 UTC (no summer time in December)
const slot = Date.parse('2026-12-09T14:00:00Z');

describe('game day slots', () => {
  it('the next slot is read in the time zone', () => {
    expect(new Date(nextSlot(weekly, Date.parse('2026-12-06T20:00:00Z'))!).toISOString()).toBe('2026-12-09T14:00:00.000Z');
    // in summer London is UTC+1
    expect(new Date(nextSlot(weekly, Date.parse('2026-07-01T00:00:00Z'))!).toISOString()).toBe('2026-07-01T13:00:00.000Z');
  });

  it('a slot is due from its minute until an hour later, and only the latest slot is', () => {
    expect(dueSlot(weekly, slot - 1)).toBeNull();
    expect(dueSlot(weekly, slot)).toBe(slot);
    expect(dueSlot(weekly, slot + 59 * 60_000)).toBe(slot);
    expect(dueSlot(weekly, slot + MISSED_SLOT_GRACE_MS + 1)).toBeNull();
    // every 10 minutes, the server back after 35 minutes down: one run, of the latest slot
    expect(new Date(dueSlot({ schedule: '*/10 * * * *', timeZone: 'UTC' }, slot + 35 * 60_000)!).toISOString()).toBe('2026-12-09T14:30:00.000Z');
  });
});

function load(spec: string) {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-gameday-'));
  writeFileSync(
    join(dir, 'a.yaml'),
    `apiVersion: prodeng/v1
kind: Experiment
metadata: { name: ad-check }
spec:
  title: t
  method: [{ type: probe, name: p, provider: { type: http, url: "http://127.0.0.1:1/" } }]
---
apiVersion: prodeng/v1
kind: GameDay
metadata: { name: weekly }
spec: ${spec}
`,
  );
  return loadConfigDir(dir).then((r) => ({ ...r, lines: r.errors.map((e) => formatConfigError({ ...e, file: 'a.yaml' })) }));
}

describe('GameDay kind', () => {
  it('loads with its defaults', async () => {
    const r = await load('{ schedule: "0 14 * * WED", timeZone: Europe/London, experiments: [ad-check] }');
    expect(r.lines).toEqual([]);
    expect(r.config.byKind('GameDay').get('weekly')?.spec).toEqual({ schedule: '0 14 * * WED', timeZone: 'Europe/London', experiments: ['ad-check'], enabled: true });
  });

  it('names the field of each problem: a bad cron, an unknown zone', async () => {
    const r = await load('{ schedule: "0 25 * * WED", timeZone: Europe/Londres, experiments: [ad-check] }');
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatch(/^a\.yaml:\d+:\d+: spec\.schedule: "0 25 \* \* WED" is not a cron expression .*e\.g\. "0 14 \* \* WED"/);
    expect(r.lines[1]).toMatch(/spec\.timeZone: must be an IANA time zone/);
  });

  it('refuses an Experiment that does not exist, with the name it may have meant', async () => {
    const r = await load('{ schedule: "0 14 * * WED", timeZone: UTC, experiments: [ad-chek] }');
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/spec\.experiments\[0\]: .*"ad-chek" does not exist.*ad-check/);
  });
});
