import { connect, type ConnectionOptions, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';

/** One HTTPS endpoint of a service. */
export interface TlsEndpoint {
  host: string;
  port: number;
  /** the name sent as SNI and matched against the certificate; defaults to host */
  servername?: string | undefined;
}

/** What one handshake ended in, from the client's side. */
export type Handshake =
  | {
      kind: 'accepted';
      /** TLSv1 … TLSv1.3, as the server chose */
      protocol: string;
      /** the OpenSSL name of the suite the server chose */
      cipher: string;
      /** the chain verified against the given CA set, and why not */
      authorized: boolean;
      authorizationError: string | null;
      peer: DetailedPeerCertificate;
    }
  /** the server (or the connection) said no to what was offered */
  | { kind: 'refused'; reason: string }
  /** this client could not even offer it (its OpenSSL has no such version or suite) */
  | { kind: 'not_probed'; reason: string }
  /** no TCP connection: the endpoint is down or not there */
  | { kind: 'unreachable'; reason: string };

export const endpointName = (e: TlsEndpoint) => `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;

// Errors the local OpenSSL raises itself: before sending a ClientHello (it
// cannot offer the version or suites), or on a ServerHello its security level
// will not finish (at its default level OpenSSL 3 stops a TLS 1.0 handshake at
// the server's MD5/SHA-1 signature). Either way the server's answer is unknown.
const clientSideCodes = new Set([
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_NO_CIPHER_MATCH',
  'ERR_TLS_INVALID_PROTOCOL_VERSION',
  'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
  'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
  'ERR_SSL_DH_KEY_TOO_SMALL',
  'ERR_SSL_EE_KEY_TOO_SMALL',
  'ERR_SSL_CA_MD_TOO_WEAK',
  'ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED',
]);
const noConnectionCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT']);

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e?.code === 'string' ? e.code : '';
}

function describeRefusal(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ECONNRESET') return 'the server reset the connection during the handshake';
  const alert = /ALERT_(\w+)$/.exec(code);
  if (alert) return `the server answered with a ${alert[1]!.toLowerCase()} alert`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'the server did not answer in TLS (wrong version number: plain HTTP, or a version it does not speak)';
  if (code === 'ERR_SSL_UNSUPPORTED_PROTOCOL') return 'the server chose a version outside the one offered';
  return `${code || 'handshake failed'}: ${(err as Error)?.message ?? String(err)}`;
}

/**
 * One TLS handshake with the given options, then the connection is closed.
 * Never throws: every way a handshake ends is a value. The chain is checked
 * (against `ca`) but never enforced, and the host name is not checked here,
 * so that an expired or misnamed certificate is still read and judged.
 */
export function handshake(endpoint: TlsEndpoint, options: ConnectionOptions, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve) => {
    const servername = endpoint.servername ?? endpoint.host;
    let tcpConnected = false;
    let settled = false;
    let socket: TLSSocket | undefined;
    const finish = (result: Handshake) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(tcpConnected ? { kind: 'refused', reason: `no handshake within ${timeoutMs} ms` } : { kind: 'unreachable', reason: `no TCP connection within ${timeoutMs} ms` }),
      timeoutMs,
    );
    let tls: TLSSocket;
    try {
      tls = connect({
        host: endpoint.host,
        port: endpoint.port,
        // SNI carries names only, never an address (RFC 6066).
        ...(isIP(servername) ? {} : { servername }),
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ...options,
      });
    } catch (err) {
      // Node refuses a cipher string or version its OpenSSL does not have before connecting.
      finish({ kind: 'not_probed', reason: `this client cannot offer it: ${(err as Error).message}` });
      return;
    }
    socket = tls;
    tls.once('connect', () => {
      tcpConnected = true;
    });
    tls.once('secureConnect', () => {
      const cipher = tls.getCipher();
      finish({
        kind: 'accepted',
        protocol: tls.getProtocol() ?? 'unknown',
        cipher: cipher?.name ?? 'unknown',
        authorized: tls.authorized,
        authorizationError: tls.authorizationError ? String(tls.authorizationError) : null,
        peer: tls.getPeerCertificate(true),
      });
    });
    tls.once('error', (err) => {
      const code = errorCode(err);
      if (clientSideCodes.has(code)) finish({ kind: 'not_probed', reason: `this client cannot offer it: ${err.message}` });
      else if (!tcpConnected && noConnectionCodes.has(code)) finish({ kind: 'unreachable', reason: `${code}: ${err.message}` });
      else finish({ kind: 'refused', reason: describeRefusal(err) });
    });
    tls.once('close', () => finish({ kind: tcpConnected ? 'refused' : 'unreachable', reason: tcpConnected ? 'the server closed the connection during the handshake' : 'the connection closed before it was made' }));
  });
}

/** The certificates of a peer chain, leaf first, each once (the root's issuer is itself). */
export function chainOf(peer: DetailedPeerCertificate): PeerCertificate[] {
  const out: PeerCertificate[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = peer;
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(cert);
    cert = cert.issuerCertificate;
  }
  return out;
}
