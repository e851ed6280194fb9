import { getCiphers, type ConnectionOptions, type SecureVersion } from 'node:tls';
import { certificateFacts, chainProblem, hostnameMismatch, type CertificateFacts } from './tlsCertificate.js';
import { chainOf, endpointName, handshake, type Handshake, type TlsEndpoint } from './tlsHandshake.js';

export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const satisfies readonly SecureVersion[];
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** What became of one thing offered on its own: a protocol version or a family of suites. */
export type ProbeResult = { result: 'accepted'; cipher: string; protocol: string } | { result: 'refused' | 'not_probed' | 'unreachable'; reason: string };

/**
 * Suites that give no or broken protection: an OpenSSL selector to offer
 * each family alone, and how its suites are named in `tls.getCiphers()`.
 * OpenSSL 3 builds usually leave RC4, 3DES, NULL, EXPORT and anonymous
 * suites out altogether, and a selector that matches none of them still
 * sends a ClientHello (with TLS 1.3 suites only), which the server rightly
 * refuses: so a family this client does not have is "not probed", never
 * "refused".
 */
export const WEAK_CIPHER_FAMILIES = {
  RC4: { selector: 'RC4', names: /rc4/ },
  '3DES': { selector: '3DES', names: /des-cbc3|3des/ },
  NULL: { selector: 'eNULL', names: /(^|-)null(-|$)/ },
  EXPORT: { selector: 'EXPORT', names: /^exp/ },
  anonymous: { selector: 'aNULL', names: /^(adh|aecdh)-/ },
  // CBC with an HMAC-SHA1: Lucky13, and BEAST on TLS 1.0; no forward secrecy for the RSA key exchange ones.
  'CBC-SHA1': { selector: 'SHA1:!aNULL:!eNULL:!RC4:!3DES:!EXPORT:!PSK:!SRP', names: /^(?!.*(rc4|des|null|psk|srp)).*-sha$/ },
} as const;
export type WeakCipherFamily = keyof typeof WEAK_CIPHER_FAMILIES;

// AEAD suites with forward secrecy, offered after a weak one to see whose order the server follows.
const STRONG_TLS12_SUITES = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
];

/**
 * Old versions and suites are refused by OpenSSL 3 at its default security
 * level before a ClientHello is sent; a scanner must be able to offer what
 * it looks for, so every probe runs at level 0. Nothing is trusted from
 * these connections: they are closed as soon as the handshake ends.
 */
const PROBE_SECLEVEL = '@SECLEVEL=0';

export interface TlsScanOptions {
  /** PEM CA certificates the chain must lead to; Node's bundled roots when absent */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** per handshake; default 5 s */
  timeoutMs?: number | undefined;
  /** the cipher list used to offer one version at a time (tests use it to make a version unofferable) */
  versionCiphers?: string | undefined;
}

export interface TlsCertificateReport {
  /** leaf first, as verified (the root may come from the CA set rather than the server) */
  chain: CertificateFacts[];
  /** against the CA set */
  chainTrusted: boolean;
  chainProblem: string | null;
  chainErrorCode: string | null;
  hostname: string;
  hostnameProblem: string | null;
}

/** Everything one endpoint answered, before any judgement. */
export interface TlsScan {
  endpoint: string;
  /** false when no TCP connection could be made at all */
  reachable: boolean;
  unreachableReason: string | null;
  versions: Record<TlsVersion, ProbeResult>;
  weakCiphers: Record<WeakCipherFamily, ProbeResult>;
  /**
   * Offered a weak suite it accepts first and strong ones after: true when the
   * server picked a strong one (its own order), false when it took the weak
   * one, null when it accepts no weak suite or not TLS 1.2 (nothing to prefer).
   */
  prefersStrongCiphers: boolean | null;
  preferenceEvidence: string | null;
  certificate: TlsCertificateReport | null;
}

const asProbe = (h: Handshake): ProbeResult => (h.kind === 'accepted' ? { result: 'accepted', cipher: h.cipher, protocol: h.protocol } : { result: h.kind, reason: h.reason });

function certificateReport(h: Extract<Handshake, { kind: 'accepted' }>, hostname: string): TlsCertificateReport {
  const chain = chainOf(h.peer);
  return {
    chain: chain.map(certificateFacts),
    chainTrusted: h.authorized,
    chainProblem: chainProblem(h.authorized, h.authorizationError),
    chainErrorCode: h.authorizationError,
    hostname,
    hostnameProblem: chain[0] ? hostnameMismatch(hostname, h.peer) : 'the server sent no certificate',
  };
}

