import { describe, expect, it } from 'vitest';
import { parseJunit, secondsToMs } from './ciJunit.js';
import { xmlGuardProblem } from './ciXmlGuard.js';

const limits = { maxDepth: 8, maxElements: 100 };

describe('the XML guard', () => {
  it('refuses a declaration anywhere outside comments and CDATA, and lets quoted ones through', () => {
    expect(xmlGuardProblem('<!DOCTYPE a><a/>', limits)?.code).toBe('xml_declaration_refused');
    expect(xmlGuardProblem('<a>\n<!ENTITY x "y"></a>', limits)).toEqual({ code: 'xml_declaration_refused', message: expect.stringContaining('line 2: <!ENTITY…>') });
    expect(xmlGuardProblem('<a><![CDATA[<!DOCTYPE html>]]><!-- <!DOCTYPE x> --></a>', limits)).toBeNull();
    expect(xmlGuardProblem('<?xml version="1.0"?><a b="x > <!DOCTYPE y>"/>', limits)).toBeNull();
  });

  it('bounds nesting and the number of elements', () => {
    expect(xmlGuardProblem(`${'<a>'.repeat(9)}${'</a>'.repeat(9)}`, limits)?.code).toBe('xml_too_deep');
    expect(xmlGuardProblem(`${'<a>'.repeat(8)}${'</a>'.repeat(8)}`, limits)).toBeNull();
    expect(xmlGuardProblem(`<r>${'<a/>'.repeat(100)}</r>`, limits)?.code).toBe('xml_too_many_elements');
  });

  it('names an unclosed comment or CDATA section', () => {
    expect(xmlGuardProblem('<a><!-- x</a>', limits)?.code).toBe('xml_invalid');
    expect(xmlGuardProblem('<a><![CDATA[x</a>', limits)?.code).toBe('xml_invalid');
  });
});

describe('JUnit parsing', () => {
  it('reads nested suites, a case without classname, and decodes character references', () => {
    const parsed = parseJunit(
      '\uFEFF<testsuites><testsuite name="outer" time="2"><testsuite name="inner"><testcase name="a&#233;" time="0.5"/></testsuite><testcase classname="k" name="b"><error/></testcase></testsuite></testsuites>',
    );
    expect(parsed).toEqual({
      ok: true,
      report: {
        suite: 'outer',
        tests: 2,
        failures: 0,
        errors: 1,
        skipped: 0,
        durationMs: 2000,
        cases: [
          { name: 'k.b', status: 'error', durationMs: 0 },
          { name: 'inner.aé', status: 'passed', durationMs: 500 },
        ],
      },
    });
  });

  it('sums case times when no suite gives one, and cuts very long names', () => {
    const parsed = parseJunit(`<testsuite><testcase classname="c" name="${'x'.repeat(2000)}" time="0.25"/><testcase classname="c" name="y" time="1,5"/></testsuite>`);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.report.durationMs).toBe(1750);
    expect(parsed.report.suite).toBe('(unnamed)');
    expect(parsed.report.cases[0]!.name).toHaveLength(1000);
  });

  it('reads times as JUnit writers spell them', () => {
    expect(secondsToMs('1.5')).toBe(1500);
    expect(secondsToMs('1,234.5')).toBe(1_234_500);
    expect(secondsToMs('0,25')).toBe(250);
    expect(secondsToMs('1e-3')).toBe(1);
    expect(secondsToMs('-1')).toBeNull();
    expect(secondsToMs('soon')).toBeNull();
    expect(secondsToMs(undefined)).toBeNull();
  });

  it('accepts an empty run, refuses what is not JUnit', () => {
    expect(parseJunit('<testsuites/>')).toMatchObject({ ok: true, report: { tests: 0, durationMs: 0 } });
    expect(parseJunit('<html><body/></html>')).toMatchObject({ ok: false, code: 'junit_invalid' });
    expect(parseJunit('  ')).toMatchObject({ ok: false, code: 'junit_invalid' });
    expect(parseJunit('<testsuite><testcase></testsuite>')).toMatchObject({ ok: false, code: 'xml_invalid' });
  });
});
