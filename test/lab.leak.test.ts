import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

/**
 * The pids of the shop processes started for a host (`--host-name NAME` and
 * its `--port` on their command line), from /proc. The port tells this lab's
 * host from another lab's of the same name (test files run side by side).
 */
function shopPids(host: string, port: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf('--host-name');
      const portAt = argv.indexOf('--port');
      if (at >= 0 && argv[at + 1] === host && portAt >= 0 && argv[portAt + 1] === port && argv.some((a) => a.endsWith('shopService.js'))) pids.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describeEachStore('the lab: a memory leak is seen and healed', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('a leaking catalog host fails its probe within seconds, is replaced, and the leaking process is gone', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configDir: labConfigDir() });
    await waitFor('every shop host in service', async () => (await server!.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 30_000);
    const [victim] = (await server.request('GET', '/api/v1/services/catalog/endpoints')).body.endpoints as Array<{ host: string; address: string }>;
    const health = async (address: string) => {
      const res = await fetch(`http://${address}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(() => null);
      return res ? { status: res.status, body: (await res.json()) as { memory: { rssBytes: number; maxRssBytes: number }; reason?: string } } : null;
    };
    const before = await health(victim!.address);
    expect(before?.status).toBe(200);
    expect(before!.body.memory.maxRssBytes).toBe(160 * 1024 * 1024);
    const [leaker, ...others] = shopPids(victim!.host, victim!.address.split(':').pop()!);
    expect(others).toEqual([]);
    expect(alive(leaker!)).toBe(true);

    const brokeAt = Date.now();
    const broke = await server.request('POST', '/api/v1/lab/break', { scenario: 'leak', service: 'catalog', host: victim!.host, mbPerSecond: 50 });
    expect(broke.status).toBe(200);
    const failing = await waitFor('healthz to fail on memory', async () => {
      const h = await health(victim!.address);
      return h?.status === 503 ? h : undefined;
    }, 10_000);
    expect(failing.body.reason).toMatch(/^out of memory: resident \d+ MB, above the limit of 160 MB/);

    const alert = await waitFor(
      'the probe alert for the leaking host',
      async () => ((await server!.request('GET', '/api/v1/alerts?limit=100')).body.alerts as any[]).find((a) => a.labels.alertname === 'ProbeFailed' && a.labels.host === victim!.host),
      20_000,
    );
    // 50 MB/s past the 160 MB limit (~2-3 s), then two failed probes 2 s apart.
    expect(Date.parse(alert.startsAt) - brokeAt).toBeLessThan(12_000);
    expect(JSON.stringify(alert.annotations)).toContain('503');

    const done = await waitFor(
      'the leaking host to be replaced',
      async () => {
        const r = (await server!.request('GET', '/api/v1/remediations')).body.remediations.find((x: any) => x.target === victim!.host);
        return r && ['succeeded', 'failed', 'escalated', 'skipped'].includes(r.status) ? r : undefined;
      },
      30_000,
    );
    expect(done).toMatchObject({ status: 'succeeded', runbook: 'replace-failed-shop-host' });
    await waitFor('the leaking process to be gone', async () => !alive(leaker!), 10_000);
    // The old host is repaired (a fresh process) or retired; either way nothing of it leaks now.
    const current = (await server.request('GET', `/api/v1/hosts/${victim!.host}`)).body as { address?: string | null };
    for (const pid of current.address ? shopPids(victim!.host, current.address.split(':').pop()!) : []) {
      expect(pid).not.toBe(leaker);
      const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
      expect(rss).toBeLessThan(160 * 1024 * 1024);
    }
    await waitFor('catalog back at capacity, every endpoint healthy', async () => {
      const list = (await server!.request('GET', '/api/v1/services/catalog/endpoints')).body.endpoints as Array<{ address: string }>;
      const statuses = await Promise.all(list.map(async (e) => (await health(e.address))?.status));
      return list.length >= 2 && statuses.every((s) => s === 200);
    }, 20_000);
    expect((await server.request('GET', '/api/v1/incidents')).body.incidents).toEqual([]);
  }, 90_000);
});