/**
 * Probes one HTTPS endpoint: each protocol version alone, each weak suite
 * family alone, whose order wins, and the certificate chain. Handshakes run
 * one after another so a scan never looks like a flood.
 */
export async function scanTlsEndpoint(endpoint: TlsEndpoint, opts: TlsScanOptions = {}): Promise<TlsScan> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const base: ConnectionOptions = opts.ca !== undefined ? { ca: opts.ca } : {};
  const hostname = endpoint.servername ?? endpoint.host;

  const versions = {} as Record<TlsVersion, ProbeResult>;
  let certificate: TlsCertificateReport | null = null;
  // Newest first: the certificate is read from the best handshake the server offers.
  for (const version of [...TLS_VERSIONS].reverse()) {
    const h = await handshake(endpoint, { ...base, minVersion: version, maxVersion: version, ciphers: opts.versionCiphers ?? `DEFAULT${PROBE_SECLEVEL}` }, timeoutMs);
    versions[version] = asProbe(h);
    if (h.kind === 'accepted' && certificate === null) certificate = certificateReport(h, hostname);
    if (h.kind === 'unreachable' && version === 'TLSv1.3') {
      // Nothing listens: every other probe would wait for the same refusal.
      const unreachable: ProbeResult = { result: 'unreachable', reason: h.reason };
      return {
        endpoint: endpointName(endpoint),
        reachable: false,
        unreachableReason: h.reason,
        versions: Object.fromEntries(TLS_VERSIONS.map((v) => [v, unreachable])) as Record<TlsVersion, ProbeResult>,
        weakCiphers: Object.fromEntries(Object.keys(WEAK_CIPHER_FAMILIES).map((f) => [f, unreachable])) as Record<WeakCipherFamily, ProbeResult>,
        prefersStrongCiphers: null,
        preferenceEvidence: null,
        certificate: null,
      };
    }
  }

  const weakCiphers = {} as Record<WeakCipherFamily, ProbeResult>;
  // TLS 1.3 suites are all AEAD; weak ones live in 1.2 and below.
  const legacy: ConnectionOptions = { ...base, minVersion: 'TLSv1', maxVersion: 'TLSv1.2' };
  const clientSuites = getCiphers();
  const noVersion = certificate === null;
  const allRefused = TLS_VERSIONS.every((v) => versions[v].result === 'refused');
  for (const [family, { selector, names }] of Object.entries(WEAK_CIPHER_FAMILIES) as Array<[WeakCipherFamily, (typeof WEAK_CIPHER_FAMILIES)[WeakCipherFamily]]>) {
    // A server that completes no handshake takes no suite: no need to wait for it six more times.
    weakCiphers[family] = noVersion
      ? { result: allRefused ? 'refused' : 'not_probed', reason: 'no TLS version was accepted' }
      : clientSuites.some((name) => names.test(name))
        ? asProbe(await handshake(endpoint, { ...legacy, ciphers: `${selector}${PROBE_SECLEVEL}` }, timeoutMs))
        : { result: 'not_probed', reason: `this client's OpenSSL ${process.versions.openssl} has no ${family} suites to offer` };
  }

  let prefersStrongCiphers: boolean | null = null;
  let preferenceEvidence: string | null = null;
  const weakAccepted = Object.values(weakCiphers).find((p): p is Extract<ProbeResult, { result: 'accepted' }> => p.result === 'accepted');
  if (weakAccepted && versions['TLSv1.2'].result === 'accepted') {
    const offered = [weakAccepted.cipher, ...STRONG_TLS12_SUITES];
    const h = await handshake(endpoint, { ...base, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: `${offered.join(':')}${PROBE_SECLEVEL}` }, timeoutMs);
    if (h.kind === 'accepted') {
      prefersStrongCiphers = h.cipher !== weakAccepted.cipher;
      preferenceEvidence = `offered ${weakAccepted.cipher} first and ${STRONG_TLS12_SUITES.length} AEAD suites after it; the server chose ${h.cipher}`;
    } else preferenceEvidence = `the preference probe was ${h.kind}: ${h.reason}`;
  }

  return { endpoint: endpointName(endpoint), reachable: true, unreachableReason: null, versions, weakCiphers, prefersStrongCiphers, preferenceEvidence, certificate };
}
