import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { labConfigDir } from '../src/lab/labRunner.js';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

// Declared versus observed, in the real lab: recommendation stops declaring
// that it calls catalog, but its processes still ask discovery for catalog
// (naming themselves), so the catalog flags the undeclared edge.
const cli = join(import.meta.dirname, '..', 'dist', 'src', 'cli', 'main.js');

describeEachStore('the catalog flags a dependency the lab uses but does not declare', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('shows recommendation -> catalog as drift, in the API and the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-lab-undeclared-'));
    cpSync(labConfigDir(), dir, { recursive: true });
    const shop = join(dir, 'shop.yaml');
    const before = readFileSync(shop, 'utf8');
    const after = before.replace(/\n  dependsOn:\n    - \{ service: catalog, required: true, effect: "GET \/recommendations answers 502" \}/, '');
    expect(after).not.toBe(before);
    writeFileSync(shop, after);
    server = await startTestServer(kind, { clock: systemClock, maintenanceIntervalMs: 200, configDir: dir });
    const entry = await waitFor('recommendation seen calling catalog', async () => {
      const e = (await server!.request('GET', '/api/v1/catalog/services/recommendation')).body;
      return e.dependsOn?.some((d: any) => d.service === 'catalog' && d.observed) && e;
    }, 60_000);
    expect(entry.dependsOn).toEqual([{ service: 'catalog', declared: null, observed: true, verdict: null, drift: 'not declared: seen in traffic only' }]);
    expect(entry.drift).toEqual(['recommendation -> catalog: not declared: seen in traffic only']);
    // the declared edges the lab does use are not drift
    const frontend = (await server.request('GET', '/api/v1/catalog/services/frontend')).body;
    expect(frontend.drift).toEqual([]);
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'catalog', 'show', 'recommendation', '--url', server.url]);
    expect(stdout).toContain('catalog: declared no, seen in traffic  DRIFT: not declared: seen in traffic only');
    const list = await promisify(execFile)(process.execPath, [cli, 'catalog', 'list', '--url', server.url]);
    expect(list.stdout).toMatch(/recommendation .* catalog {2}\(1 drift\)/);
  }, 120_000);
});
