import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { xmlGuardProblem } from './ciXmlGuard.js';

/**
 * JUnit XML as CI tools write it: `<testsuites>` holding `<testsuite>`s, or
 * a lone `<testsuite>`; `<testcase classname name time>` with `<failure>`,
 * `<error>` or `<skipped>` inside. Jenkins (Ant), Maven Surefire, pytest and
 * jest-junit all write this shape with their own extra attributes, which are
 * ignored. Surefire's reruns (`<flakyFailure>`, `<flakyError>` inside a test
 * that passed in the end) are kept as extra failed attempts, since they are
 * exactly what the flaky-test check looks for.
 */

export const ciReportLimits = {
  /** a JUnit file with this much is already mostly captured output */
  maxBodyBytes: 10 * 1024 * 1024,
  maxTestCases: 50_000,
  /** testsuites > testsuite (nested a few deep by some tools) > testcase > failure */
  maxDepth: 32,
  maxElements: 500_000,
  /** longer names (parametrised tests) are cut here rather than refused */
  maxNameLength: 1000,
  maxSuiteLength: 500,
} as const;

export type CaseStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface JunitCase {
  /** classname + "." + name (name alone without a classname) */
  name: string;
  status: CaseStatus;
  durationMs: number;
}

export interface JunitReport {
  /** the run's name: <testsuites name>, or the lone suite's, or the suites' names */
  suite: string;
  /** counts of test cases by final status (rerun attempts not counted) */
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  durationMs: number;
  /** every case with its final status, and each rerun attempt that failed before it passed */
  cases: JunitCase[];
}

export type JunitProblemCode = 'xml_declaration_refused' | 'xml_too_deep' | 'xml_too_many_elements' | 'xml_invalid' | 'junit_invalid' | 'too_many_test_cases';

export type JunitParse = { ok: true; report: JunitReport } | { ok: false; code: JunitProblemCode; message: string };

type XmlNode = Record<string, unknown>;

const repeated = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped', 'flakyFailure', 'flakyError', 'rerunFailure', 'rerunError']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Everything stays a string; numbers are read where they are meant.
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No DTD gets this far (the guard refuses it), so only the five XML entities and
  // character references (pytest writes &#10; in messages) are left to decode.
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => repeated.has(name),
});

const attr = (node: XmlNode, name: string): string | undefined => {
  const v = node[`@${name}`];
  return typeof v === 'string' ? v : undefined;
};

const children = (node: XmlNode, name: string): XmlNode[] => {
  const v = node[name];
  if (!Array.isArray(v)) return [];
  // An empty element (<skipped/>) parses as ""; it still counts.
  return v.map((c) => (c !== null && typeof c === 'object' ? (c as XmlNode) : {}));
};

/** Seconds as JUnit writes them ("1.5", Surefire's "1,234.5" or a locale's "1,5") to whole ms; null when absent or not a time. */
export function secondsToMs(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  let text = raw.trim();
  if (text.includes(',')) text = text.includes('.') ? text.replace(/,/g, '') : text.replace(',', '.');
  if (!/^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return null;
  const ms = Math.round(Number(text) * 1000);
  return Number.isSafeInteger(ms) ? ms : null;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

interface Walk {
  cases: JunitCase[];
  finals: CaseStatus[];
  tooMany: boolean;
}

function addCases(suite: XmlNode, suiteName: string | undefined, walk: Walk): void {
  for (const tc of children(suite, 'testcase')) {
    if (walk.finals.length >= ciReportLimits.maxTestCases) {
      walk.tooMany = true;
      return;
    }
    const caseName = attr(tc, 'name')?.trim() ?? '';
    // pytest and Surefire give a classname; a bare testcase takes its suite's name instead.
    const className = attr(tc, 'classname')?.trim() || suiteName?.trim() || '';
    const name = cut(className ? `${className}.${caseName}` : caseName || '(unnamed)', ciReportLimits.maxNameLength);
    const durationMs = secondsToMs(attr(tc, 'time')) ?? 0;
    const status: CaseStatus =
      children(tc, 'failure').length > 0 || children(tc, 'rerunFailure').length > 0
        ? 'failed'
        : children(tc, 'error').length > 0 || children(tc, 'rerunError').length > 0
          ? 'error'
          : children(tc, 'skipped').length > 0
            ? 'skipped'
            : 'passed';
    walk.finals.push(status);
    walk.cases.push({ name, status, durationMs });
    if (status === 'passed') {
      for (const _ of children(tc, 'flakyFailure')) walk.cases.push({ name, status: 'failed', durationMs: 0 });
      for (const _ of children(tc, 'flakyError')) walk.cases.push({ name, status: 'error', durationMs: 0 });
    }
  }
  // PHPUnit and some Ant tasks nest suites in suites.
  for (const inner of children(suite, 'testsuite')) {
    addCases(inner, attr(inner, 'name') ?? suiteName, walk);
    if (walk.tooMany) return;
  }
}

/** Parses a JUnit XML report; every refusal is a value with a code and a message naming the problem. */
export function parseJunit(xml: string): JunitParse {
  const text = xml.replace(/^\uFEFF/, '');
  if (text.trim() === '') return { ok: false, code: 'junit_invalid', message: 'the body is empty: send the JUnit XML report' };
  const guard = xmlGuardProblem(text, ciReportLimits);
  if (guard) return { ok: false, ...guard };
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { ok: false, code: 'xml_invalid', message: `line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}` };

  const doc = parser.parse(text) as XmlNode;
  const rootName = Object.keys(doc).find((k) => !k.startsWith('@') && k !== '#text');
  let suites: XmlNode[];
  let runName: string | undefined;
  let runMs: number | null = null;
  if (rootName === 'testsuites') {
    const root = (doc.testsuites && typeof doc.testsuites === 'object' ? doc.testsuites : {}) as XmlNode;
    suites = children(root, 'testsuite');
    runName = attr(root, 'name');
    runMs = secondsToMs(attr(root, 'time'));
  } else if (rootName === 'testsuite') {
    suites = children(doc, 'testsuite');
  } else {
    return { ok: false, code: 'junit_invalid', message: `the root element is <${rootName ?? '?'}>; a JUnit report's is <testsuites> or <testsuite>` };
  }

  const walk: Walk = { cases: [], finals: [], tooMany: false };
  for (const suite of suites) {
    addCases(suite, attr(suite, 'name'), walk);
    if (walk.tooMany) return { ok: false, code: 'too_many_test_cases', message: `more than ${ciReportLimits.maxTestCases} test cases in one report: split it (one report per job or module)` };
  }

  // The run's own time when it gives one (suites may run in parallel), else the suites', else the cases'.
  const suiteMs = suites.map((s) => secondsToMs(attr(s, 'time')));
  const durationMs = runMs ?? (suiteMs.length > 0 && suiteMs.every((ms) => ms !== null) ? suiteMs.reduce<number>((a, b) => a + (b ?? 0), 0) : walk.cases.reduce((a, c) => a + c.durationMs, 0));
  const names = suites.map((s) => attr(s, 'name')?.trim()).filter((n): n is string => Boolean(n));
  const suite = cut(runName?.trim() || (names.length === 1 ? names[0]! : names.length > 1 ? `${names.length} suites: ${names.join(', ')}` : '(unnamed)'), ciReportLimits.maxSuiteLength);
  const count = (s: CaseStatus) => walk.finals.filter((f) => f === s).length;
  return {
    ok: true,
    report: { suite, tests: walk.finals.length, failures: count('failed'), errors: count('error'), skipped: count('skipped'), durationMs, cases: walk.cases },
  };
}
