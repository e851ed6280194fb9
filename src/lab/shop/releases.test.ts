import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseBehaviour, isShopVersion } from './releases.js';
import { startShopProcess, type ShopProcess } from './shopProcess.js';

describe('shop releases', () => {
  it('reads a version and what it breaks', () => {
    expect(releaseBehaviour('2')).toEqual({ version: '2', errorShare: 0, extraMs: 0, failPosts: false });
    expect(releaseBehaviour('2-bad')).toMatchObject({ errorShare: 0.1, extraMs: 80 });
    expect(releaseBehaviour('3-crashy')).toMatchObject({ failPosts: true, errorShare: 0 });
    expect(isShopVersion('2-bad')).toBe(true);
    expect(isShopVersion('2-evil')).toBe(false);
    expect(isShopVersion('$(id)')).toBe(false);
  });

  // Real processes: a good and a bad release of ad side by side, as a canary and its baseline would run.
  const root = mkdtempSync(join(tmpdir(), 'prodeng-shop-release-'));
  const running: ShopProcess[] = [];
  afterAll(async () => {
    for (const p of running) await p.stop();
  });

  it('a bad release answers its health check and fails a tenth of its requests, and each host counts what it served', async () => {
    const good = await startShopProcess({ service: 'ad', dataDir: join(root, 'good'), version: '1' });
    const bad = await startShopProcess({ service: 'ad', dataDir: join(root, 'bad'), version: '2-bad' });
    running.push(good, bad);
    for (const p of [good, bad]) expect((await (await fetch(`${p.url}/healthz`)).json()) as object).toMatchObject({ status: 'ok', version: p === good ? '1' : '2-bad' });
    const statuses = async (p: ShopProcess) => Promise.all(Array.from({ length: 300 }, async () => (await fetch(`${p.url}/ads`)).status));
    const goodStatuses = await statuses(good);
    const badStatuses = await statuses(bad);
    expect(goodStatuses.every((s) => s === 200)).toBe(true);
    const failed = badStatuses.filter((s) => s === 500).length;
    // 10% of 300, within what chance allows
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(60);
    const badStats = (await (await fetch(`${bad.url}/_lab/stats`)).json()) as { version: string; requests: number; errors: number; latenciesMs: number[] };
    expect(badStats).toMatchObject({ version: '2-bad', requests: 300, errors: failed });
    expect(Math.min(...badStats.latenciesMs)).toBeGreaterThanOrEqual(75);
    const goodStats = (await (await fetch(`${good.url}/_lab/stats`)).json()) as { requests: number; errors: number; latenciesMs: number[] };
    expect(goodStats).toMatchObject({ requests: 300, errors: 0 });
    expect((await fetch(`${bad.url}/ads`)).headers.get('x-shop-version')).toBe('2-bad');
  });

  it('refuses a version it does not know, naming the flag', async () => {
    await expect(startShopProcess({ service: 'ad', dataDir: join(root, 'evil'), version: '2-evil' })).rejects.toThrow(/--version: "2-evil" is not a shop version/);
  });
});
