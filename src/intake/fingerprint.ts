// The same 64-bit FNV-1a over sorted label names and values that Prometheus
// and Alertmanager use for a label set's fingerprint, so an alert that
// reaches prodeng directly from Prometheus and via Alertmanager has one
// identity, and Alertmanager's fingerprints match ours.
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
const SEPARATOR = 0xff;
const encoder = new TextEncoder();

export type Labels = Record<string, string>;

export function labelSetFingerprint(labels: Labels): string {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  // FNV prime is 2^40 + 0x1b3; multiply as 32-bit halves to avoid BigInt.
  const addByte = (byte: number) => {
    lo = (lo ^ byte) >>> 0;
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    const newLo = loMul >>> 0;
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = newLo;
  };
  const addString = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const code = s.charCodeAt(i);
      if (code >= 0x80) {
        for (const b of encoder.encode(s)) addByte(b);
        return;
      }
    }
    for (let i = 0; i < s.length; i++) addByte(s.charCodeAt(i));
  };
  for (const name of Object.keys(labels).sort()) {
    addString(name);
    addByte(SEPARATOR);
    addString(labels[name] as string);
    addByte(SEPARATOR);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
