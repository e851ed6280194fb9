import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { metricsFromArms, type ArmData } from '../deploys/judge/armMetrics.js';
import { judgeCanary, type ConfigProblem, type JudgeConfigInput, type JudgeMode, type Verdict } from '../deploys/judge/index.js';
import { credentialMatcher, roleAllows } from './credentials.js';
import type { ApiDeps } from './deps.js';
import { sendInvalid, sendProblem } from './problems.js';

/**
 * The canary judge over HTTP, for prodeng's own tools and for other
 * controllers' canaries:
 * - POST /api/v1/judge: two arms' data, the verdict JSON.
 * - POST /api/v1/judge/argo: the same, for an Argo Rollouts `web` metric
 *   (its templated body turns args into strings, so numbers may come as
 *   strings and latencies as "12,15,11"); always 200 with the verdict, so the
 *   AnalysisTemplate's successCondition / failureCondition decide, and a
 *   not_enough_data verdict matches neither: Argo's "Inconclusive".
 * - POST /api/v1/judge/flagger: a Flagger webhook; the arms come from the
 *   webhook's string metadata; 200 on pass, 412 otherwise (Flagger counts any
 *   non-2xx as a failed check and retries at the next interval).
 * The judge reads and changes nothing, so reading is all a caller needs.
 */

const MAX_SAMPLES = 200_000;

const allowedIncrease = z.number().min(0, 'must be 0 or more (0.2 allows 20% more)');
const weight = z.number().gt(0, 'must be above 0');
const configSchema = z
  .object({
    alpha: z.number().gt(0, 'must be above 0').max(0.2, 'must be at most 0.2 (0.01 is a 1% false-fail rate)').optional(),
    errors: z.object({ allowedIncrease: allowedIncrease.optional(), negligibleRate: z.number().min(0).lt(1, 'must be below 1 (0.001 is 0.1%)').optional(), weight: weight.optional() }).strict().optional(),
    latency: z
      .object({
        allowedIncrease: allowedIncrease.optional(),
        tails: z
          .array(z.object({ quantile: z.number().gt(0.5, 'must be above 0.5 (0.99 for p99)').lt(1, 'must be below 1 (0.99 for p99)'), allowedIncrease: allowedIncrease.optional() }).strict())
          .max(5, 'at most 5 tail quantiles')
          .optional(),
        tailWeight: z.number().min(0).lt(1, 'must be below 1').optional(),
        weight: weight.optional(),
      })
      .strict()
      .optional(),
    sloBurn: z.object({ maxBurnRate: z.number().gt(0, 'must be above 0 (1 is spending the budget at its pace)').optional() }).strict().optional(),
  })
  .strict();

/** Argo's templated bodies carry args as strings: "6000" is read as 6000 there, never elsewhere. */
const numeric = (lenient: boolean) => (v: unknown) => (lenient && typeof v === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v) ? Number(v) : v);
const numberList = (lenient: boolean) => (v: unknown) => {
  if (!lenient || typeof v !== 'string') return v;
  const text = v.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return v;
    }
  }
  return text === '' ? [] : text.split(/[\s,]+/).map(numeric(true));
};

function armSchema(lenient: boolean) {
  const count = z.preprocess(numeric(lenient), z.number().int('must be a whole number').min(0, 'must be 0 or more'));
  return z
    .object({
      requests: count.optional(),
      errors: count.optional(),
      latenciesMs: z.preprocess(numberList(lenient), z.array(z.number().min(0, 'a latency must be 0 ms or more')).max(MAX_SAMPLES, `at most ${MAX_SAMPLES} samples per arm`)).optional(),
      sloBurn: z.preprocess(numeric(lenient), z.number().min(0, 'must be 0 or more')).optional(),
    })
    .strict();
}

function judgeBody(lenient: boolean) {
  return z
    .object({
      baseline: armSchema(lenient),
      canary: armSchema(lenient),
      metrics: configSchema.optional(),
      mode: z.enum(['canary', 'aa']).optional(),
    })
    .strict();
}

const flaggerBody = z.object({
  name: z.string().min(1, 'must name the canary'),
  namespace: z.string().min(1, 'must name the namespace'),
  phase: z.string().min(1),
  checksum: z.string().optional(),
  // Flagger's metadata is a map of strings; a number from a hand-written request is read as its text
  metadata: z.record(z.string(), z.union([z.string(), z.number().transform(String)])).optional(),
});

type Judged = { ok: true; verdict: Verdict } | { ok: false; problem: ConfigProblem };

function judgeArms(baseline: ArmData, canary: ArmData, config: JudgeConfigInput | undefined, mode: JudgeMode | undefined): Judged {
  const built = metricsFromArms(baseline, canary);
  if (!built.ok) return built;
  return judgeCanary({ metrics: built.metrics, ...(mode ? { mode } : {}), ...(config ? { config } : {}) });
}

const sendFieldProblem = (reply: FastifyReply, p: ConfigProblem) => sendProblem(reply, 400, 'invalid_request', `${p.field}: ${p.message}`, [p]);

