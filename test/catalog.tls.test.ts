import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type SecureVersion, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTls, tlsOutcome } from '../src/catalog/upkeep/tlsCheck.js';
import { scanTlsEndpoint, type TlsScan } from '../src/catalog/upkeep/tlsScan.js';
import { signatureAlgorithmOf } from '../src/catalog/upkeep/tlsCertificate.js';

// Real TLS servers on loopback, configured well and badly, with certificates
// made here by the openssl binary: a CA, an intermediate, leaves signed by
// each, an expired one, a self-signed one, a weak one. Nothing leaves 127.0.0.1.

const DAY = 86_400_000;

const opensslConfig = (dir: string) => `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
[other_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
[ca]
default_ca = test_ca
[test_ca]
database = ${dir}/index.txt
new_certs_dir = ${dir}
serial = ${dir}/serial
default_md = sha256
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
`;

interface Pki {
  dir: string;
  ca: string;
  read(name: string): string;
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-tls-'));
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, opensslConfig(dir));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const p = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const csr = (name: string, cn: string, bits = 2048) => ssl('req', '-new', '-config', cnf, '-newkey', `rsa:${bits}`, '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`);
  const sign = (name: string, issuer: string, ext: string, days: number, digest = 'sha256') =>
    ssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${issuer}.pem`), '-CAkey', p(`${issuer}.key`), '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', String(days), `-${digest}`, '-extfile', cnf, '-extensions', ext, '-out', p(`${name}.pem`));

  ssl('req', '-x509', '-config', cnf, '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '3650', '-sha256', '-subj', '/CN=prodeng test root', '-extensions', 'ca_ext');
  csr('intermediate', 'prodeng test intermediate');
  sign('intermediate', 'ca', 'ca_ext', 1825);
  csr('good', 'localhost');
  sign('good', 'ca', 'leaf_ext', 90);
  csr('viaIntermediate', 'localhost');
  sign('viaIntermediate', 'intermediate', 'leaf_ext', 90);
  // 1024-bit key, SHA-1 signature, five days left: three findings in one certificate.
  csr('weak', 'localhost', 1024);
  sign('weak', 'ca', 'leaf_ext', 5, 'sha1');
  csr('otherName', 'other.example');
  sign('otherName', 'ca', 'other_ext', 90);
  // `openssl x509` only signs from now on; `openssl ca` takes explicit dates.
  csr('expired', 'localhost');
  ssl('ca', '-batch', '-config', cnf, '-cert', p('ca.pem'), '-keyfile', p('ca.key'), '-in', p('expired.csr'), '-out', p('expired.pem'), '-startdate', '20250101000000Z', '-enddate', '20250201000000Z', '-extfile', cnf, '-extensions', 'leaf_ext', '-notext');
  ssl('req', '-x509', '-config', cnf, '-newkey', 'rsa:2048', '-nodes', '-keyout', p('selfSigned.key'), '-out', p('selfSigned.pem'), '-days', '90', '-subj', '/CN=localhost', '-extensions', 'leaf_ext');
  const read = (name: string) => readFileSync(p(name), 'utf8');
  return { dir, ca: read('ca.pem'), read };
}

interface ServerSpec {
  key: string;
  cert: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  ciphers?: string;
  honorCipherOrder?: boolean;
}

async function startTlsServer(spec: ServerSpec): Promise<{ port: number; server: Server }> {
  // AEAD suites unless the test says otherwise: Node's own default list still has CBC-SHA1 ones.
  const server = createServer({ minVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256', ...spec }, (socket) => socket.end());
  // Probes that are refused end in client errors on this side too: expected, not news.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

const endpoint = (port: number) => ({ host: '127.0.0.1', port, servername: 'localhost' });

describe('TLS of HTTPS endpoints, against real local servers', () => {
  let pki: Pki;
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  const now = Date.now();

  beforeAll(async () => {
    pki = makePki();
    const start = async (name: string, spec: ServerSpec) => {
      const s = await startTlsServer(spec);
      servers.push(s.server);
      ports[name] = s.port;
    };
    const leaf = (name: string) => ({ key: pki.read(`${name}.key`), cert: pki.read(`${name}.pem`) });
    await start('strong', { ...leaf('good'), minVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256', honorCipherOrder: true });
    await start('tls13only', { ...leaf('good'), minVersion: 'TLSv1.3' });
    // The old world: TLS 1.0 and 1.1, a CBC-SHA1 suite, the client's order, a weak certificate.
    await start('weak', { ...leaf('weak'), minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256@SECLEVEL=0', honorCipherOrder: false });
    // Accepts a CBC-SHA1 suite but picks AEAD whenever offered.
    await start('prefersStrong', { ...leaf('good'), minVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA', honorCipherOrder: true });
    // TLS 1.0 alone with an ECDHE suite: its key exchange is signed with MD5+SHA-1.
    await start('tls10Ecdhe', { ...leaf('good'), minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA@SECLEVEL=0' });
    await start('expired', leaf('expired'));
    await start('selfSigned', leaf('selfSigned'));
    await start('missingIntermediate', leaf('viaIntermediate'));
    await start('fullChain', { key: pki.read('viaIntermediate.key'), cert: pki.read('viaIntermediate.pem') + pki.read('intermediate.pem') });
    await start('otherName', leaf('otherName'));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const scan = (name: string, extra: Parameters<typeof scanTlsEndpoint>[1] = {}) => scanTlsEndpoint(endpoint(ports[name]!), { ca: pki.ca, timeoutMs: 3000, ...extra });

  it('passes a TLS 1.2+ server with strong suites and a trusted certificate, and says what it could not probe', async () => {
    const s = await scan('strong');
    expect(s.versions.TLSv1.result).toBe('refused');
    expect(s.versions['TLSv1.1'].result).toBe('refused');
    expect(s.versions['TLSv1.2']).toMatchObject({ result: 'accepted', protocol: 'TLSv1.2' });
    expect(s.versions['TLSv1.3']).toMatchObject({ result: 'accepted', protocol: 'TLSv1.3' });
    expect(s.weakCiphers['CBC-SHA1'].result).toBe('refused');
    // This Node's OpenSSL has no RC4: the scan must not claim the server refuses it.
    expect(s.weakCiphers.RC4.result).toBe('not_probed');
    expect(s.weakCiphers.NULL.result).toBe('not_probed');
    expect(s.certificate).toMatchObject({ chainTrusted: true, chainProblem: null, hostnameProblem: null });
    expect(s.certificate!.chain[0]).toMatchObject({ keyType: 'rsa', keyBits: 2048, signatureAlgorithm: 'sha256WithRSAEncryption' });

    const outcome = tlsOutcome([s], now);
    expect(outcome.status).toBe('passed');
    expect(outcome.fact).toMatch(/1 HTTPS endpoint: TLS 1\.2\+ only.*valid for (89|90) more days/);
    expect(outcome.fact).toMatch(/not probed .*RC4/);
    expect(outcome.source).toBe(`TLS handshakes with 127.0.0.1:${ports.strong}`);
  });

  it('passes a TLS 1.3-only server', async () => {
    const outcome = await checkTls([endpoint(ports.tls13only!)], { ca: pki.ca, now, timeoutMs: 3000 });
    expect(outcome.status).toBe('passed');
    const e = (outcome.evidence!.endpoints as Array<TlsScan & { problems: string[] }>)[0]!;
    expect(e.versions['TLSv1.2'].result).toBe('refused');
    expect(e.versions['TLSv1.3'].result).toBe('accepted');
  });

  it('fails a server that accepts TLS 1.0/1.1 and a CBC-SHA1 suite, follows the client order, and has a weak certificate', async () => {
    const s = await scan('weak');
    expect(s.versions.TLSv1).toMatchObject({ result: 'accepted', protocol: 'TLSv1' });
    expect(s.versions['TLSv1.1']).toMatchObject({ result: 'accepted', protocol: 'TLSv1.1' });
    expect(s.versions['TLSv1.3'].result).toBe('refused');
    expect(s.weakCiphers['CBC-SHA1']).toMatchObject({ result: 'accepted', cipher: 'AES128-SHA' });
    expect(s.prefersStrongCiphers).toBe(false);
    const outcome = tlsOutcome([s], now);
    expect(outcome.status).toBe('failed');
    for (const expected of ['TLS 1.0 accepted', 'TLS 1.1 accepted', 'weak cipher accepted: CBC-SHA1 (AES128-SHA)', 'does not prefer strong ciphers', 'certificate key is RSA 1024 bits', 'signed with sha1WithRSAEncryption']) {
      expect(outcome.fact).toContain(expected);
    }
    expect(outcome.fact).toMatch(/certificate expires in [45] days/);
  });

  it('does not count a weak suite against the preference when the server picks strong ones', async () => {
    const s = await scan('prefersStrong');
    expect(s.weakCiphers['CBC-SHA1'].result).toBe('accepted');
    expect(s.prefersStrongCiphers).toBe(true);
    expect(s.preferenceEvidence).toContain('the server chose ECDHE-RSA-AES128-GCM-SHA256');
    const outcome = tlsOutcome([s], now);
    expect(outcome.status).toBe('failed');
    expect(outcome.fact).toContain('weak cipher accepted: CBC-SHA1 (ECDHE-RSA-AES128-SHA)');
    expect(outcome.fact).not.toContain('does not prefer');
  });

  it('fails an expired certificate, a self-signed one, one without its intermediate, and one for another name', async () => {
    const expired = tlsOutcome([await scan('expired')], now);
    expect(expired.status).toBe('failed');
    expect(expired.fact).toMatch(/certificate expired \d+ days ago \(2025-02-01\)/);

    const selfSigned = tlsOutcome([await scan('selfSigned')], now);
    expect(selfSigned.fact).toContain('self-signed certificate, not issued by a trusted CA');

    const missing = await scan('missingIntermediate');
    expect(missing.certificate?.chainErrorCode).toMatch(/UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT_LOCALLY)/);
    expect(tlsOutcome([missing], now).fact).toContain('chain incomplete');

    const other = tlsOutcome([await scan('otherName')], now);
    expect(other.fact).toContain('certificate does not name localhost');
  });

  it('passes a chain that the server sends whole (leaf and intermediate)', async () => {
    const s = await scan('fullChain');
    expect(s.certificate?.chainTrusted).toBe(true);
    expect(s.certificate!.chain.map((c) => c.subject)).toEqual(['CN=localhost', 'CN=prodeng test intermediate', 'CN=prodeng test root']);
    const outcome = tlsOutcome([s], now);
    expect(outcome.fact).toMatch(/^1 HTTPS endpoint: /);
    expect(outcome.status).toBe('passed');
  });

  it('judges the expiry by the clock it is given: 21 days before the end it fails', async () => {
    const s = await scan('strong');
    const validTo = s.certificate!.chain[0]!.validTo;
    expect(tlsOutcome([s], validTo - 22 * DAY).status).toBe('passed');
    const soon = tlsOutcome([s], validTo - 20 * DAY);
    expect(soon.status).toBe('failed');
    expect(soon.fact).toMatch(/certificate expires in 20 days/);
  });

  it('says a version could not be probed rather than that it is off', async () => {
    // At OpenSSL's default security level this client stops a TLS 1.0 handshake at the server's legacy signature.
    const s = await scan('tls10Ecdhe', { versionCiphers: 'DEFAULT' });
    expect(s.versions.TLSv1).toMatchObject({ result: 'not_probed', reason: expect.stringContaining('legacy sigalg') });
    // At level 0, as the scan runs by default, the same server is seen to accept TLS 1.0.
    expect((await scan('tls10Ecdhe')).versions.TLSv1).toMatchObject({ result: 'accepted', protocol: 'TLSv1', cipher: 'ECDHE-RSA-AES128-SHA' });
    // Offering no suite TLS 1.1 can use: nothing is sent, nothing is known.
    const none = await scan('weak', { versionCiphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    expect(none.versions['TLSv1.1']).toMatchObject({ result: 'not_probed', reason: expect.stringContaining('no ciphers available') });
    const outcome = tlsOutcome([s], now);
    expect(outcome.fact).toMatch(/not probed \(this client's OpenSSL cannot offer them, so unknown rather than off\): TLS 1\.0/);
  });

  it('is not measured when nothing listens, and when no endpoint is declared', async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await checkTls([endpoint(port)], { ca: pki.ca, now, timeoutMs: 2000 });
    expect(outcome.status).toBe('not_measured');
    expect(outcome.fact).toContain(`could not reach 127.0.0.1:${port}`);
    expect((await checkTls([], { now })).status).toBe('not_measured');
  });

  it('fails an endpoint that does not speak TLS, without waiting on every suite', async () => {
    // It reads what it is sent (a ClientHello), or its side of the connection never sees the close.
    const http = createTcpServer((socket) => socket.resume().end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const port = (http.address() as AddressInfo).port;
      const s = await scanTlsEndpoint(endpoint(port), { ca: pki.ca, timeoutMs: 2000 });
      expect(s.versions['TLSv1.3']).toMatchObject({ result: 'refused', reason: expect.stringContaining('wrong version number') });
      expect(s.weakCiphers['CBC-SHA1']).toEqual({ result: 'refused', reason: 'no TLS version was accepted' });
      const outcome = tlsOutcome([s], now);
      expect(outcome.status).toBe('failed');
      expect(outcome.fact).toMatch(/no TLS version was accepted \(the server did not answer in TLS/);
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('fails the service when one of its endpoints fails', async () => {
    const outcome = await checkTls([endpoint(ports.strong!), endpoint(ports.expired!)], { ca: pki.ca, now, timeoutMs: 3000 });
    expect(outcome.status).toBe('failed');
    expect(outcome.fact).toContain(`127.0.0.1:${ports.expired}: certificate expired`);
    expect(outcome.fact).not.toContain(`127.0.0.1:${ports.strong}:`);
  });

  it('reads the signature algorithm from the DER', () => {
    const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    expect(signatureAlgorithmOf(der(pki.read('good.pem')))).toBe('sha256WithRSAEncryption');
    expect(signatureAlgorithmOf(der(pki.read('weak.pem')))).toBe('sha1WithRSAEncryption');
    expect(signatureAlgorithmOf(Buffer.from([0x30, 0x82]))).toBe('unknown');
  });
});
