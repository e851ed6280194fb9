import { describe, expect, it } from 'vitest';
import { compileMatcher, parseMatcher } from './matchers.js';

describe('label matchers', () => {
  it('anchor regexes at both ends, as Alertmanager does', () => {
    const m = compileMatcher(parseMatcher('instance=~"web-.*"'));
    expect(m({ instance: 'web-1' })).toBe(true);
    expect(m({ instance: 'old-web-1' })).toBe(false);
    expect(compileMatcher(parseMatcher('env=~"a|b"'))({ env: 'ab' })).toBe(false);
  });

  it('see only the labels an alert has, not properties every object inherits', () => {
    expect(compileMatcher(parseMatcher('constructor=~".+"'))({ alertname: 'X' })).toBe(false);
    expect(compileMatcher(parseMatcher('toString!=""'))({ alertname: 'X' })).toBe(false);
    expect(compileMatcher(parseMatcher('__proto__=""'))({ alertname: 'X' })).toBe(true);
  });

  it('run a pattern that backtracks exponentially elsewhere in linear time', () => {
    const m = compileMatcher(parseMatcher('v=~"(a+)+b"'));
    const started = performance.now();
    expect(m({ v: 'a'.repeat(5000) })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuse what RE2 cannot run in linear time, saying so', () => {
    expect(() => parseMatcher('v=~"(a)\\\\1"')).toThrow(/RE2/);
    expect(() => parseMatcher('v=~"web-(?!canary).*"')).toThrow(/RE2/);
  });
});
