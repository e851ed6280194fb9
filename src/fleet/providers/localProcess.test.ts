import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalProcessProvider } from './localProcess.js';

const until = async (what: () => boolean) => {
  for (let i = 0; i < 50 && !what(); i++) await new Promise((r) => setTimeout(r, 100));
};

describe('local-process provider: what a host process gets from prodeng', () => {
  let provider: LocalProcessProvider | undefined;
  afterEach(async () => {
    await provider?.close();
    provider = undefined;
  });

  it('runs with PATH and the env the pool declares, not with prodeng secrets', async () => {
    process.env.PRODENG_TEST_HOST_SECRET = 'tok-must-stay-in-prodeng';
    process.env.PRODENG_TEST_PASSED = 'named-so-passed';
    const root = mkdtempSync(join(tmpdir(), 'prodeng-local-env-'));
    provider = new LocalProcessProvider(
      { argv: ['/bin/sh', '-c', '/usr/bin/env > "$0/env"; exec sleep 30', '{{ dataDir }}'], env: { SHOP_MODE: 'lab-{{ host }}' }, passEnv: ['PRODENG_TEST_PASSED', 'PRODENG_TEST_UNSET'] },
      root,
    );
    await provider.provision({ pool: 'web', host: 'web-1', service: 'web', cluster: null, labels: {}, inUse: [] });
    const file = join(root, 'web-1', 'env');
    await until(() => existsSync(file) && readFileSync(file, 'utf8').includes('SHOP_MODE'));
    const env = readFileSync(file, 'utf8');
    expect(env).toContain('SHOP_MODE=lab-web-1');
    expect(env).toMatch(/^PATH=/m);
    expect(env).not.toContain('tok-must-stay-in-prodeng');
    expect(env).toContain('PRODENG_TEST_PASSED=named-so-passed');
    expect(env).not.toContain('PRODENG_TEST_UNSET');
  });

  it('fills in only the variables it knows: {{ constructor }} stays as written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'prodeng-local-vars-'));
    provider = new LocalProcessProvider({ argv: ['/bin/sh', '-c', 'printf %s "$1" > "$0/arg"; exec sleep 30', '{{ dataDir }}', '{{ constructor }}'], env: {} }, root);
    await provider.provision({ pool: 'web', host: 'web-2', service: 'web', cluster: null, labels: {}, inUse: [] });
    const file = join(root, 'web-2', 'arg');
    await until(() => existsSync(file));
    expect(readFileSync(file, 'utf8')).toBe('{{ constructor }}');
  });
});

describe('local-process provider: a host left running by a killed prodeng', () => {
  it('is stopped by the next provider when its ref names that very process, and left alone otherwise', async () => {
    const root = mkdtempSync(join(tmpdir(), 'prodeng-local-orphan-'));
    // the first prodeng run: its provider is never closed (as if it were killed -9)
    const first = new LocalProcessProvider({ argv: [process.execPath, '-e', 'setInterval(() => {}, 1000)'], env: {} }, root);
    const made = await first.provision({ pool: 'web', host: 'web-9', service: 'web', cluster: null, labels: {}, inUse: [] });
    const pid = Number(made.ref!.split(':')[0]);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const next = new LocalProcessProvider({ argv: [process.execPath, '-e', ''], env: {} }, root);
    const host = { name: 'web-9', pool: 'web', address: made.address, ref: made.ref };
    // a ref whose start time is not this process's: another program may have that pid now
    expect(await next.stopOrphan({ ...host, ref: made.ref!.replace(/:(\d+)@/, ':1@') })).toBeNull();
    expect(await next.stopOrphan({ ...host, ref: String(pid) })).toBeNull();
    expect(alive()).toBe(true);
    expect(await next.stopOrphan(host)).toBe(`stopped pid ${pid}, left running by the previous prodeng run`);
    await until(() => !alive());
    expect(alive()).toBe(false);
    expect(await next.stopOrphan(host)).toBeNull();
    await first.close();
  });
});
