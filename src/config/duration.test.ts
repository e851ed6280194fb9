import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationSchema, formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads Prometheus-style durations into milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    expect(parseDuration('1m30s500ms')).toBe(90_500);
    expect(parseDuration(' 0s ')).toBe(0);
  });

  it('refuses what is not a duration, saying how to write one', () => {
    for (const bad of ['', '5', 'm5', '5 minutes', '1h-30m', '5x', '1.5h', '-5m', '1h 30m']) {
      expect(() => parseDuration(bad), bad).toThrow(/duration.*e\.g\. .*30s/);
    }
  });

  it('refuses units out of order or repeated, as Prometheus does', () => {
    expect(() => parseDuration('30m1h')).toThrow('units must go from largest to smallest');
    expect(() => parseDuration('5m5m')).toThrow('units must go from largest to smallest');
  });

  it('refuses durations too long to count in milliseconds', () => {
    expect(() => parseDuration('99999999999999999w')).toThrow('too long');
  });
});

describe('formatDuration', () => {
  it('writes the shortest compound form', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_500)).toBe('1m30s500ms');
    expect(formatDuration(8 * 86_400_000)).toBe('1w1d');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-30_000)).toBe('-30s');
  });

  it('round-trips with parseDuration', () => {
    for (const text of ['500ms', '30s', '1h30m', '1w2d3h4m5s6ms']) expect(formatDuration(parseDuration(text))).toBe(text);
  });
});

describe('durationSchema', () => {
  const schema = z.object({ every: durationSchema });
  const messageFor = (every: unknown) => {
    const result = schema.safeParse({ every });
    return result.success ? undefined : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('takes a duration string or a number of seconds, giving milliseconds', () => {
    expect(schema.parse({ every: '5m' }).every).toBe(300_000);
    expect(schema.parse({ every: 90 }).every).toBe(90_000);
    expect(schema.parse({ every: 0.5 }).every).toBe(500);
  });

  it('explains what it wants', () => {
    expect(messageFor('soon')).toEqual([expect.stringMatching(/^every: "soon" is not a duration \(write e\.g\./)]);
    expect(messageFor(true)).toEqual(['every: must be a duration such as 30s, 5m or 1h30m, or a positive number of seconds']);
    expect(messageFor(-5)).toEqual(['every: must be a duration such as 30s, 5m or 1h30m, or a positive number of seconds']);
    expect(messageFor(0)).toEqual(['every: must be a duration such as 30s, 5m or 1h30m, or a positive number of seconds']);
  });
});
