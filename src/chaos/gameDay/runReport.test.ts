import { describe, expect, it } from 'vitest';
import { code, inline } from './markdownText.js';
import { outputSummary, renderRunReport, type RunReportData } from './runReport.js';

const t0 = Date.parse('2026-12-09T14:00:00Z');
const probe = (name: string, met: boolean, status = 200) => ({ activity: { type: 'probe' as const, name, provider: { type: 'http' as const, url: 'http://x/' } }, output: { status, headers: {}, body: 'ok' }, status: 'succeeded' as const, start: null, end: null, duration: 0.01, tolerance_met: met });

function data(over: Partial<RunReportData['run']> = {}, journal: Partial<RunReportData['journal']> = {}): RunReportData {
  return {
    run: { id: 7, title: 'ad fails; the page renders', service: 'ad', status: 'failed', deviated: true, kind: 'experiment', experimentName: 'ad-check', gameDay: 'weekly', startedBy: 'game day weekly', startedAt: t0, endedAt: t0 + 12_000, ...over },
    experiment: { title: 'ad fails', description: 'line one\n# not a heading', 'steady-state-hypothesis': { title: 'the page answers', probes: [{ type: 'probe', name: 'page', tolerance: 200, provider: { type: 'http', url: 'http://x/' } }] } },
    journal: {
      status: 'failed',
      deviated: true,
      steady_states: { before: { steady_state_met: true, probes: [probe('page', true)] }, after: { steady_state_met: false, probes: [probe('page', false, 502)] }, during: [] },
      run: [{ activity: { type: 'action', name: 'break-ad', provider: { type: 'prodeng', func: 'lab.break' } }, output: { id: 3 }, status: 'succeeded', start: null, end: null, duration: 0.2 }],
      rollbacks: [{ activity: { type: 'action', name: 'heal-ad', provider: { type: 'prodeng', func: 'lab.heal' } }, output: null, status: 'failed', exception: ['Traceback', 'ActivityFailed: no host\n'], start: null, end: null, duration: 0.1 }],
      prodeng: { notes: [] },
      ...journal,
    } as RunReportData['journal'],
    faults: [{ id: 3, kind: 'lab-fault', target: { scenario: 'errors', service: 'ad', host: 'ad-1' }, injectedAt: t0 + 1000, revertedAt: t0 + 11_000, revertedBy: 'run ended' }],
    alerts: [{ id: 1, name: 'AdErrors', summary: 'ad | broken\n## injected heading <script>', severity: 'page', status: 'firing', startsAt: t0 + 5000, resolvedAt: null }],
    incidents: [{ id: 4, title: 'ad errors', status: 'open', urgency: 'low', createdAt: t0 + 5000, resolvedAt: null }],
  };
}

describe('renderRunReport', () => {
  it('tells the hypothesis, the verdict in words, the probes, method, rollbacks, faults and the alert timeline', () => {
    const md = renderRunReport(data());
    expect(md).toMatch(/^# Chaos run 7: ad fails; the page renders\n/);
    expect(md).toContain('> line one\n> \\# not a heading');
    expect(md).toContain('**the page answers**');
    expect(md).toContain('| page | `200` |');
    expect(md).toContain('**Failed: the steady state deviated.** The steady state held before the method and not after');
    expect(md).toMatch(/### Before the method: steady state met\n\n\| probe \| tolerance \| output \| error \|\n\|---\|---\|---\|---\|\n\| page \| met \| http 200 \|/);
    expect(md).toMatch(/### After the method: steady state \*\*not met\*\*[\s\S]*\| page \| \*\*not met\*\* \| http 502 \|/);
    expect(md).toContain('| break-ad | action | succeeded | 0.20 s |');
    expect(md).toContain('| heal-ad | action | **failed** | 0.10 s | ActivityFailed: no host |');
    expect(md).toContain('| 3 | lab-fault | `{"scenario":"errors","service":"ad","host":"ad-1"}` | 2026-12-09 14:00:01Z | 2026-12-09 14:00:11Z | by prodeng when the run ended (the rollbacks left it) |');
    expect(md).toContain('| 2026-12-09 14:00:05Z | alert AdErrors fired (page): ad \\| broken \\#\\# injected heading \\<script\\> |');
    expect(md).toContain('| 2026-12-09 14:00:05Z | incident 4 opened (a ticket, nobody paged): ad errors |');
    expect(md).toContain('| 2026-12-09 14:00:12Z | run ended: failed |');
    // every table row stays one line: the alert's newline did not split it
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(line.endsWith('|')).toBe(true);
  });

  it('says why a run was refused, and that nothing ran', () => {
    const md = renderRunReport({ ...data({ status: 'refused', deviated: false }), journal: { refused: 'service ad has open incident 4 (ad errors)' }, faults: [], alerts: [], incidents: [] });
    expect(md).toContain('**Refused.** Nothing ran: service ad has open incident 4 (ad errors).');
    expect(md).toContain('No activity of the method ran.');
    expect(md).toContain('## Faults injected\n\nNone.');
  });

  it('an interrupted run says its faults were rolled back and the hypothesis untested', () => {
    expect(renderRunReport(data({ status: 'interrupted', deviated: false }))).toMatch(/\*\*Interrupted\.\*\* The run was stopped before it ended .*not tested to the end/);
  });
});

describe('markdown text', () => {
  it('keeps outside text on one line and inert', () => {
    expect(inline('a\n| b *c* [d](e) `f` <g>')).toBe('a \\| b \\*c\\* \\[d\\](e) \\`f\\` \\<g\\>');
    expect(code('a`b|c')).toBe('``a`b\\|c``');
    expect(outputSummary({ status: 1, stdout: '', stderr: 'x' })).toBe('exit 1');
  });
});
