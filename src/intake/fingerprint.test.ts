import { describe, expect, it } from 'vitest';
import { labelSetFingerprint } from './fingerprint.js';

function referenceFnv(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  const add = (b: number) => {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const b of Buffer.from(name)) add(b);
    add(0xff);
    for (const b of Buffer.from(labels[name]!)) add(b);
    add(0xff);
  }
  return h.toString(16).padStart(16, '0');
}

describe('labelSetFingerprint', () => {
  it('does not depend on label order', () => {
    expect(labelSetFingerprint({ a: '1', b: '2' })).toBe(labelSetFingerprint({ b: '2', a: '1' }));
  });
  it('tells different label sets apart', () => {
    expect(labelSetFingerprint({ a: '1', b: '2' })).not.toBe(labelSetFingerprint({ a: '12' }));
    expect(labelSetFingerprint({ a: '1' })).not.toBe(labelSetFingerprint({ a: '2' }));
  });
  it('is the 64-bit FNV-1a of the label set, including non-ASCII values', () => {
    for (const labels of <Record<string, string>[]>[
      {},
      { alertname: 'WebDown' },
      { alertname: 'WebDown', instance: 'web-1:9100', job: 'web' },
      { zone: 'zürich', emoji: '🔥 on fire', cjk: '警告' },
    ]) {
      expect(labelSetFingerprint(labels)).toBe(referenceFnv(labels));
    }
  });
});
