import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/** What one certificate of a chain says about itself, in terms a reader can judge. */
export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** epoch ms */
  validFrom: number;
  validTo: number;
  /** rsa, ec, ed25519, … */
  keyType: string;
  /** modulus length for RSA and DSA, the curve's size for EC */
  keyBits: number | null;
  /** the name of the algorithm the issuer signed it with, e.g. sha256WithRSAEncryption */
  signatureAlgorithm: string;
  selfSigned: boolean;
  fingerprint256: string;
}

// The signature algorithms X.509 certificates are seen with (RFC 3279, 4055, 5758, 8410).
const signatureOids: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '2.16.840.1.101.3.4.3.2': 'dsaWithSHA256',
  '1.2.840.10045.4.1': 'ecdsaWithSHA1',
  '1.2.840.10045.4.3.1': 'ecdsaWithSHA224',
  '1.2.840.10045.4.3.2': 'ecdsaWithSHA256',
  '1.2.840.10045.4.3.3': 'ecdsaWithSHA384',
  '1.2.840.10045.4.3.4': 'ecdsaWithSHA512',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
};

const curveBits: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** A DER element's header at `at`: where its content starts and how long it is. */
function derElement(der: Buffer, at: number): { tag: number; start: number; length: number } {
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  if (start + length > der.length) throw new Error('truncated DER');
  return { tag, start, length };
}

function decodeOid(bytes: Buffer): string {
  const parts: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

/**
 * The outer signatureAlgorithm of a DER certificate: Node 20's X509Certificate
 * does not expose it, and it is three elements in (Certificate ::= SEQUENCE
 * { tbsCertificate, signatureAlgorithm, signatureValue }).
 */
export function signatureAlgorithmOf(der: Buffer): string {
  try {
    const cert = derElement(der, 0);
    const tbs = derElement(der, cert.start);
    const algorithm = derElement(der, tbs.start + tbs.length);
    const oid = derElement(der, algorithm.start);
    if (oid.tag !== 0x06) return 'unknown';
    const dotted = decodeOid(der.subarray(oid.start, oid.start + oid.length));
    return signatureOids[dotted] ?? dotted;
  } catch {
    return 'unknown';
  }
}

/** SHA-1 and older digests: a collision can forge such a signature (SHAttered, 2017). */
export const isWeakSignature = (algorithm: string) => /md2|md5|sha1/i.test(algorithm);

export function certificateFacts(cert: PeerCertificate): CertificateFacts {
  const x509 = new X509Certificate(cert.raw);
  const key = x509.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  const keyBits = details.modulusLength ?? (details.namedCurve ? (curveBits[details.namedCurve] ?? null) : null) ?? (typeof cert.bits === 'number' ? cert.bits : null);
  return {
    subject: x509.subject.replace(/\n/g, ', '),
    issuer: x509.issuer.replace(/\n/g, ', '),
    validFrom: Date.parse(x509.validFrom),
    validTo: Date.parse(x509.validTo),
    keyType: key.asymmetricKeyType ?? 'unknown',
    keyBits,
    signatureAlgorithm: signatureAlgorithmOf(cert.raw),
    selfSigned: x509.subject === x509.issuer && x509.verify(key),
    fingerprint256: x509.fingerprint256,
  };
}

/** The least key size trusted today (NIST SP 800-57: 112-bit security). */
export function keyTooSmall(facts: Pick<CertificateFacts, 'keyType' | 'keyBits'>): boolean {
  if (facts.keyBits === null) return false;
  if (facts.keyType === 'rsa' || facts.keyType === 'rsa-pss' || facts.keyType === 'dsa') return facts.keyBits < 2048;
  if (facts.keyType === 'ec') return facts.keyBits < 256;
  return false;
}

/** Null when the certificate names the host (SAN, or CN without SANs), else why not. */
export function hostnameMismatch(hostname: string, cert: PeerCertificate): string | null {
  const err = checkServerIdentity(hostname, cert);
  return err ? err.message : null;
}

/** Why OpenSSL would not trust the chain, in words; null when it does. */
export function chainProblem(authorized: boolean, code: string | null): string | null {
  if (authorized) return null;
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'chain incomplete: the issuer of a certificate is neither sent by the server nor in the trusted CA set (a missing intermediate, or an unknown CA)';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return 'self-signed certificate, not issued by a trusted CA';
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'chain ends in a root that is not in the trusted CA set';
    case 'CERT_HAS_EXPIRED':
      return 'a certificate in the chain has expired';
    case 'CERT_NOT_YET_VALID':
      return 'a certificate in the chain is not valid yet';
    case 'CERT_SIGNATURE_FAILURE':
      return 'a signature in the chain does not verify';
    default:
      return `chain not trusted: ${code ?? 'unknown reason'}`;
  }
}
