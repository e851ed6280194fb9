import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { clientKeyOf, connectionLimits, limitConnections, openFileSoftLimit } from './connectionLimits.js';

const procLimits = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 4096                 files
Max locked memory         8388608              8388608              bytes
`;

describe('connection caps from the open-file limit', () => {
  it('reads the soft limit from /proc/self/limits, with a fallback when it cannot', () => {
    expect(openFileSoftLimit(procLimits)).toBe(1024);
    expect(openFileSoftLimit(procLimits.replace('1024   ', 'unlimited'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(openFileSoftLimit('')).toBe(1024);
    expect(openFileSoftLimit('nothing useful')).toBe(1024);
  });

  it('leaves a quarter of the descriptors (at least 256) free and gives one client a quarter of the rest', () => {
    expect(connectionLimits({}, 1024)).toEqual({ openFileLimit: 1024, maxConnections: 768, maxConnectionsPerClient: 192 });
    expect(connectionLimits({}, 256)).toMatchObject({ maxConnections: 128, maxConnectionsPerClient: 32 });
    expect(connectionLimits({}, 20_000)).toMatchObject({ maxConnections: 10_000, maxConnectionsPerClient: 2_500 });
  });

  it('takes PRODENG_MAX_CONNECTIONS and PRODENG_MAX_CONNECTIONS_PER_CLIENT, and refuses nonsense', () => {
    expect(connectionLimits({ PRODENG_MAX_CONNECTIONS: '100' }, 1024)).toMatchObject({ maxConnections: 100, maxConnectionsPerClient: 25 });
    expect(connectionLimits({ PRODENG_MAX_CONNECTIONS: '100', PRODENG_MAX_CONNECTIONS_PER_CLIENT: '500' }, 1024)).toMatchObject({ maxConnectionsPerClient: 100 });
    expect(() => connectionLimits({ PRODENG_MAX_CONNECTIONS: 'lots' }, 1024)).toThrow(/PRODENG_MAX_CONNECTIONS: "lots"/);
    expect(() => connectionLimits({ PRODENG_MAX_CONNECTIONS_PER_CLIENT: '0' }, 1024)).toThrow(/at least 1/);
  });
});

describe('the client a connection counts under', () => {
  it('is the IPv4 address, unwrapped from its IPv6 mapping', () => {
    expect(clientKeyOf('10.1.2.3')).toBe('10.1.2.3');
    expect(clientKeyOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });

  it('is the /64 of an IPv6 address, however it is spelled', () => {
    expect(clientKeyOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKeyOf('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientKeyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKeyOf('::1')).toBe('0:0:0:0::/64');
    expect(clientKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('limitConnections', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const open = (port: number, localAddress: string) =>
    new Promise<{ socket: Socket; closed: Promise<void> }>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, localAddress });
      sockets.push(socket);
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      socket.once('error', () => {});
      socket.once('connect', () => resolve({ socket, closed }));
      socket.once('close', () => reject(new Error('closed before connecting')));
    });
  const settle = () => new Promise((r) => setTimeout(r, 100));

  it('closes a client\'s connections beyond its cap and beyond the total, and frees a slot when one closes', async () => {
    server = createServer((_req, res) => res.end('ok'));
    const refusals: string[] = [];
    const counters = limitConnections(server, { openFileLimit: 1024, maxConnections: 3, maxConnectionsPerClient: 2 }, (cap) => refusals.push(cap));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;

    const a1 = await open(port, '127.0.0.2');
    await open(port, '127.0.0.2');
    const a3 = await open(port, '127.0.0.2');
    await Promise.race([a3.closed, settle().then(() => expect.fail('the third connection from one client was kept'))]);
    await settle();
    expect(counters.open()).toBe(2);
    expect(counters.refused.per_client).toBe(1);

    await open(port, '127.0.0.3');
    const b2 = await open(port, '127.0.0.3').catch(() => undefined);
    if (b2) await Promise.race([b2.closed, settle().then(() => expect.fail('a connection beyond the total was kept'))]);
    await settle();
    expect(counters.refused.total).toBe(1);
    expect(refusals).toEqual(['per_client', 'total']);

    a1.socket.destroy();
    await a1.closed;
    await settle();
    expect(counters.open()).toBe(2);
    const again = await open(port, '127.0.0.2');
    await settle();
    expect(again.socket.destroyed).toBe(false);
    expect(counters.open()).toBe(3);
  });
});
