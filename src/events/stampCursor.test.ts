import { describe, expect, it } from 'vitest';
import { stampCursor } from './stampCursor.js';

describe('stampCursor', () => {
  it('reads a look-back behind the newest stamp and reports each change once', () => {
    const cursor = stampCursor(1000, 100, [{ key: 'a', stamp: 950 }]);
    expect(cursor.since).toBe(900);
    expect(cursor.accept([{ key: 'a', stamp: 950 }])).toEqual([]);
    expect(cursor.accept([{ key: 'b', stamp: 1010 }, { key: 'a', stamp: 950 }])).toEqual(['b']);
    expect(cursor.since).toBe(910);
    expect(cursor.accept([{ key: 'b', stamp: 1010 }])).toEqual([]);
  });

  it('finds a change stamped below the newest one seen (a late commit or another replica’s slower clock)', () => {
    const cursor = stampCursor(1000, 100);
    expect(cursor.accept([{ key: 'late', stamp: 960 }])).toEqual(['late']);
    expect(cursor.since).toBe(900);
  });

  it('reports a row again when it changes again', () => {
    const cursor = stampCursor(0, 100);
    expect(cursor.accept([{ key: 's1', stamp: 10 }])).toEqual(['s1']);
    expect(cursor.accept([{ key: 's1', stamp: 20 }])).toEqual(['s1']);
  });
});
