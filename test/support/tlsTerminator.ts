import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { hasBinary } from './peers.js';

/**
 * A self-signed certificate for 127.0.0.1, made by openssl once per test
 * file, and a TLS terminator in front of prodeng's plain HTTP port: clients
 * such as pdjs only speak https.
 */
export function loopbackTls(hooks: { beforeAll(fn: () => void): void; afterAll(fn: () => void): void }, what: string) {
  const available = hasBinary('openssl');
  if (!available) console.warn(`${what} skipped: it needs openssl to make a certificate for its TLS terminator`);
  let certDir = '';
  let tls: { key: Buffer; cert: Buffer } | undefined;
  hooks.beforeAll(() => {
    if (!available) return;
    certDir = mkdtempSync(join(tmpdir(), 'prodeng-tls-'));
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
    tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
  });
  hooks.afterAll(() => {
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });
  return {
    available,
    /** the certificate, for a client's trust (read inside a test, once beforeAll made it) */
    get cert(): Buffer {
      return tls!.cert;
    },
    /** Terminates TLS on a loopback port and passes the bytes on to the target's plain HTTP port. */
    async terminator(target: URL): Promise<{ server: Server; host: string }> {
      const server = createServer({ key: tls!.key, cert: tls!.cert }, (socket) => {
        const upstream = connect(Number(target.port), target.hostname);
        socket.pipe(upstream).pipe(socket);
        const close = () => {
          socket.destroy();
          upstream.destroy();
        };
        socket.on('error', close);
        upstream.on('error', close);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
    },
  };
}
