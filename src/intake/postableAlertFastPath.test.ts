import { describe, expect, it } from 'vitest';
import { splitAlertBatch } from './alertBatch.js';
import { fastPostableAlert } from './postableAlertFastPath.js';
import { postableAlertSchema } from './prometheusAlerts.js';

// A small seeded generator, so a failure names a case that can be replayed.
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const prometheusAlert = () => ({
  labels: { alertname: 'WebDown', instance: 'web-1:9100', job: 'frontend', severity: 'critical' },
  annotations: { summary: 'web-1 is down', description: 'no scrape for 5m' },
  startsAt: '2026-11-22T09:59:00.123456789Z',
  endsAt: '2026-11-22T10:04:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=up%3D%3D0',
});

const oddValues: unknown[] = [
  null, 0, 1.5, true, '', 'x', [], ['a'], {}, { a: 1 }, 'a\u0000b', 'x'.repeat(300_000),
  '2026-11-22T10:00:00Z', '2026-11-22T10:00:00', '2026-11-22T12:00:00+02:00', '2026-11-22T12:00:00+0200', '0001-01-01T00:00:00Z',
  '2026-11-22', '2026-13-45T99:00:00Z', 'yesterday', '2026-11-22T10:00:00.5Z', '2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z',
];
const oddNames = ['1abc', 'a-b', 'é', 'n'.repeat(129), 'n'.repeat(128), '_ok', 'ok_1', '', 'a\u0000', 'constructor', 'toString'];

function mutate(next: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  if (next() < 0.05) return pick(oddValues);
  const alert: Record<string, any> = prometheusAlert();
  const mutations = Math.floor(next() * 4);
  for (let m = 0; m < mutations; m++) {
    const field = pick(['labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'extra']);
    const how = next();
    if (how < 0.2) delete alert[field];
    else if (how < 0.5) alert[field] = pick(oddValues);
    else if (field === 'labels' || field === 'annotations') {
      const set = { ...(typeof alert[field] === 'object' && alert[field] ? alert[field] : {}) };
      if (next() < 0.5) set[pick(oddNames)] = 'v';
      else set[pick(['alertname', 'summary', 'x'])] = pick(oddValues);
      if (next() < 0.2) for (const k of Object.keys(set)) delete set[k];
      alert[field] = set;
    } else alert[field] = pick(oddValues);
  }
  return alert;
}

describe('fastPostableAlert', () => {
  it('takes an ordinary Prometheus alert, giving what the schema gives', () => {
    const alert = prometheusAlert();
    expect(fastPostableAlert(alert)).toEqual(postableAlertSchema.parse(alert));
    expect(fastPostableAlert({ labels: { alertname: 'A' } })).toEqual({ labels: { alertname: 'A' } });
  });

  it('gives the same split as the schema alone for 20,000 randomly broken alerts, in batches', () => {
    const next = random(20261203);
    let fastAccepted = 0;
    for (let batch = 0; batch < 2000; batch++) {
      const items = Array.from({ length: 10 }, () => mutate(next));
      const withFast = splitAlertBatch(items, postableAlertSchema, [], (item) => {
        const r = fastPostableAlert(item);
        if (r) fastAccepted++;
        return r;
      });
      const schemaOnly = splitAlertBatch(items, postableAlertSchema, []);
      expect(withFast, `batch ${batch}: ${JSON.stringify(items).slice(0, 2000)}`).toEqual(schemaOnly);
    }
    // The fast path must be the one that takes the ordinary alerts, or it saves nothing.
    expect(fastAccepted).toBeGreaterThan(3000);
  });
});
