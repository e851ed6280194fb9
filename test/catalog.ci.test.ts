import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ciDurationTrend } from '../src/catalog/upkeep/ciDurationTrend.js';
import { ciFlakyTests } from '../src/catalog/upkeep/ciFlaky.js';
import { ciReportLimits, parseJunit } from '../src/catalog/upkeep/ciJunit.js';
import { storeCiReport } from '../src/catalog/upkeep/ciReports.js';
import { ManualClock } from '../src/store/clock.js';
import { shopTeam } from './support/shopTeam.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// JUnit reports posted through the real HTTP API, stored, and read back by
// the flaky-test and CI-duration checks, on both stores.

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'junit', name), 'utf8');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COMMIT_A = 'a'.repeat(40);
const COMMIT_B = 'b'.repeat(40);

/** A small report with given case results and run time. */
function junit(cases: Record<string, 'passed' | 'failed' | 'error'>, seconds = 1, suite = 'unit'): string {
  const body = Object.entries(cases)
    .map(([name, status]) => `<testcase classname="shop.Cart" name="${name}" time="0.1">${status === 'failed' ? '<failure message="boom"/>' : status === 'error' ? '<error message="crash"/>' : ''}</testcase>`)
    .join('');
  return `<?xml version="1.0"?><testsuites name="${suite}" time="${seconds}"><testsuite name="shop.Cart">${body}</testsuite></testsuites>`;
}

