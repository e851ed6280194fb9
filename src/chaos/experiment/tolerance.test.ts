import { describe, expect, it } from 'vitest';
import type { ProbeTolerance, Tolerance } from './schema.js';
import { lookupOf } from './substitute.js';
import { withinTolerance } from './tolerance.js';

const http = (status: number, body: unknown = '') => ({ status, headers: { 'content-type': 'application/json' }, body });
const proc = (status: number, stdout = '', stderr = '') => ({ status, stdout, stderr });
const lookup = lookupOf({ wanted: 'ok', pattern_part: 'welcome' }, { s: { token: 'x' } });

// [what, tolerance, output, met] — each as chaoslib's within_tolerance answers it
const table: Array<[string, Tolerance, unknown, boolean]> = [
  // booleans (Python: True == 1)
  ['true meets true', true, true, true],
  ['true does not meet false', true, false, false],
  ['false meets false', false, false, true],
  ['true meets the integer 1 (bool is an int in Python)', true, 1, true],
  ['false meets 0', false, 0, true],
  ['true does not meet the string "true"', true, 'true', false],
  ['a bool ignores a mapping output\'s status', true, { status: 1 }, false],
  // integers
  ['200 meets 200', 200, 200, true],
  ['200 does not meet 201', 200, 201, false],
  ['200 meets the status of an http output', 200, http(200), true],
  ['200 does not meet an http 503', 200, http(503), false],
  ['0 meets a process that exited 0', 0, proc(0, 'hello'), true],
  ['0 does not meet a process that exited 1', 0, proc(1), false],
  ['1 meets true (Python)', 1, true, true],
  ['1 meets 1.0', 1, 1.0, true],
  ['200 does not meet the string "200"', 200, '200', false],
  ['an integer against a mapping without status compares the mapping', 3, { count: 3 }, false],
  // strings
  ['a string meets the same string', 'OK', 'OK', true],
  ['a string is case sensitive', 'OK', 'ok', false],
  ['a string does not look into a mapping\'s status', 'OK', { status: 'OK' }, false],
  ['"1" does not meet 1', '1', 1, false],
  // lists
  ['two items are inclusive bounds: inside', [4, 9], 5, true],
  ['two items: the lower bound itself', [4, 9], 4, true],
  ['two items: the upper bound itself', [4, 9], 9, true],
  ['two items: above', [4, 9], 10, false],
  ['two items, http output: status is one of the items, not between them', [200, 299], http(250), false],
  ['two items, http output: status equals one of them', [200, 204], http(204), true],
  ['three items: the output is one of them', [4, 9, 78], 78, true],
  ['three items: not among them', [4, 9, 78], 5, false],
  ['a list of statuses meets an http output', [200, 201, 202], http(201), true],
  ['a list meets a process exit code', [0, 2, 3], proc(2), true],
  ['two string bounds compare as text', ['a', 'c'], 'b', true],
  ['bounds against a string of another type are not met (Python TypeError)', [1, 5], 'three', false],
  ['[true, false] bounds: true is not <= false', [true, false], true, false],
  ['one item: the output is it', ['up'], 'up', true],
  // range
  ['range: inside', { type: 'range', range: [4, 8] }, 6, true],
  ['range: floats', { type: 'range', range: [4.6, 8.9] }, 8.9, true],
  ['range: outside', { type: 'range', range: [4, 8] }, 8.01, false],
  ['range: a numeric string is a number (Decimal)', { type: 'range', range: [1, 10] }, ' 7.5 ', true],
  ['range: a word is not met', { type: 'range', range: [1, 10] }, 'seven', false],
  ['range: an http output without target is not met (no status shortcut)', { type: 'range', range: [200, 299] }, http(250), false],
  ['range: target status of an http output', { type: 'range', range: [200, 299], target: 'status' }, http(250), true],
  ['range: target body holding a number', { type: 'range', range: [0, 0.5], target: 'body' }, http(200, 0.25), true],
  ['range: null is not met', { type: 'range', range: [0, 1] }, null, false],
  ['range: true is 1', { type: 'range', range: [1, 1] }, true, true],
  // regex
  ['regex: found anywhere in a string (search, not match)', { type: 'regex', pattern: '[0-9]{3}' }, 'code 503 here', true],
  ['regex: not found', { type: 'regex', pattern: '^welcome=hello$' }, 'welcome=bonjour', false],
  ['regex: target stdout of a process', { type: 'regex', pattern: 'welcome=hello', target: 'stdout' }, proc(0, 'x\nwelcome=hello\n'), true],
  ['regex: target body of an http output', { type: 'regex', pattern: 'healthy', target: 'body' }, http(200, 'all healthy'), true],
  ['regex: a missing target uses the output itself (not a string: not met)', { type: 'regex', pattern: 'x', target: 'nope' }, proc(0, 'x'), false],
  ['regex: a number output is not met (Python TypeError)', { type: 'regex', pattern: '2' }, 200, false],
  ['regex: Python inline flag (?i)', { type: 'regex', pattern: '(?i)^OK$' }, 'ok', true],
  ['regex: Python named group (?P<n>)', { type: 'regex', pattern: '(?P<word>hel+o) (?P=word)' }, 'hello hello', true],
  ['regex: ${name} from the configuration', { type: 'regex', pattern: '^${pattern_part}=' }, 'welcome=hello', true],
  ['regex: target on a string output is not met (Python has no str.get)', { type: 'regex', pattern: 'x', target: 'stdout' }, 'x', false],
  // jsonpath
  ['jsonpath without expect: at least one match', { type: 'jsonpath', path: '$.foo[*].baz' }, { foo: [{ baz: 1 }] }, true],
  ['jsonpath without expect: no match', { type: 'jsonpath', path: '$.foo[*].qux' }, { foo: [{ baz: 1 }] }, false],
  ['jsonpath expect scalar: the only match equals it', { type: 'jsonpath', path: '$.status', expect: 'ok', target: 'body' }, http(200, { status: 'ok' }), true],
  ['jsonpath expect scalar: a different value', { type: 'jsonpath', path: '$.status', expect: 'ok', target: 'body' }, http(200, { status: 'degraded' }), false],
  ['jsonpath expect scalar with two matches is not met ([v] != [v, v])', { type: 'jsonpath', path: '$.items[*].ok', expect: true }, { items: [{ ok: true }, { ok: true }] }, false],
  [
    'jsonpath expect list, Chaos Toolkit\'s own example ($.foo.*[?(@.baz)].baz)',
    { type: 'jsonpath', path: '$.foo.*[?(@.baz)].baz', expect: ['hello', 'bonjour'], target: 'body' },
    http(200, { foo: [{ baz: 'hello' }, { baz: 'bonjour' }] }),
    true,
  ],
  ['jsonpath count', { type: 'jsonpath', path: '$.foo.*[?(@.baz)].baz', count: 2 }, { foo: [{ baz: 'hello' }, { baz: 'bonjour' }, { qux: 1 }] }, true],
  ['jsonpath count not matching', { type: 'jsonpath', path: '$.foo[*]', count: 2 }, { foo: [1, 2, 3] }, false],
  ['jsonpath reads a string output as JSON (stdout)', { type: 'jsonpath', path: '$.ready', expect: true, target: 'stdout' }, proc(0, '{"ready": true}'), true],
  ['jsonpath: expect wins over count', { type: 'jsonpath', path: '$.a', expect: 1, count: 5 }, { a: 1 }, true],
  ['jsonpath: expect null expects one null match', { type: 'jsonpath', path: '$.a', expect: null }, { a: null }, true],
  ['jsonpath filter comparison', { type: 'jsonpath', path: '$.pods.*[?(@.phase == "Running")].name', expect: ['a', 'c'] }, { pods: [{ name: 'a', phase: 'Running' }, { name: 'b', phase: 'Pending' }, { name: 'c', phase: 'Running' }] }, true],
  ['jsonpath recursive descent', { type: 'jsonpath', path: '$..replicas', expect: [3, 1] }, { a: { replicas: 3 }, b: [{ replicas: 1 }] }, true],
  ['jsonpath ${name} in the path', { type: 'jsonpath', path: '$.${wanted}', count: 1 }, { ok: 1 }, true],
];

describe('tolerances, as Chaos Toolkit reads them', () => {
  it('has at least 40 cases', () => expect(table.length).toBeGreaterThanOrEqual(40));
  it.each(table)('%s', async (_what, tolerance, output, met) => {
    expect(await withinTolerance(tolerance, output, { lookup })).toBe(met);
  });
});

describe('a probe as tolerance', () => {
  const probe: ProbeTolerance = { type: 'probe', name: 'judge', provider: { type: 'prodeng', func: 'judge' } };
  it('is met when the probe, given the output as value, succeeds', async () => {
    const seen: unknown[] = [];
    const runProbe = async (_p: ProbeTolerance, value: unknown) => (seen.push(value), (value as { status: number }).status === 200);
    expect(await withinTolerance(probe, http(200), { lookup, runProbe })).toBe(true);
    expect(await withinTolerance(probe, http(500), { lookup, runProbe })).toBe(false);
    expect(seen).toEqual([http(200), http(500)]);
  });
});
