import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAtcProfile, atcProfileToToxics, FaultProxy, parseAtcProfile } from '../src/chaos/proxy/index.js';

const profile = (name: string): unknown => JSON.parse(readFileSync(join(import.meta.dirname, '..', 'examples', 'chaos', 'atc', `${name}.json`), 'utf8'));
const byName = <T extends { name: string }>(toxics: T[]): Record<string, T> => Object.fromEntries(toxics.map((t) => [t.name, t]));

describe('ATC profiles → toxics', () => {
  it('3g.json: bandwidth at rate ÷ 8 KB/s and 100 ms each way; no approximation beyond per-connection rates', () => {
    const imported = atcProfileToToxics(profile('3g'));
    expect(imported.profile).toBe('3G - Average');
    expect(byName(imported.toxics)).toEqual({
      atc_rate_upstream: { name: 'atc_rate_upstream', type: 'bandwidth', stream: 'upstream', toxicity: 1, attributes: { rate: 41.25 } },
      atc_delay_upstream: { name: 'atc_delay_upstream', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } },
      atc_rate_downstream: { name: 'atc_rate_downstream', type: 'bandwidth', stream: 'downstream', toxicity: 1, attributes: { rate: 97.5 } },
      atc_delay_downstream: { name: 'atc_delay_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } },
    });
    expect(imported.notes).toHaveLength(1);
    expect(imported.notes[0]).toMatch(/per connection/);
  });

  it('edge.json: 25 / 30 KB/s and 440 / 400 ms', () => {
    const imported = atcProfileToToxics(profile('edge'));
    const t = byName(imported.toxics);
    expect(t.atc_rate_upstream!.attributes).toEqual({ rate: 25 });
    expect(t.atc_rate_downstream!.attributes).toEqual({ rate: 30 });
    expect(t.atc_delay_upstream!.attributes).toEqual({ latency: 440, jitter: 0 });
    expect(t.atc_delay_downstream!.attributes).toEqual({ latency: 400, jitter: 0 });
    expect(imported.toxics).toHaveLength(4);
  });

  it('lossy-wifi.json: loss as retransmit-like latency and a loss-limited rate, with notes on what TCP cannot show', () => {
    const imported = atcProfileToToxics(profile('lossy-wifi'));
    const t = byName(imported.toxics);
    // 2% loss + 0.1% corruption at a 200 ms RTO: 4 ms ± 4 ms per chunk.
    expect(t.atc_loss_upstream).toMatchObject({ type: 'latency', attributes: { latency: 4, jitter: 4 } });
    expect(t.atc_loss_downstream).toMatchObject({ type: 'latency', attributes: { latency: 4, jitter: 4 } });
    expect(t.atc_delay_downstream).toMatchObject({ attributes: { latency: 10, jitter: 20 } });
    // Mathis: 1460 B / 0.020 s × 1.22 / √0.021 ≈ 614.6 KB/s, below the 2,500 KB/s of 20 Mbit/s.
    expect(t.atc_rate_downstream!.attributes.rate).toBeCloseTo(614.57, 1);
    expect(t.atc_rate_upstream!.attributes.rate).toBeCloseTo(614.57, 1);
    const notes = imported.notes.join('\n');
    expect(notes).toMatch(/Mathis/);
    expect(notes).toMatch(/retransmit-like added latency/);
    expect(notes).toMatch(/reordering 1% \(gap 5\) is not reproducible over TCP/);
    expect(notes).toMatch(/corruption 0\.1% is not reproducible over TCP/);
    expect(notes).toMatch(/loss correlation 25% .* not reproduced/);
    expect(notes).toMatch(/delay correlation 25% is not reproduced/);
    // Every note for up has its twin for down.
    expect(imported.notes.filter((n) => n.startsWith('up (upstream)')).length).toBe(imported.notes.filter((n) => n.startsWith('down (downstream)')).length);
  });

  it("reads ATC's older `content` wrapper and numbers written as strings", () => {
    const old = { name: '3G - Average', content: { up: { rate: '330', delay: { delay: '100' } }, down: { rate: '780', delay: { delay: '100' } } } };
    expect(atcProfileToToxics(old).toxics.map((t) => t.attributes)).toEqual([{ rate: 41.25 }, { latency: 100, jitter: 0 }, { rate: 97.5 }, { latency: 100, jitter: 0 }]);
  });

  it('refuses a bad profile naming the field', () => {
    expect(() => parseAtcProfile({ shaping: { up: { rate: 'fast' }, down: {} } })).toThrow(/shaping\.up\.rate: must be a number \(kbit\/s\)/);
    expect(() => parseAtcProfile({ shaping: { up: { loss: { percentage: 150 } }, down: {} } })).toThrow(/shaping\.up\.loss\.percentage: must be at most 100/);
    expect(() => parseAtcProfile({ name: 'nothing' })).toThrow(/shaping: is required/);
  });
});

describe('an ATC profile applied to a live proxy', () => {
  let server: Server;
  const proxy = new FaultProxy();
  let listen: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    listen = (await proxy.createProxy({ name: 'mobile', upstream: `127.0.0.1:${(server.address() as { port: number }).port}` })).listen;
  });
  afterAll(async () => {
    await proxy.close();
    server.close();
  });

  it('3G: a request takes at least the 200 ms round trip the profile sets', async () => {
    const { toxics } = applyAtcProfile(proxy, 'mobile', profile('3g'), { ttl: 60_000 });
    expect(toxics.map((t) => t.name).sort()).toEqual(['atc_delay_downstream', 'atc_delay_upstream', 'atc_rate_downstream', 'atc_rate_upstream']);
    expect(toxics.every((t) => t.expiresAt)).toBe(true);
    const t0 = performance.now();
    const res = await fetch(`http://${listen}/`);
    expect(await res.text()).toBe('ok');
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(200);
    expect(ms).toBeLessThan(600);
    // Applying again replaces rather than failing on the names.
    expect(applyAtcProfile(proxy, 'mobile', profile('edge')).toxics).toHaveLength(4);
    expect(proxy.listToxics('mobile').find((t) => t.name === 'atc_delay_upstream')?.attributes).toEqual({ latency: 440, jitter: 0 });
  });
});