/** The Flagger metadata keys, each the arm field it fills (documented in docs/deploys.md). */
const flaggerKeys: Record<string, { arm: 'baseline' | 'canary'; key: keyof ArmData }> = {
  baselineRequests: { arm: 'baseline', key: 'requests' },
  baselineErrors: { arm: 'baseline', key: 'errors' },
  baselineLatenciesMs: { arm: 'baseline', key: 'latenciesMs' },
  baselineSloBurn: { arm: 'baseline', key: 'sloBurn' },
  canaryRequests: { arm: 'canary', key: 'requests' },
  canaryErrors: { arm: 'canary', key: 'errors' },
  canaryLatenciesMs: { arm: 'canary', key: 'latenciesMs' },
  canarySloBurn: { arm: 'canary', key: 'sloBurn' },
};
const flaggerSettings = ['mode', 'alpha', 'token'];

/** `canary.errors` → `metadata.canaryErrors`, so the message names what the person wrote. */
function flaggerField(field: string): string {
  const m = /^(baseline|canary)\.(\w+)/.exec(field);
  if (!m) return field === 'canary' ? 'metadata' : `metadata.${field}`;
  return `metadata.${m[1]}${m[2]!.charAt(0).toUpperCase()}${m[2]!.slice(1)}`;
}

export function judgeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const strictBody = judgeBody(false);
  const argoBody = judgeBody(true);

  app.post('/api/v1/judge', { config: { access: 'read' } }, async (request, reply) => {
    const parsed = strictBody.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const judged = judgeArms(parsed.data.baseline, parsed.data.canary, parsed.data.metrics, parsed.data.mode);
    if (!judged.ok) return sendFieldProblem(reply, judged.problem);
    return reply.send(judged.verdict);
  });

  app.post('/api/v1/judge/argo', { config: { access: 'read' } }, async (request, reply) => {
    const parsed = argoBody.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const judged = judgeArms(parsed.data.baseline, parsed.data.canary, parsed.data.metrics, parsed.data.mode);
    if (!judged.ok) return sendFieldProblem(reply, judged.problem);
    return reply.send(judged.verdict);
  });

  const tokensOn = deps.credentials.length > 0;
  const match = credentialMatcher(deps.credentials);
  // Flagger's webhooks send no headers of their own, so the token may come in the metadata (as Flagger's own docs show).
  app.post('/api/v1/judge/flagger', { config: { access: 'routing-key' } }, async (request, reply) => {
    const parsed = flaggerBody.safeParse(request.body);
    if (!parsed.success) return sendInvalid(reply, parsed.error);
    const metadata = parsed.data.metadata ?? {};
    if (tokensOn && !allowedCaller(request, metadata.token, match)) {
      return sendProblem(
        reply,
        403,
        'token_refused',
        'metadata.token: put an API token with the read-only role or above in the webhook’s metadata.token (Flagger sends no Authorization header), or send it as "Authorization: Bearer TOKEN"',
      );
    }
    const unknown = Object.keys(metadata).find((k) => !(k in flaggerKeys) && !flaggerSettings.includes(k));
    if (unknown) return sendFieldProblem(reply, { field: `metadata.${unknown}`, message: `is not a key the judge reads; it reads ${[...Object.keys(flaggerKeys), ...flaggerSettings].join(', ')}` });
    const arms: { baseline: Record<string, unknown>; canary: Record<string, unknown> } = { baseline: {}, canary: {} };
    for (const [k, v] of Object.entries(metadata)) {
      const target = flaggerKeys[k];
      if (target) arms[target.arm][target.key] = v;
    }
    const armParse = z.object({ baseline: armSchema(true), canary: armSchema(true) }).safeParse(arms);
    if (!armParse.success) {
      const issue = armParse.error.issues[0]!;
      return sendFieldProblem(reply, { field: flaggerField(issue.path.join('.')), message: issue.message });
    }
    const mode = metadata.mode;
    if (mode !== undefined && mode !== 'canary' && mode !== 'aa') return sendFieldProblem(reply, { field: 'metadata.mode', message: 'must be "canary" or "aa"' });
    const alpha = metadata.alpha === undefined ? undefined : Number(metadata.alpha);
    if (alpha !== undefined && !(alpha > 0 && alpha <= 0.2)) return sendFieldProblem(reply, { field: 'metadata.alpha', message: 'must be a number above 0 and at most 0.2' });
    const judged = judgeArms(armParse.data.baseline, armParse.data.canary, alpha === undefined ? undefined : { alpha }, mode);
    if (!judged.ok) return sendFieldProblem(reply, { ...judged.problem, field: flaggerField(judged.problem.field) });
    const verdict = judged.verdict;
    const canary = `${parsed.data.namespace}/${parsed.data.name}`;
    if (verdict.verdict === 'pass') return reply.send(verdict);
    // Flagger logs the body of a non-2xx answer in its failed-check event: the message is what a person reads there.
    const message =
      verdict.verdict === 'fail'
        ? `canary ${canary} fails the judge: ${verdict.reasons.join('; ')}`
        : `canary ${canary}: not enough data to judge yet (${verdict.reasons.join('; ')}); Flagger counts this as a failed check and asks again next interval`;
    return reply.code(412).send({ error: { code: verdict.verdict === 'fail' ? 'canary_failed' : 'not_enough_data', message }, verdict });
  });
}

function allowedCaller(request: FastifyRequest, token: string | undefined, match: ReturnType<typeof credentialMatcher>): boolean {
  const principal = request.principal ?? (token ? match(token) : null);
  return principal !== null && roleAllows(principal.role, 'read');
}