describeEachStore('catalog: CI reports through the HTTP API', (kind) => {
  let server: TestServer;
  let clock: ManualClock;
  const start = Date.parse('2026-12-01T12:00:00Z');

  beforeAll(async () => {
    clock = new ManualClock(start);
    server = await startTestServer(kind, { clock, configYaml: shopTeam('cart', 'checkout', 'inventory', 'quiet') });
  });
  afterAll(async () => server?.stop());
  beforeEach(async () => {
    await server.store.db.deleteFrom('ci_test_cases').execute();
    await server.store.db.deleteFrom('ci_reports').execute();
    clock.set(start);
  });

  const post = async (query: string, body: string, contentType = 'application/xml') => {
    const res = await fetch(`${server.url}/api/v1/ci/reports?${query}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: res.status, body: (await res.json()) as any };
  };
  const stored = async () => ({
    reports: await server.store.db.selectFrom('ci_reports').selectAll().orderBy('id').execute(),
    cases: await server.store.db.selectFrom('ci_test_cases').selectAll().orderBy('id').execute(),
  });

  it('stores a Surefire report with its cases, reruns included', async () => {
    const res = await post(`service=cart&commit=${COMMIT_A.toUpperCase()}&branch=main`, fixture('surefire.xml'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'success', service: 'cart', commit: COMMIT_A, branch: 'main', suite: 'com.example.cart.CartServiceTest', tests: 5, failures: 1, errors: 1, skipped: 1, durationMs: 1234 });
    const { reports, cases } = await stored();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ service: 'cart', commit: COMMIT_A, branch: 'main', tests: 5, failures: 1, errors: 1, skipped: 1, received_by: 'local' });
    expect(Number(reports[0]!.duration_ms)).toBe(1234);
    expect(Number(reports[0]!.received_at)).toBe(start);
    const byName = cases.map((c) => `${c.name} ${c.status} ${Number(c.duration_ms)}`);
    expect(byName).toEqual([
      'com.example.cart.CartServiceTest.addsAnItem passed 112',
      'com.example.cart.CartServiceTest.removesAnItem passed 54',
      // Surefire's flakyFailure: failed once, passed on the rerun.
      'com.example.cart.CartServiceTest.removesAnItem failed 0',
      'com.example.cart.CartServiceTest.totalsInCents failed 21',
      'com.example.cart.CartServiceTest.talksToInventory error 950',
      'com.example.cart.CartServiceTest.appliesCoupon skipped 0',
    ]);
    expect(cases.every((c) => Number(c.report_id) === Number(reports[0]!.id) && c.commit === COMMIT_A && c.service === 'cart')).toBe(true);
  });

  it('stores a report and its cases in one transaction: a case that cannot be stored leaves no report', async () => {
    const parsed = parseJunit(fixture('pytest.xml'));
    if (!parsed.ok) throw new Error(parsed.message);
    const broken = { ...parsed.report, cases: [...parsed.report.cases, { name: null as unknown as string, status: 'passed' as const, durationMs: 1 }] };
    await expect(storeCiReport(server.store, { service: 'cart', commit: COMMIT_A, branch: null, receivedAt: start, receivedBy: 'test' }, broken)).rejects.toThrow();
    expect(await stored()).toEqual({ reports: [], cases: [] });
  });

  it('reads the pytest, jest-junit and Jenkins flavours', async () => {
    const pytest = await post(`service=checkout&commit=${COMMIT_A}`, fixture('pytest.xml'), 'text/xml; charset=utf-8');
    expect(pytest.status).toBe(201);
    expect(pytest.body).toMatchObject({ suite: 'pytest tests', tests: 4, failures: 1, errors: 0, skipped: 1, durationMs: 512, branch: null });
    const jest = await post(`service=cart&commit=${COMMIT_A}`, fixture('jest-junit.xml'));
    expect(jest.body).toMatchObject({ suite: 'jest tests', tests: 4, failures: 1, errors: 0, skipped: 1, durationMs: 3218 });
    const jenkins = await post(`service=inventory&commit=${COMMIT_A}`, fixture('jenkins.xml'));
    expect(jenkins.body).toMatchObject({ suite: '2 suites: shop.inventory.StockTest, shop.inventory.WarehouseTest', tests: 4, failures: 0, errors: 1, skipped: 0, durationMs: 2000 });
    const { cases } = await stored();
    expect(cases.map((c) => c.name)).toContain('tests.test_checkout.test_refund[partial]');
    expect(cases.map((c) => c.name)).toContain('Cart shows the total.Cart shows the total');
    expect(cases.find((c) => c.name === 'shop.inventory.StockTest.restocksFromSupplier')?.status).toBe('error');
  });

  it('finds a test that passed and failed on the same commit, and not one fixed by a later commit', async () => {
    expect((await ciFlakyTests({ db: server.store.db, service: 'cart', now: clock.now() })).status).toBe('not_measured');
    await post(`service=cart&commit=${COMMIT_A}`, junit({ addsItem: 'passed', totals: 'failed', checkout: 'failed' }));
    clock.advance(HOUR);
    // The rerun of commit A: totals passes now, checkout errors.
    await post(`service=cart&commit=${COMMIT_A}`, junit({ addsItem: 'passed', totals: 'passed', checkout: 'error' }));
    clock.advance(HOUR);
    // Commit B fixes checkout: a failure on A and a pass on B is a fix, not a flake.
    await post(`service=cart&commit=${COMMIT_B}`, junit({ addsItem: 'passed', totals: 'passed', checkout: 'passed' }));

    const outcome = await ciFlakyTests({ db: server.store.db, service: 'cart', now: clock.now() });
    expect(outcome.status).toBe('failed');
    expect(outcome.fact).toBe('1 flaky test (passed and failed on the same commit; 3 reports of 2 commits in the last 30 days): shop.Cart.totals');
    expect(outcome.evidence).toMatchObject({ flakyCount: 1, flaky: [{ name: 'shop.Cart.totals', commits: [COMMIT_A], passes: 1, failures: 1 }] });
    expect(outcome.source).toContain('cart');

    // Out of the 30-day window, the flake no longer counts; with no report left, nothing is measured.
    const later = await ciFlakyTests({ db: server.store.db, service: 'cart', now: clock.now() + 31 * DAY });
    expect(later.status).toBe('not_measured');
  });

  it('passes when every test kept its result on each commit', async () => {
    await post(`service=checkout&commit=${COMMIT_A}`, junit({ pays: 'passed', refunds: 'failed' }));
    await post(`service=checkout&commit=${COMMIT_A}`, junit({ pays: 'passed', refunds: 'failed' }));
    const outcome = await ciFlakyTests({ db: server.store.db, service: 'checkout', now: clock.now() });
    expect(outcome.status).toBe('passed');
    expect(outcome.fact).toBe('no flaky test: none both passed and failed on one commit (2 reports of 1 commit in the last 30 days)');
  });

  it('refuses a DTD: external entities (XXE) and entity expansion (billion laughs) store nothing', async () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<testsuite name="&xxe;"><testcase classname="a" name="&xxe;"/></testsuite>`;
    const r1 = await post(`service=cart&commit=${COMMIT_A}`, xxe);
    expect(r1.status).toBe(400);
    expect(r1.body.error.code).toBe('xml_declaration_refused');
    expect(r1.body.error.message).toContain('line 2: <!DOCTYPE…> declarations are refused');
    expect(JSON.stringify(r1.body)).not.toContain('root:');

    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`)].join('\n');
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [${lol}]><testsuite name="x"><testcase classname="a" name="&lol9;"/></testsuite>`;
    const t0 = Date.now();
    const r2 = await post(`service=cart&commit=${COMMIT_A}`, laughs);
    expect(r2.status).toBe(400);
    expect(r2.body.error.code).toBe('xml_declaration_refused');
    expect(Date.now() - t0).toBeLessThan(2000);

    // A DOCTYPE where no prolog allows one is refused too, not handed to the parser.
    const inside = `<testsuite name="x"><!DOCTYPE x [<!ENTITY e "e">]><testcase classname="a" name="&e;"/></testsuite>`;
    expect((await post(`service=cart&commit=${COMMIT_A}`, inside)).body.error.code).toBe('xml_declaration_refused');
    // An entity never declared stays text: no lookup anywhere.
    const undeclared = await post(`service=cart&commit=${COMMIT_A}`, `<testsuite name="x"><testcase classname="a" name="&xxe;"/></testsuite>`);
    expect(undeclared.status).toBeLessThan(500);

    const { reports } = await stored();
    expect(reports.filter((r) => r.suite !== 'x')).toHaveLength(0);
  });

  it('refuses a body over the limit, too many test cases, and XML too deep, storing nothing', async () => {
    const huge = `<testsuite name="big"><testcase classname="a" name="b"><system-out>${'x'.repeat(ciReportLimits.maxBodyBytes)}</system-out></testcase></testsuite>`;
    const r1 = await post(`service=cart&commit=${COMMIT_A}`, huge);
    expect(r1.status).toBe(413);
    expect(r1.body.error.code).toBe('body_too_large');
    expect(r1.body.error.message).toContain(String(ciReportLimits.maxBodyBytes));

    const many = `<testsuite name="many">${'<testcase classname="a" name="b"/>'.repeat(ciReportLimits.maxTestCases + 1)}</testsuite>`;
    const r2 = await post(`service=cart&commit=${COMMIT_A}`, many);
    expect(r2.status).toBe(413);
    expect(r2.body.error).toMatchObject({ code: 'too_many_test_cases' });
    expect(r2.body.error.message).toContain(`more than ${ciReportLimits.maxTestCases} test cases`);

    const deep = `<testsuite name="deep">${'<a>'.repeat(100)}${'</a>'.repeat(100)}</testsuite>`;
    const r3 = await post(`service=cart&commit=${COMMIT_A}`, deep);
    expect(r3.status).toBe(400);
    expect(r3.body.error.code).toBe('xml_too_deep');

    expect((await stored()).reports).toHaveLength(0);
  });

  it('names the problem with a wrong service, commit, query, content type or document, storing nothing', async () => {
    const body = fixture('pytest.xml');
    const wrongService = await post(`service=kart&commit=${COMMIT_A}`, body);
    expect(wrongService.status).toBe(400);
    expect(wrongService.body.error).toMatchObject({ code: 'unknown_service', message: 'service: "kart" is not a configured Service (did you mean "cart"?)' });

    const noService = await post(`commit=${COMMIT_A}`, body);
    expect(noService.status).toBe(400);
    expect(noService.body.error.fields[0].field).toBe('service');

    const badCommit = await post('service=cart&commit=main', body);
    expect(badCommit.status).toBe(400);
    expect(badCommit.body.error.message).toBe('commit: must be a commit id: 7 to 64 hexadecimal digits');

    const unknownParam = await post(`service=cart&commit=${COMMIT_A}&sevice=x`, body);
    expect(unknownParam.status).toBe(400);

    const json = await post(`service=cart&commit=${COMMIT_A}`, JSON.stringify({ tests: 1 }), 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.error.message).toContain('content-type application/xml or text/xml');
    const plain = await post(`service=cart&commit=${COMMIT_A}`, body, 'text/plain');
    expect(plain.status).toBe(415);

    const broken = await post(`service=cart&commit=${COMMIT_A}`, '<testsuite name="x"><testcase name="a"></testsuite>');
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('xml_invalid');
    expect(broken.body.error.message).toMatch(/^\(body\): line 1/);

    const notJunit = await post(`service=cart&commit=${COMMIT_A}`, '<coverage line-rate="0.9"/>');
    expect(notJunit.status).toBe(400);
    expect(notJunit.body.error).toMatchObject({ code: 'junit_invalid', message: "(body): the root element is <coverage>; a JUnit report's is <testsuites> or <testsuite>" });

    const empty = await post(`service=cart&commit=${COMMIT_A}`, '');
    expect(empty.status).toBe(400);

    expect((await stored()).reports).toHaveLength(0);
  });

  it('compares the median CI duration of the last 7 days with the 7 before, per suite', async () => {
    const db = server.store.db;
    expect((await ciDurationTrend({ db, service: 'cart', now: clock.now() })).status).toBe('not_measured');

    // Last week: unit 60 s (median of 50, 60, 70); e2e 300 s.
    const lastWeek = start;
    const sendAt = async (at: number, seconds: number, suite: string) => {
      clock.set(at);
      const res = await post(`service=cart&commit=${COMMIT_A}&branch=main`, junit({ ok: 'passed' }, seconds, suite));
      expect(res.status).toBe(201);
    };
    for (const [i, s] of [50, 60, 70].entries()) await sendAt(lastWeek + i * DAY, s, 'unit');
    for (const [i, s] of [300, 310, 290].entries()) await sendAt(lastWeek + i * DAY + HOUR, s, 'e2e');
    // Only one week of data: not measured, and it says what it has.
    const early = await ciDurationTrend({ db, service: 'cart', now: lastWeek + 7 * DAY });
    expect(early.status).toBe('not_measured');
    expect(early.fact).toContain('e2e: 3 this week, 0 last week; unit: 3 this week, 0 last week; 3 a week per suite needed');

    // This week: unit 80 s (+33%), e2e 320 s (+6.7%).
    const thisWeek = start + 7 * DAY;
    for (const [i, s] of [75, 80, 90].entries()) await sendAt(thisWeek + i * DAY, s, 'unit');
    for (const [i, s] of [320, 330, 310].entries()) await sendAt(thisWeek + i * DAY + HOUR, s, 'e2e');
    const now = start + 14 * DAY - HOUR;
    const slower = await ciDurationTrend({ db, service: 'cart', now });
    expect(slower.status).toBe('failed');
    expect(slower.fact).toBe('CI got slower by more than 20%: unit median 80 s this week vs 60 s last week (+33.3%)');
    expect(slower.evidence).toMatchObject({ suites: [{ suite: 'e2e', slowdownPercent: 6.7 }, { suite: 'unit', thisWeek: { reports: 3, medianMs: 80_000 }, lastWeek: { reports: 3, medianMs: 60_000 } }] });

    // Within the threshold passes; another branch has no data of its own.
    const within = await ciDurationTrend({ db, service: 'cart', now, thresholds: { maxSlowdownPercent: 40 } });
    expect(within.status).toBe('passed');
    expect(within.fact).toContain('e2e median 320 s this week vs 300 s last week (+6.7%)');
    expect((await ciDurationTrend({ db, service: 'cart', now, branch: 'release' })).status).toBe('not_measured');
  });
});
