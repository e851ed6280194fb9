import { describe, expect, it } from 'vitest';
import { idCursor } from './idCursor.js';

describe('idCursor', () => {
  it('moves past what it read and reports each id once', () => {
    const cursor = idCursor(10, { gapWaitMs: 1000, maxGaps: 100 });
    expect(cursor.accept([11, 12], 0)).toEqual([11, 12]);
    expect(cursor.highest).toBe(12);
    expect(cursor.accept([12], 1)).toEqual([]);
    expect(cursor.gaps).toEqual([]);
  });

  it('waits for an id skipped over, which commits late, and reports it once it appears', () => {
    const cursor = idCursor(10, { gapWaitMs: 1000, maxGaps: 100 });
    expect(cursor.accept([11, 13], 0)).toEqual([11, 13]);
    expect(cursor.gaps).toEqual([12]);
    expect(cursor.accept([12, 14], 500)).toEqual([12, 14]);
    expect(cursor.gaps).toEqual([]);
    expect(cursor.highest).toBe(14);
  });

  it('stops waiting for a gap after gapWaitMs (a rolled-back insert never commits)', () => {
    const cursor = idCursor(0, { gapWaitMs: 1000, maxGaps: 100 });
    cursor.accept([3], 0);
    expect(cursor.gaps.sort()).toEqual([1, 2]);
    cursor.accept([], 999);
    expect(cursor.gaps).toHaveLength(2);
    cursor.accept([], 1001);
    expect(cursor.gaps).toEqual([]);
  });

  it('remembers only the newest maxGaps ids of a large jump', () => {
    const cursor = idCursor(0, { gapWaitMs: 1000, maxGaps: 3 });
    cursor.accept([100], 0);
    expect(cursor.gaps.sort((a, b) => a - b)).toEqual([97, 98, 99]);
    cursor.accept([102], 1);
    expect(cursor.gaps.sort((a, b) => a - b)).toEqual([98, 99, 101]);
  });
});
