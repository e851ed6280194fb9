import type { CheckOutcome } from '../checks/checkOutcome.js';
import { notMeasured } from '../checks/checkOutcome.js';
import { isWeakSignature, keyTooSmall } from './tlsCertificate.js';
import type { TlsEndpoint } from './tlsHandshake.js';
import { scanTlsEndpoint, TLS_VERSIONS, type TlsScan, type TlsScanOptions, type TlsVersion, type WeakCipherFamily } from './tlsScan.js';

const DAY_MS = 86_400_000;

export interface TlsThresholds {
  /** a certificate with fewer days left fails: time to renew before anyone is paged */
  minDaysLeft: number;
}

export const defaultTlsThresholds: TlsThresholds = { minDaysLeft: 21 };

const versionLabel: Record<TlsVersion, string> = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3' };
// Deprecated by RFC 8996 (2021).
const OBSOLETE_VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1'];

/** What one endpoint's scan found wrong, for a person, most urgent first; empty when nothing. */
export function tlsProblems(scan: TlsScan, now: number, thresholds: TlsThresholds = defaultTlsThresholds): string[] {
  if (!scan.reachable) return [];
  const problems: string[] = [];
  const cert = scan.certificate;
  const leaf = cert?.chain[0];
  if (!cert || !leaf) {
    const why = TLS_VERSIONS.map((v) => scan.versions[v]).find((p) => p.result !== 'accepted');
    return [`no TLS version was accepted${why && 'reason' in why ? ` (${why.reason})` : ''}`];
  }

  const daysLeft = Math.floor((leaf.validTo - now) / DAY_MS);
  if (leaf.validTo <= now) problems.push(`certificate expired ${Math.max(0, -daysLeft)} days ago (${new Date(leaf.validTo).toISOString().slice(0, 10)})`);
  else if (daysLeft < thresholds.minDaysLeft) problems.push(`certificate expires in ${daysLeft} days (${new Date(leaf.validTo).toISOString().slice(0, 10)}), under ${thresholds.minDaysLeft}`);
  // An expired leaf is already said; OpenSSL names it as the chain's error too.
  if (cert.chainProblem && !(cert.chainErrorCode === 'CERT_HAS_EXPIRED' && leaf.validTo <= now)) problems.push(cert.chainProblem);
  if (cert.hostnameProblem) problems.push(`certificate does not name ${cert.hostname}: ${cert.hostnameProblem}`);
  if (keyTooSmall(leaf)) problems.push(`certificate key is ${leaf.keyType.toUpperCase()} ${leaf.keyBits} bits, under ${leaf.keyType === 'ec' ? 256 : 2048}`);
  // A root is trusted for being in the store, not for its signature: only what the server's chain relies on counts.
  const signed = cert.chain.filter((c, i) => i === 0 || !c.selfSigned);
  const weakSigned = signed.filter((c) => isWeakSignature(c.signatureAlgorithm));
  for (const c of weakSigned) problems.push(`${c === leaf ? 'certificate' : `intermediate ${c.subject}`} is signed with ${c.signatureAlgorithm}`);

  for (const v of OBSOLETE_VERSIONS) if (scan.versions[v].result === 'accepted') problems.push(`${versionLabel[v]} accepted`);
  if (scan.versions['TLSv1.2'].result !== 'accepted' && scan.versions['TLSv1.3'].result !== 'accepted') problems.push('neither TLS 1.2 nor TLS 1.3 accepted');
  for (const [family, probe] of Object.entries(scan.weakCiphers) as Array<[WeakCipherFamily, TlsScan['weakCiphers'][WeakCipherFamily]]>) {
    if (probe.result === 'accepted') problems.push(`weak cipher accepted: ${family} (${probe.cipher})`);
  }
  if (scan.prefersStrongCiphers === false) problems.push(`does not prefer strong ciphers: ${scan.preferenceEvidence}`);
  return problems;
}

/** What a scan could not look at: a version or suite family this client could not offer, stated rather than assumed off. */
export function tlsBlindSpots(scan: TlsScan): string[] {
  if (!scan.reachable) return [];
  const versions = TLS_VERSIONS.filter((v) => scan.versions[v].result === 'not_probed').map((v) => versionLabel[v]);
  const families = (Object.keys(scan.weakCiphers) as WeakCipherFamily[]).filter((f) => scan.weakCiphers[f].result === 'not_probed');
  return [...versions, ...families];
}

function daysLeftOf(scan: TlsScan, now: number): number | null {
  const leaf = scan.certificate?.chain[0];
  return leaf ? Math.floor((leaf.validTo - now) / DAY_MS) : null;
}

/**
 * One outcome for all of a service's HTTPS endpoints: failed when any has a
 * problem, not measured when none could be reached (or none is declared),
 * passed otherwise. What could not be probed is said in the fact.
 */
export function tlsOutcome(scans: TlsScan[], now: number, thresholds: TlsThresholds = defaultTlsThresholds): CheckOutcome {
  const source = scans.length ? `TLS handshakes with ${scans.map((s) => s.endpoint).join(', ')}` : 'TLS handshakes';
  if (scans.length === 0) return notMeasured('no HTTPS endpoint to check', source, now);
  const perEndpoint = scans.map((scan) => ({ scan, problems: tlsProblems(scan, now, thresholds), blindSpots: tlsBlindSpots(scan) }));
  const evidence = {
    minDaysLeft: thresholds.minDaysLeft,
    endpoints: perEndpoint.map(({ scan, problems, blindSpots }) => ({ ...scan, daysLeft: daysLeftOf(scan, now), problems, notProbed: blindSpots })),
  };
  const blind = [...new Set(perEndpoint.flatMap((e) => e.blindSpots))];
  const blindNote = blind.length ? `; not probed (this client's OpenSSL cannot offer them, so unknown rather than off): ${blind.join(', ')}` : '';

  const failing = perEndpoint.filter((e) => e.problems.length > 0);
  if (failing.length > 0) {
    const fact = failing.map((e) => `${e.scan.endpoint}: ${e.problems.join('; ')}`).join(' | ');
    return { status: 'failed', fact: `${fact}${blindNote}`, source, measuredAt: now, evidence };
  }
  const unreachable = perEndpoint.filter((e) => !e.scan.reachable);
  if (unreachable.length > 0) {
    const fact = `could not reach ${unreachable.map((e) => `${e.scan.endpoint} (${e.scan.unreachableReason})`).join(', ')}`;
    return { status: 'not_measured', fact, source, measuredAt: now, evidence };
  }
  const least = perEndpoint.map((e) => ({ endpoint: e.scan.endpoint, days: daysLeftOf(e.scan, now) ?? 0 })).sort((a, b) => a.days - b.days)[0]!;
  const n = scans.length;
  const fact = `${n} HTTPS endpoint${n === 1 ? '' : 's'}: TLS 1.2+ only, no weak cipher accepted, chain trusted and names the host, certificate valid for ${least.days} more days${n > 1 ? ` (least: ${least.endpoint})` : ''}${blindNote}`;
  return { status: 'passed', fact, source, measuredAt: now, evidence };
}

/** Scans each endpoint of a service in turn and judges them together. */
export async function checkTls(endpoints: TlsEndpoint[], opts: TlsScanOptions & { now: number; thresholds?: TlsThresholds }): Promise<CheckOutcome> {
  const scans: TlsScan[] = [];
  for (const endpoint of endpoints) scans.push(await scanTlsEndpoint(endpoint, opts));
  return tlsOutcome(scans, opts.now, opts.thresholds);
}
