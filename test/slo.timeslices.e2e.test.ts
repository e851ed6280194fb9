import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { sloCommand } from '../src/cli/sloCommand.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { shopTeam } from './support/shopTeam.js';

const MIN = 60_000;

const base = shopTeam('checkout');

const sloDoc = (name: string, spec: string) => `---
apiVersion: prodeng/v1
kind: SLO
metadata: { name: ${name} }
spec:
  service: checkout
  indicator: { events: {} }
${spec
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;

const timeslices1m = (name: string) => sloDoc(name, 'objective: 99\nwindow: 1d\nbudgetingMethod: Timeslices\ntimeslice: { window: 1m, objective: 95 }');
const occurrences = (name: string) => sloDoc(name, 'objective: 99\nwindow: 1d');

/** The CLI's `prodeng slo show NAME` against the server, its output as text. */
async function sloShow(server: TestServer, name: string): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  try {
    await sloCommand().parseAsync(['show', name, '--url', server.url], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return lines.join('\n');
}

describeEachStore('SLOs budgeted by Timeslices and RatioTimeslices', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  afterEach(async () => server?.stop());

  const start = async (yaml: string, at = '2026-12-01T00:00:30Z') => {
    clock = new ManualClock(Date.parse(at));
    server = await startTestServer(kind, { configYaml: base + yaml, clock });
  };
  // Through the API's route (in process: a day of minutes for four SLOs is thousands of pushes).
  const push = async (slo: string, good: number, bad: number) => {
    if (good + bad === 0) return;
    const res = await server.app.inject({ method: 'POST', url: `/api/v1/slis/${slo}/events`, payload: { good, bad } });
    expect(res.statusCode).toBe(200);
  };
  /** One minute: each SLO's events pushed, then the clock to the next minute and (unless told otherwise) the leader's pass (the evaluator). */
  const minute = async (counts: Record<string, [good: number, bad: number]>, pass = true) => {
    for (const [slo, [good, bad]] of Object.entries(counts)) await push(slo, good, bad);
    clock.advance(MIN);
    if (pass) await server.maintenance.runOnce();
  };
  const show = async (slo: string) => (await server.request('GET', `/api/v1/slos/${slo}`)).body;
  const sloAlerts = async (slo: string) => ((await server.request('GET', `/api/v1/alerts?match[]={alertname="SLOBurn",slo="${slo}"}`)).body.alerts as any[]).filter((a) => a.status === 'firing');

  it('spends a slice of budget for each bad minute, however little traffic it had: at 2 requests a minute, one error in each of 30 minutes costs what 30 busy minutes at 10% errors cost (Occurrences would not)', async () => {
    await start(timeslices1m('night-slices') + timeslices1m('busy-slices') + occurrences('night-events') + occurrences('busy-events'));
    // A whole day: at night 2 requests a minute, one of them failing in 30 of the minutes; by day 1000 a minute, 10% failing in the same 30 minutes.
    const badMinute = (m: number) => m % 48 === 7; // 30 of 1440
    for (let m = 0; m < 1440; m++) {
      const night: [number, number] = badMinute(m) ? [1, 1] : [2, 0];
      const busy: [number, number] = badMinute(m) ? [900, 100] : [1000, 0];
      // The leader's pass every half hour (a day of minutes kept short): each pass derives every slice ended since the last.
      await minute({ 'night-slices': night, 'night-events': night, 'busy-slices': busy, 'busy-events': busy }, m % 30 === 29);
    }
    const [nightSlices, busySlices, nightEvents, busyEvents] = await Promise.all(['night-slices', 'busy-slices', 'night-events', 'busy-events'].map(show));
    // 30 bad of 1440 slices against 1% of 1440 (14.4) allowed, either way.
    for (const s of [nightSlices, busySlices]) {
      expect(s).toMatchObject({ budgetingMethod: 'Timeslices', timeslice: { window: '1m', objective: 95 }, counted: 'slices', events: { bad: 30, total: 1440, allowedBad: 14.4 } });
    }
    expect(nightSlices.budgetRemaining).toBeCloseTo(1 - 30 / 14.4, 5);
    expect(Math.abs(nightSlices.budgetRemaining - busySlices.budgetRemaining) * 100).toBeLessThan(0.01);
    // Event-weighted, the same events tell two different stories: the night has nearly spent its budget (30 bad of 2880),
    // the busy day has four fifths of it left (3000 of 1,440,000), and the two differ by 83 points.
    expect(nightEvents).toMatchObject({ budgetingMethod: 'Occurrences', timeslice: null, counted: 'events', events: { bad: 30, total: 2880 } });
    expect(busyEvents).toMatchObject({ events: { bad: 3000, total: 1_440_000 } });
    expect(nightEvents.budgetRemaining).toBeCloseTo(1 - 30 / 28.8, 5);
    expect(busyEvents.budgetRemaining).toBeCloseTo(1 - 3000 / 14_400, 5);
    expect((busyEvents.budgetRemaining - nightEvents.budgetRemaining) * 100).toBeGreaterThan(80);
    // The burn-down's days count slices too, and the CLI says slices.
    expect(nightSlices.history).toEqual([{ day: '2026-12-01', good: 1410, total: 1440 }]);
    const text = await sloShow(server, 'night-slices');
    expect(text).toContain('budgeting: Timeslices');
    expect(text).toContain('1m slices good (a slice is good when 95% of its pushed events are good)');
    expect(text).toMatch(/30 bad of 1440 slices, 14\.4 allowed/);
    expect(await sloShow(server, 'night-events')).toMatch(/30 bad of 2880 events/);
  }, 120_000);

  it('counts a minute with 96% good events as a good slice, and one with 94% as a bad one', async () => {
    await start(timeslices1m('checkout-slices') + occurrences('checkout-events'));
    await minute({ 'checkout-slices': [96, 4], 'checkout-events': [96, 4] });
    let s = await show('checkout-slices');
    expect(s).toMatchObject({ events: { good: 1, bad: 0, total: 1 }, budgetRemaining: 1 });
    // Event-weighted, the 4 failures already spent the budget of 100 events four times over.
    expect((await show('checkout-events')).events).toMatchObject({ bad: 4, total: 100 });
    await minute({ 'checkout-slices': [94, 6] });
    s = await show('checkout-slices');
    expect(s.events).toMatchObject({ good: 1, bad: 1, total: 2 });
    expect(s.budgetRemaining).toBeCloseTo(1 - 1 / 0.02, 5);
    // A minute without events is no slice: neither good nor bad.
    await minute({});
    expect((await show('checkout-slices')).events).toMatchObject({ good: 1, bad: 1, total: 2 });
  });

  it('with 5-minute slices, judges a slice only once it has ended; pages a 5-minute total outage, not one bad slice', async () => {
    const fiveMinutes = (name: string) => sloDoc(name, 'objective: 99\nwindow: 30d\nbudgetingMethod: Timeslices\ntimeslice: { window: 5m, objective: 95 }\nalerting: { minBadEvents: 2 }');
    await start(fiveMinutes('blip') + fiveMinutes('outage'), '2026-12-01T10:00:30Z');
    const ok: [number, number] = [100, 0];
    const down: [number, number] = [0, 100];
    // An hour of good traffic: 12 good slices, 10:00 to 11:00.
    for (let m = 0; m < 60; m++) await minute({ blip: ok, outage: ok });
    expect((await show('blip')).events).toMatchObject({ bad: 0, total: 12 });
    expect((await show('blip')).burn.find((b: any) => b.tier === 'page-fast')).toMatchObject({ longWindow: '1h', shortWindow: '5m' });
    // 11:00: `blip` fails for one minute; `outage` goes down from 11:02 to 11:07 (5 minutes, across two slices).
    const at = (hhmm: string) => Date.parse(`2026-12-01T${hhmm}:00Z`);
    const trace: Array<{ at: string; blip: unknown; outage: unknown; outagePaged: boolean; outageTier: string | null }> = [];
    for (let t = at('11:00'); t < at('11:30'); t += MIN) {
      const m = (t - at('11:00')) / MIN;
      await minute({ blip: m === 0 ? down : ok, outage: m >= 2 && m < 7 ? down : ok });
      const [b, o] = [await show('blip'), await show('outage')];
      const [alert] = await sloAlerts('outage');
      trace.push({ at: new Date(t + MIN).toISOString().slice(11, 16), blip: [b.events.bad, b.events.total], outage: [o.events.bad, o.events.total], outagePaged: alert?.labels.severity === 'page', outageTier: alert?.labels.tier ?? null });
    }
    const when = (hhmm: string) => trace.find((x) => x.at === hhmm)!;
    // The slice 11:00-11:05 is not judged while it runs, though `blip`'s bad minute is in it.
    expect(when('11:01')).toMatchObject({ blip: [0, 12], outage: [0, 12], outagePaged: false });
    expect(when('11:04')).toMatchObject({ blip: [0, 12], outage: [0, 12], outagePaged: false });
    // At its end it is one bad slice for both (1 bad minute of 5, or 3).
    expect(when('11:05')).toMatchObject({ blip: [1, 13], outage: [1, 13], outagePaged: false });
    // The outage's second bad slice ends at 11:10: 2 of the hour's 12 slices, 16.7× the budget's rate over the hour and 100× over 5 minutes: a page.
    expect(when('11:09')).toMatchObject({ outage: [1, 13], outagePaged: false });
    expect(when('11:10')).toMatchObject({ blip: [1, 14], outage: [2, 14], outagePaged: true });
    expect(when('11:10').outageTier).toBe('page-fast');
    // Recovered, the fast tier goes once its 5-minute window holds good slices only; the slower page holds on.
    expect(when('11:15').outageTier).toBe('page-slow');
    // One bad slice never paged (with 18 slices in the window, it did spend the budget: a ticket, no page).
    expect((await sloAlerts('blip')).map((a) => a.labels)).toEqual([expect.objectContaining({ tier: 'exhausted', severity: 'ticket' })]);
    expect((await show('blip')).events).toMatchObject({ bad: 1, total: 18 });
  });

  it('RatioTimeslices: the budget is the mean of the slice ratios against the objective, however much traffic each slice had', async () => {
    const ratio = (name: string) => sloDoc(name, 'objective: 99\nwindow: 1d\nbudgetingMethod: RatioTimeslices\ntimeslice: { window: 1m }');
    await start(ratio('ratio') + ratio('ratio-busier') + occurrences('ratio-events'));
    // 120 minutes: busy even minutes (1000 requests, a few failing), quiet odd ones (20 requests, 1 failing in every fifth).
    const traffic = (m: number, scale: number): [number, number] => (m % 2 === 0 ? [(1000 - (m % 7)) * scale, (m % 7) * scale] : m % 10 === 1 ? [19, 1] : [20, 0]);
    let ratios = 0;
    let good = 0;
    let total = 0;
    for (let m = 0; m < 120; m++) {
      const [g, b] = traffic(m, 1);
      ratios += g / (g + b);
      good += g;
      total += g + b;
      // `ratio-busier` has ten times the busy minutes' traffic, with the same ratios.
      await minute({ ratio: [g, b], 'ratio-busier': traffic(m, 10), 'ratio-events': [g, b] });
    }
    const mean = ratios / 120;
    const exact = 1 - (1 - mean) / 0.01;
    const [r, busier, events] = await Promise.all(['ratio', 'ratio-busier', 'ratio-events'].map(show));
    expect(r).toMatchObject({ budgetingMethod: 'RatioTimeslices', timeslice: { window: '1m', objective: null }, counted: 'slices', events: { total: 120 } });
    expect(r.events.good).toBeCloseTo(ratios, 5);
    expect(r.budgetRemaining).toBeCloseTo(exact, 5);
    expect(busier.budgetRemaining).toBeCloseTo(exact, 5);
    // Event-weighted, the quiet minutes' failures hardly count: a very different budget.
    expect(events.budgetRemaining).toBeCloseTo(1 - (total - good) / (0.01 * total), 5);
    expect(Math.abs(events.budgetRemaining - exact)).toBeGreaterThan(0.2);
    expect(await sloShow(server, 'ratio')).toMatch(/mean ratio of good pushed events per 1m slice/);
  });

  it('backtests a Timeslices SLO from its stored events: the page it would have fired, where the event-weighted SLO would not have paged', async () => {
    const thirtyDays = (name: string, method: string) => sloDoc(name, `objective: 99\nwindow: 30d\n${method}`);
    await start(thirtyDays('bt-slices', 'budgetingMethod: Timeslices\ntimeslice: { window: 1m, objective: 95 }') + thirtyDays('bt-events', ''), '2026-12-01T10:00:30Z');
    const at = (m: number) => new Date(Date.parse('2026-12-01T06:00:00Z') + m * MIN).toISOString();
    // 4 hours at 20 requests a minute; for 15 minutes from 08:00, 2 of each minute's 20 fail (10%: every minute a bad slice, but only 10× the budget's rate in events).
    for (let m = 0; m < 240; m++) {
      const bad = m >= 120 && m < 135 ? 2 : 0;
      for (const slo of ['bt-slices', 'bt-events']) expect((await server.request('POST', `/api/v1/slis/${slo}/events`, { good: 20 - bad, bad, at: at(m) })).status).toBe(200);
    }
    const q = `from=${at(0)}&to=${at(240)}`;
    const r = (await server.request('GET', `/api/v1/slos/bt-slices/backtest?${q}`)).body;
    // The 10th bad slice in the hour (10 of 60: 16.7×, and minBadEvents 10 reached) pages at 08:10.
    expect(r).toMatchObject({ slo: 'bt-slices', pages: 1, evaluations: 240 });
    expect(r.transitions.find((t: any) => t.urgency === 'page')).toMatchObject({ at: at(130), tier: 'page-fast' });
    expect(r.transitions.filter((t: any) => t.at < at(130)).every((t: any) => t.urgency !== 'page')).toBe(true);
    expect(r.pagedMinutes).toBeGreaterThan(0);
    const events = (await server.request('GET', `/api/v1/slos/bt-events/backtest?${q}`)).body;
    expect(events).toMatchObject({ pages: 0, pagedMinutes: 0 });
    // Nothing was raised: a backtest only tells.
    expect(await sloAlerts('bt-slices')).toEqual([]);
  });
});

describe('prodeng slo rules and slices', () => {
  it('leaves out an SLO that budgets slices, saying why', async () => {
    const { prometheusRules } = await import('../src/slo/prometheusRules.js');
    const { sloSpecSchema } = await import('../src/slo/sloKind.js');
    const prometheus = { prometheus: { errorQuery: 'rate(e[{{window}}])', totalQuery: 'rate(t[{{window}}])' } };
    const doc = (name: string, extra: object) => ({ kind: 'SLO', name, spec: sloSpecSchema.parse({ service: 'checkout', objective: 99, indicator: prometheus, ...extra }), source: { file: 'x.yaml', line: 1 } }) as any;
    const files = prometheusRules([doc('a', {}), doc('b', { budgetingMethod: 'Timeslices', timeslice: { window: '1m', objective: 95 } })]);
    expect(files.slos).toEqual(['a']);
    expect(files.skipped).toEqual([{ slo: 'b', reason: expect.stringMatching(/budgetingMethod is Timeslices/) }]);
  });
});
