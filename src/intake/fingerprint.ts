// The same 64-bit FNV-1a over sorted label names and values that Prometheus
// and Alertmanager use for a label set's fingerprint, so an alert that
// reaches prodeng directly from Prometheus and via Alertmanager has one
// identity, and Alertmanager's fingerprints match ours.
const encoder = new TextEncoder();

export type Labels = Record<string, string>;

/**
 * The hash is kept as four 16-bit limbs (h0 lowest) so every step is small
 * integer arithmetic: intake hashes every label of every alert it receives.
 * The FNV prime is 2^40 + 0x1b3.
 */
export function labelSetFingerprint(labels: Labels): string {
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const addByte = (byte: number): void => {
    h0 ^= byte;
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    const t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    h3 = (t3 + (t2 >>> 16)) & 0xffff;
    h2 = t2 & 0xffff;
  };
  const addString = (s: string): void => {
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        for (const b of encoder.encode(s)) addByte(b);
        return;
      }
    }
    for (let i = 0; i < s.length; i++) addByte(s.charCodeAt(i));
  };
  for (const name of Object.keys(labels).sort()) {
    addString(name);
    addByte(0xff);
    addString(labels[name] as string);
    addByte(0xff);
  }
  return hex16(h3) + hex16(h2) + hex16(h1) + hex16(h0);
}

function hex16(limb: number): string {
  return limb.toString(16).padStart(4, '0');
}
