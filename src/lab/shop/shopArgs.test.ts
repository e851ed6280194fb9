import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseShopArgs } from './shopArgs.js';
import { shopServiceCommand } from './shopProcess.js';

const parse = (...argv: string[]) => parseShopArgs(argv, {});

describe('the shopService command line', () => {
  it('reads a full command line', () => {
    const options = parseShopArgs(
      ['--service', 'recommendation', '--port', '41234', '--data', '/tmp/r', '--dep', 'catalog=127.0.0.1:4001,http://127.0.0.1:4002/', '--disk-quota', '1000', '--host-name', 'rec-1'],
      { PRODENG_API_TOKEN: 'tok' },
    );
    expect(options).toMatchObject({ service: 'recommendation', port: 41234, dataDir: '/tmp/r', diskQuotaBytes: 1000, hostName: 'rec-1', discoveryToken: 'tok' });
    expect(options.staticDependencies.get('catalog')).toEqual(['http://127.0.0.1:4001', 'http://127.0.0.1:4002']);
  });

  it('says what is wrong', () => {
    expect(() => parse('--service', 'basket', '--port', '1', '--data', 'd')).toThrow('--service: must be one of frontend, catalog');
    expect(() => parse('--service', 'cart', '--port', 'x', '--data', 'd')).toThrow('--port: must be a port number');
    expect(() => parse('--service', 'cart', '--port', '1')).toThrow('--data: ');
    expect(() => parse('--service', 'cart', '--port', '1', '--data', 'd', '--dep', 'catalog=127.0.0.1:1')).toThrow('cart does not depend on catalog');
    expect(() => parse('--service', 'recommendation', '--port', '1', '--data', 'd')).toThrow('recommendation needs catalog: give --dep catalog=URL for each, or --discovery');
    expect(() => parse('--service', 'recommendation', '--port', '1', '--data', 'd', '--dep', 'catalog=nowhere')).toThrow('must be host:port');
    expect(() => parse('--service', 'cart', '--port', '1', '--data', 'd', '--max-rss-mb', '0')).toThrow('--max-rss-mb: must be a number of megabytes');
    expect(parse('--service', 'cart', '--port', '1', '--data', 'd', '--max-rss-mb', '200').maxRssBytes).toBe(200 * 1024 * 1024);
    expect(() => parse('--service', 'cart', '--port', '1', '--data', 'd', '--bogus')).toThrow("Unknown option '--bogus'");
    expect(parse('--service', 'recommendation', '--port', '0', '--data', 'd', '--discovery', 'http://127.0.0.1:8080').discoveryUrl).toBe('http://127.0.0.1:8080');
  });

  it('exits 2 with the usage on a bad command line', () => {
    const { command, args, cwd } = shopServiceCommand();
    const run = spawnSync(command, [...args, '--service', 'cart'], { cwd, encoding: 'utf8', timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('shopService: --port: must be a port number');
    expect(run.stderr).toContain('usage: shopService --service NAME');
  });
});
