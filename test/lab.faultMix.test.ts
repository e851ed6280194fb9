import { afterEach, expect, it } from 'vitest';
import { runFaultMix } from '../src/lab/faultMix.js';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

/**
 * The small version of `npm run bench -- lab-faults`: every fault kind once on
 * the real lab (a pair of one kind on two hosts of one service at once,
 * automation paused in the middle), and each fault ends healed or with an
 * incident open for it, never neither.
 */
describeEachStore('the lab: a fault mix ends healed or with a human', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('every fault kind, a pair at once and a pause: each fault healed or handed to a human', async () => {
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configDir: labConfigDir() });
    await waitFor('every shop host in service', async () => (await server!.request('GET', '/api/v1/hosts?state=in_service')).body.hosts.length === 18, 30_000);
    const lines: string[] = [];
    const result = await runFaultMix({ baseUrl: server.url, seed: 7, perKind: 1, spacingMs: 2500, pauseMs: 6000, duringPause: 2, settleMs: 45_000, log: (l) => lines.push(l) });

    const explain = result.faults.map((f) => `#${f.n} ${f.kind} on ${f.host}: ${f.outcome}: ${f.detail}`).join('\n');
    expect(result.faults, lines.join('\n')).toHaveLength(7);
    expect(result.faults.filter((f) => f.pair)).toHaveLength(2);
    expect(result.faults.filter((f) => f.whilePaused)).toHaveLength(2);
    expect(result.faults.filter((f) => f.outcome === 'neither'), explain).toEqual([]);
    // Each kind was seen: every fault raised a probe alert for its host.
    expect(result.faults.filter((f) => f.alertAfterMs === null), explain).toEqual([]);
    // The single faults heal without a human (each service is at most half failing).
    expect(result.faults.filter((f) => !f.pair && f.outcome !== 'healed'), explain).toEqual([]);
    expect((await server.request('GET', '/api/v1/automation')).body.paused).toBe(false);
  }, 120_000);
});
