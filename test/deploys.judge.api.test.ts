import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/store/clock.js';
import { seededRandom } from '../src/deploys/judge/seededRandom.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';

// The judge over HTTP, against the real server, in the shapes Argo Rollouts'
// web metric provider and Flagger's webhooks send (issue 19).

const READ = 'judge-test-read-secret';
const INTAKE = 'judge-test-intake-secret';
const config = `apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: argo-rollouts }
spec: { role: read-only, tokenEnv: JUDGE_TEST_READ_TOKEN }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: prometheus }
spec: { role: intake, tokenEnv: JUDGE_TEST_INTAKE_TOKEN }
`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const rnd = seededRandom(1919);
const samples = (n: number, median: number) => Array.from({ length: n }, () => Math.round(rnd.lognormal(median, 0.4) * 10) / 10);

describeEachStore('the canary judge over HTTP', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    process.env.JUDGE_TEST_READ_TOKEN = READ;
    process.env.JUDGE_TEST_INTAKE_TOKEN = INTAKE;
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-12-06T12:00:00Z')), configYaml: config, apiTokens: ['judge-test-admin'] });
  });
  afterAll(async () => server?.stop());

  describe('POST /api/v1/judge', () => {
    it('fails 7 errors against 0 and records every figure of the test', async () => {
      const res = await server.request('POST', '/api/v1/judge', { baseline: { requests: 1000, errors: 0 }, canary: { requests: 1000, errors: 7 } }, bearer(READ));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ verdict: 'fail', mode: 'canary', alpha: 0.01 });
      const test = res.body.metrics[0].tests[0];
      expect(test).toMatchObject({ name: 'errors', sampleSizes: { baseline: 1000, canary: 1000 }, outcome: 'fail' });
      expect(test.test).toMatch(/conditional binomial/);
      expect(test.pValue).toBeCloseTo(1 / 128, 10);
      expect(test.effect).toMatchObject({ allowed: 1.2, estimate: 15, ci: { confidence: 0.98, upper: null } });
    });

    it('fails 7 errors against 0 beside an unchanged latency too (errors weigh 4 to latency’s 1)', async () => {
      const latencies = samples(1000, 100);
      const body = { baseline: { requests: 1000, errors: 0, latenciesMs: latencies }, canary: { requests: 1000, errors: 7, latenciesMs: [...latencies].reverse() } };
      const res = await server.request('POST', '/api/v1/judge', body, bearer(READ));
      expect(res.body.verdict).toBe('fail');
      expect(res.body.metrics[0].tests[0]).toMatchObject({ outcome: 'fail', level: 0.008 });
    });

    it('judges latency with its tails, the SLO burn as critical, and A/A mode', async () => {
      const body = { baseline: { latenciesMs: samples(1500, 100), sloBurn: 0.5 }, canary: { latenciesMs: samples(1500, 100), sloBurn: 4 }, mode: 'aa', metrics: { sloBurn: { maxBurnRate: 3 } } };
      const res = await server.request('POST', '/api/v1/judge', body, bearer(READ));
      expect(res.status).toBe(200);
      expect(res.body.metrics.map((m: { name: string }) => m.name)).toEqual(['latency', 'sloBurn']);
      expect(res.body.metrics[0].tests.map((t: { name: string }) => t.name)).toEqual(['latency.centre', 'latency.p95', 'latency.p99']);
      expect(res.body).toMatchObject({ verdict: 'fail', mode: 'aa', falseFail: true });
      expect(res.body.metrics[1]).toMatchObject({ critical: true, outcome: 'fail' });
    });

    it('answers 400 naming the field', async () => {
      const cases: Array<[unknown, string]> = [
        [{ baseline: { requests: 10, errors: 11 }, canary: { requests: 10, errors: 0 } }, 'baseline.errors'],
        [{ baseline: { requests: 10, errors: 0 }, canary: { latenciesMs: [1, 2] } }, 'canary.requests'],
        [{ baseline: { latenciesMs: [1, -2] }, canary: { latenciesMs: [1, 2] } }, 'baseline.latenciesMs[1]'],
        [{ baseline: { requests: 10, errors: 0 }, canary: { requests: 10, errors: 0 }, metrics: { alpha: 2 } }, 'metrics.alpha'],
        [{ baseline: {}, canary: {} }, 'canary'],
        [{ baseline: { requests: '10', errors: 0 }, canary: { requests: 10, errors: 0 } }, 'baseline.requests'],
      ];
      for (const [body, field] of cases) {
        const res = await server.request('POST', '/api/v1/judge', body, bearer(READ));
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.fields[0].field).toBe(field);
        expect(res.body.error.message.startsWith(`${field}: `)).toBe(true);
      }
    });

    it('needs a token that may read', async () => {
      const body = { baseline: { requests: 10, errors: 0 }, canary: { requests: 10, errors: 0 } };
      expect((await server.request('POST', '/api/v1/judge', body)).status).toBe(401);
      expect((await server.request('POST', '/api/v1/judge', body, bearer(INTAKE))).status).toBe(403);
    });
  });

  describe('POST /api/v1/judge/argo (an Argo Rollouts web metric)', () => {
    // What the provider sends for `method: POST`, `body: "{...}"` with args templated in: every value a string.
    const argoBody = (canaryErrors: string, canaryLatencies: string) =>
      `{"baseline": {"requests": "6000", "errors": "6", "latenciesMs": "${samples(1200, 80).join(',')}"}, "canary": {"requests": "6000", "errors": "${canaryErrors}", "latenciesMs": "${canaryLatencies}"}}`;
    /** The AnalysisTemplate's conditions, as Argo evaluates them on `jsonPath: "{$}"`. */
    const argoOutcome = (result: { verdict: string }) => (result.verdict === 'pass' ? 'Successful' : result.verdict === 'fail' ? 'Failed' : 'Inconclusive');

    it('answers the verdict for successCondition: result.verdict == "pass"', async () => {
      const good = await server.request('POST', '/api/v1/judge/argo', argoBody('5', samples(1200, 80).join(',')), { ...bearer(READ), 'content-type': 'application/json' });
      expect(good.status).toBe(200);
      expect(argoOutcome(good.body)).toBe('Successful');

      const bad = await server.request('POST', '/api/v1/judge/argo', argoBody('30', samples(1200, 80).join(',')), { ...bearer(READ), 'content-type': 'application/json' });
      expect(bad.status).toBe(200);
      expect(argoOutcome(bad.body)).toBe('Failed');
      expect(bad.body.reasons[0]).toMatch(/^errors: the canary is worse/);
    });

    it('a verdict without enough data is neither condition: Argo calls it Inconclusive', async () => {
      const body = { baseline: { requests: '40', errors: '0' }, canary: { requests: '40', errors: '1' } };
      const res = await server.request('POST', '/api/v1/judge/argo', body, bearer(READ));
      expect(res.status).toBe(200);
      expect(argoOutcome(res.body)).toBe('Inconclusive');
    });

    it('refuses a body it cannot read with 400 (an Argo measurement error), naming the field', async () => {
      const res = await server.request('POST', '/api/v1/judge/argo', { baseline: { requests: 'many', errors: '0' }, canary: { requests: '10', errors: '0' } }, bearer(READ));
      expect(res.status).toBe(400);
      expect(res.body.error.fields[0].field).toBe('baseline.requests');
    });
  });

  describe('POST /api/v1/judge/flagger (a Flagger webhook)', () => {
    const hook = (metadata: Record<string, string>) => ({ name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: '6d7f9b5c8', metadata });
    const arms = (canaryErrors: number) => ({ baselineRequests: '1000', baselineErrors: '0', canaryRequests: '1000', canaryErrors: String(canaryErrors) });

    it('answers 200 on pass, so Flagger advances the canary', async () => {
      const res = await server.request('POST', '/api/v1/judge/flagger', hook({ ...arms(0), baselineRequests: '20000', canaryRequests: '20000', token: READ }));
      expect(res.status).toBe(200);
      expect(res.body.verdict).toBe('pass');
    });

    it('answers 412 with the reason on fail, which Flagger logs in its failed check', async () => {
      const res = await server.request('POST', '/api/v1/judge/flagger', hook({ ...arms(7), token: READ }));
      expect(res.status).toBe(412);
      expect(res.body.error.code).toBe('canary_failed');
      expect(res.body.error.message).toMatch(/^canary test\/podinfo fails the judge: errors: the canary is worse/);
      expect(res.body.verdict.verdict).toBe('fail');
    });

    it('does not pass silently without enough data: 412, and Flagger asks again next interval', async () => {
      const res = await server.request('POST', '/api/v1/judge/flagger', hook({ baselineRequests: '30', baselineErrors: '0', canaryRequests: '30', canaryErrors: '1', token: READ }));
      expect(res.status).toBe(412);
      expect(res.body.error.code).toBe('not_enough_data');
      expect(res.body.error.message).toMatch(/next interval/);
    });

    it('reads latencies as comma-separated strings or JSON arrays in strings', async () => {
      const baseline = samples(800, 50);
      const canary = samples(800, 50).map((v, i) => (i % 10 === 0 ? v * 20 : v));
      const res = await server.request('POST', '/api/v1/judge/flagger', hook({ baselineLatenciesMs: baseline.join(', '), canaryLatenciesMs: JSON.stringify(canary), token: READ }));
      expect(res.status).toBe(412);
      expect(res.body.verdict.metrics[0].tests.some((t: { name: string; outcome: string }) => t.name !== 'latency.centre' && t.outcome === 'fail')).toBe(true);
    });

    it('needs a read token, in metadata.token or the Authorization header', async () => {
      const noToken = await server.request('POST', '/api/v1/judge/flagger', hook(arms(0)));
      expect(noToken.status).toBe(403);
      expect(noToken.body.error.code).toBe('token_refused');
      expect((await server.request('POST', '/api/v1/judge/flagger', hook({ ...arms(0), token: INTAKE }))).status).toBe(403);
      expect((await server.request('POST', '/api/v1/judge/flagger', hook({ ...arms(0), token: 'wrong' }))).status).toBe(403);
      expect((await server.request('POST', '/api/v1/judge/flagger', hook(arms(7)), bearer(READ))).status).toBe(412);
    });

    it('answers 400 naming the metadata key', async () => {
      const typo = await server.request('POST', '/api/v1/judge/flagger', hook({ ...arms(0), canaryErorrs: '3', token: READ }));
      expect(typo.status).toBe(400);
      expect(typo.body.error.fields[0].field).toBe('metadata.canaryErorrs');
      const notANumber = await server.request('POST', '/api/v1/judge/flagger', hook({ ...arms(0), canaryErrors: 'seven', token: READ }));
      expect(notANumber.status).toBe(400);
      expect(notANumber.body.error.fields[0].field).toBe('metadata.canaryErrors');
      const oneArm = await server.request('POST', '/api/v1/judge/flagger', hook({ canaryRequests: '10', canaryErrors: '0', token: READ }));
      expect(oneArm.status).toBe(400);
      expect(oneArm.body.error.fields[0].field).toBe('metadata.baselineRequests');
      const noName = await server.request('POST', '/api/v1/judge/flagger', { namespace: 'test', phase: 'Progressing', metadata: { token: READ } });
      expect(noName.status).toBe(400);
      expect(noName.body.error.fields[0].field).toBe('name');
    });
  });
});
