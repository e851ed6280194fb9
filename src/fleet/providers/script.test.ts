import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProviderError } from './provider.js';
import { ScriptProvider } from './script.js';

const script = join(import.meta.dirname, '..', '..', '..', 'examples', 'providers', 'local-cloud.mjs');
const stateDir = mkdtempSync(join(tmpdir(), 'prodeng-local-cloud-'));
process.env.LOCAL_CLOUD_DIR = stateDir;
const signal = new AbortController().signal;

const answer = async (address: string) => {
  try {
    return await (await fetch(`http://${address}/`, { signal: AbortSignal.timeout(500) })).text();
  } catch {
    return null;
  }
};
const until = async (what: () => Promise<boolean>) => {
  for (let i = 0; i < 50 && !(await what()); i++) await new Promise((r) => setTimeout(r, 100));
};

describe('the script provider, with the example provider script', () => {
  const provider = new ScriptProvider({ path: script, timeout: 10_000, env: ['LOCAL_CLOUD_DIR'] });
  let address = '';
  afterAll(async () => {
    if (address) await provider.decommission({ name: 'web-1', pool: 'web', address, ref: null }, signal).catch(() => undefined);
  });

  it('provisions a machine that answers, reboots it, and decommissions it', async () => {
    const made = await provider.provision({ pool: 'web', host: 'web-1', service: 'web', cluster: null, labels: {}, inUse: [] }, signal);
    address = made.address;
    expect(made.address).toMatch(/^127\.0\.0\.1:\d+$/);
    await until(async () => (await answer(made.address)) !== null);
    const first = await answer(made.address);
    expect(first).toMatch(/^ok \d+$/);
    const host = { name: 'web-1', pool: 'web', address: made.address, ref: made.ref };
    expect(await provider.reboot(host, signal)).toMatch(/^rebooted web-1 \(pid \d+\)$/);
    await until(async () => ((await answer(made.address)) ?? first) !== first);
    expect(await answer(made.address)).not.toBe(first);
    expect(await provider.decommission(host, signal)).toBe('terminated web-1');
    await until(async () => (await answer(made.address)) === null);
    expect(await answer(made.address)).toBeNull();
    address = '';
  });

  it('turns a failing script into a ProviderError carrying its stderr', async () => {
    const err = await provider.reboot({ name: 'ghost', pool: 'web', address: null, ref: null }, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toBe(`provider script ${script} reboot exited with 1: no machine for host ghost in ${stateDir}`);
  });

  it('refuses an answer that is not JSON, or a provision without an address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-bad-provider-'));
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, '#!/bin/sh\nif [ "$1" = provision ]; then echo \'{"ref":"x"}\'; else echo not-json; fi\n');
    chmodSync(bad, 0o755);
    const p = new ScriptProvider({ path: bad, timeout: 5000, env: [] });
    await expect(p.provision({ pool: 'web', host: 'w', service: 'web', cluster: null, labels: {}, inUse: [] }, signal)).rejects.toThrow(/provision: the answer needs \{"address": "host:port"\}/);
    await expect(p.reboot({ name: 'w', pool: 'web', address: null, ref: null }, signal)).rejects.toThrow(`provider script ${bad} reboot answered something that is not JSON: not-json`);
  });
});
