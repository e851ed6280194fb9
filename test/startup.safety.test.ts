import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.js';
import { openStore } from '../src/store/store.js';
import { insertHost, getHost } from '../src/fleet/hosts.js';
import { serveBuilt } from './support/builtServer.js';
import { writeConfigDir } from './support/testServer.js';

// Issue 13, "a second start wipes the first": a start that cannot run stops before it touches anything.

const silent = pino({ level: 'silent' });
const hostDoc = (name: string) => `apiVersion: prodeng/v1\nkind: Host\nmetadata: { name: ${name} }\nspec: { address: "127.0.0.1:9" }\n`;

describe('a second prodeng on the same data directory or port', () => {
  const children: Array<{ kill(signal?: NodeJS.Signals): boolean }> = [];
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const s of servers.splice(0)) await s.close();
  });

  it('is refused before it reads the store, names the running one, and may start once that one is killed', async () => {
    const data = mkdtempSync(join(tmpdir(), 'prodeng-second-'));
    const config = writeConfigDir(hostDoc('web-1'));
    const first = await serveBuilt(['--data', data, '--config', config], undefined);
    children.push(first.child);

    const started = Date.now();
    const second = startServer({ dataDir: data, port: 0, logger: silent });
    await expect(second).rejects.toMatchObject({ code: 'data_dir_in_use' });
    await expect(second).rejects.toThrow(new RegExp(`pid ${first.child.pid}`));
    expect(Date.now() - started).toBeLessThan(2_000);
    // The first one's host is as it was.
    const hosts = (await (await fetch(`${first.url}/api/v1/hosts`)).json()) as { hosts: Array<{ name: string; state: string }> };
    expect(hosts.hosts).toEqual([expect.objectContaining({ name: 'web-1', state: 'in_service' })]);

    // kill -9 leaves no lock behind.
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    servers.push(await startServer({ dataDir: data, port: 0, logger: silent, configDir: config }));
  });

  it('is refused on a port in use before it creates or changes any data', async () => {
    const busy = await serveBuilt(['--data', mkdtempSync(join(tmpdir(), 'prodeng-busy-'))], undefined);
    children.push(busy.child);
    const port = Number(new URL(busy.url).port);
    const data = join(mkdtempSync(join(tmpdir(), 'prodeng-port-')), 'data');
    await expect(startServer({ dataDir: data, port, logger: silent })).rejects.toMatchObject({ code: 'port_in_use' });
    expect(existsSync(join(data, 'prodeng.db'))).toBe(false);
  });
});

describe('hosts a later start cannot stand behind', () => {
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('retires hosts declared by another config, and a lab run’s dead processes, instead of reporting them in service', async () => {
    const data = mkdtempSync(join(tmpdir(), 'prodeng-leftovers-'));
    const withHost = writeConfigDir(hostDoc('web-1'));
    const first = await startServer({ dataDir: data, port: 0, logger: silent, configDir: withHost });
    await first.close();
    // What a lab run leaves: a local process host of a pool, recorded in service.
    const store = await openStore({ dataDir: data });
    await insertHost(store.db, { name: 'cart-1', pool: 'cart', address: '127.0.0.1:1', service: 'cart', provider: 'local-process', state: 'in_service', reason: 'lab', origin: 'pool' }, 'pool cart', Date.now());
    await store.close();

    const later = await startServer({ dataDir: data, port: 0, logger: silent, configDir: writeConfigDir(hostDoc('db-1')) });
    servers.push(later);
    expect((await getHost(later.store.db, 'web-1'))?.state).toBe('decommissioned');
    expect((await getHost(later.store.db, 'cart-1'))?.state).toBe('decommissioned');
    expect((await getHost(later.store.db, 'db-1'))?.state).toBe('in_service');
    const endpoints = (await (await fetch(`${later.url}/api/v1/services/cart/endpoints`)).json()) as { endpoints: unknown[] };
    expect(endpoints.endpoints).toEqual([]);
  });
});
