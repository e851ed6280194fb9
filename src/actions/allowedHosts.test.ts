import { describe, expect, it } from 'vitest';
import { allowedHostsSchema, hostPortOf, hostRefusal, urlHostRefusal } from './allowedHosts.js';

describe('allowedHosts: where a templated host may point', () => {
  const list = ['web-*.shop.internal:8080', '127.0.0.1:*', 'lb.internal', '[::1]:*'];

  it('matches host and port, * standing for any run of characters', () => {
    expect(urlHostRefusal('http://web-1.shop.internal:8080/healthz', list)).toBeNull();
    expect(urlHostRefusal('http://WEB-2.Shop.Internal:8080/', list)).toBeNull();
    expect(urlHostRefusal('http://127.0.0.1:9/', list)).toBeNull();
    expect(urlHostRefusal('http://[::1]:8080/', list)).toBeNull();
    // no port in the pattern: the scheme's own port only
    expect(urlHostRefusal('https://lb.internal/x', list)).toBeNull();
    expect(urlHostRefusal('http://lb.internal:8443/x', list)).toMatch(/^host lb\.internal:8443 of http:\/\/lb\.internal:8443\/x is not in allowedHosts/);
  });

  it('refuses what is not listed, judged on the host as fetch would reach it', () => {
    expect(urlHostRefusal('http://web-1.shop.internal:22/', list)).toBe(
      'host web-1.shop.internal:22 of http://web-1.shop.internal:22/ is not in allowedHosts (web-*.shop.internal:8080, 127.0.0.1:*, lb.internal, [::1]:*); nothing was sent',
    );
    expect(urlHostRefusal('http://web-1.shop.internal.evil.example:8080/', list)).not.toBeNull();
    expect(urlHostRefusal('http://169.254.169.254/latest/meta-data/', list)).not.toBeNull();
    // 2130706433 is 127.0.0.1 to a URL parser: judged as 127.0.0.1, so a pattern spelled as the number does not cover it
    expect(urlHostRefusal('http://2130706433:80/', ['2130706433:*'])).not.toBeNull();
    expect(urlHostRefusal('not a url', list)).toMatch(/not a URL/);
  });

  it('judges ssh and TCP hosts on their port (the protocol default when the pattern has none)', () => {
    expect(hostRefusal('db-1.internal', 22, ['db-*.internal'], 22)).toBeNull();
    expect(hostRefusal('db-1.internal', 2222, ['db-*.internal'], 22)).toMatch(/^host db-1\.internal:2222 is not in allowedHosts/);
    expect(hostRefusal('db-1.internal', 5432, ['db-*.internal'], null)).not.toBeNull();
    expect(hostRefusal('db-1.internal', 5432, ['db-*.internal:*'], null)).toBeNull();
  });

  it('reads a host:port as the connection would reach it, and nothing that is more than host:port', () => {
    expect(hostPortOf('WEB-1.internal:8080')).toEqual({ host: 'web-1.internal', port: 8080 });
    expect(hostPortOf('2130706433:22')).toEqual({ host: '127.0.0.1', port: 22 });
    expect(hostPortOf('[::1]:22')).toEqual({ host: '[::1]', port: 22 });
    for (const bad of ['allowed.internal:80@evil:22', 'evil/x:80', 'a b:80', 'web-1', 'web-1:99999', ':80']) expect(hostPortOf(bad), bad).toBeNull();
  });

  it('takes host[:port] globs only, and no list that allows every host', () => {
    expect(allowedHostsSchema.safeParse(list).success).toBe(true);
    for (const bad of [['*'], ['*:*'], ['**:443'], ['http://lb.internal'], ['lb.internal/x'], ['{{ labels.instance }}'], ['a:b'], []]) {
      expect(allowedHostsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('matches a long adversarial host in linear time', () => {
    const host = `${'a'.repeat(200_000)}.internal`;
    const started = performance.now();
    expect(hostRefusal(host, 22, ['*a*a*a*a*a*a*a*a*a*a*b.internal'], 22)).not.toBeNull();
    expect(performance.now() - started).toBeLessThan(200);
  });
});
