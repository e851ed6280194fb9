import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAIL_FAST_REASON, journalExitCode, loadExperiment, runExperiment, type Experiment, type Journal, type ProdengFunction, type RunRecord } from '../src/chaos/experiment/index.js';

const examples = join(import.meta.dirname, '..', 'examples', 'chaos', 'experiments');
const TOKEN = 'tok-Very-Secret-4711';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Array<{ close: () => void }> = [];
async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

function load(text: string): Experiment {
  const r = loadExperiment(text, 'test.yaml');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}: ${e.path}: ${e.message}`).join('\n'));
  return r.experiment;
}
const example = () => load(readFileSync(join(examples, 'shop-replica-drain.json'), 'utf8'));

let dir: string;
let drainFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prodeng-exp-'));
  drainFile = join(dir, 'replica-1.drain');
});
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
  delete process.env.PRODENG_TEST_CANARY;
});

/** The shop: /health answers 200 {status: ok}, or 503 while the drain file exists and `drainHurts`; it echoes the Authorization header. */
async function shop(opts: { drainHurts?: boolean; down?: boolean } = {}) {
  return serve((req, res) => {
    const draining = opts.drainHurts === true && existsSync(drainFile);
    if (opts.down || draining) return json(res, 503, { status: 'draining', auth: req.headers.authorization ?? null });
    json(res, 200, { status: 'ok', auth: req.headers.authorization ?? null });
  });
}

function deps(url: string, extra: Partial<Parameters<typeof runExperiment>[1]> = {}) {
  const pauses: number[] = [];
  return {
    pauses,
    deps: {
      env: { SHOP_URL: url, SHOP_DRAIN_FILE: drainFile, SHOP_API_TOKEN: TOKEN, PATH: process.env.PATH },
      sleep: async (ms: number) => void pauses.push(ms),
      ...extra,
    },
  };
}

const keys = (o: object) => Object.keys(o);
const names = (runs: RunRecord[]) => runs.map((r) => `${r.activity.name}:${r.status}`);

describe('running the Chaos Toolkit example against a real local service and real processes', () => {
  it('steady state met before and after: completed, not deviated, exit 0; the journal has chaoslib\'s shape field by field', async () => {
    const url = await shop();
    const { deps: d, pauses } = deps(url);
    const journal = await runExperiment(example(), d);

    expect(keys(journal)).toEqual(['chaoslib-version', 'platform', 'node', 'experiment', 'start', 'status', 'deviated', 'steady_states', 'run', 'rollbacks', 'end', 'duration', 'prodeng']);
    expect(journal['chaoslib-version']).toBe('prodeng-0.1.0');
    expect(typeof journal.platform).toBe('string');
    expect(journal.node.length).toBeGreaterThan(0);
    expect(journal.experiment.title).toBe('The shop keeps serving while one replica is drained');
    expect(journal.start).toMatch(ISO);
    expect(journal.end).toMatch(ISO);
    expect(typeof journal.duration).toBe('number');
    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(false);
    expect(journalExitCode(journal)).toBe(0);

    expect(keys(journal.steady_states)).toEqual(['before', 'after', 'during']);
    expect(journal.steady_states.during).toEqual([]);
    for (const state of [journal.steady_states.before!, journal.steady_states.after!]) {
      expect(keys(state)).toEqual(['steady_state_met', 'probes']);
      expect(state.steady_state_met).toBe(true);
      expect(state.probes.map((p) => [p.activity.name, p.status, p.tolerance_met])).toEqual([
        ['shop-answers', 'succeeded', true],
        ['shop-reports-ok', 'succeeded', true],
      ]);
      const probe = state.probes[0]!;
      expect(keys(probe)).toEqual(['activity', 'output', 'status', 'start', 'end', 'duration', 'tolerance_met']);
      expect(probe.start).toMatch(ISO);
      expect(typeof probe.duration).toBe('number');
      // the activity as written, before substitution
      expect(probe.activity).toEqual({ type: 'probe', name: 'shop-answers', tolerance: 200, provider: { type: 'http', url: '${shop_url}/health', timeout: 3 } });
      expect(keys(probe.output as object)).toEqual(['status', 'headers', 'body']);
      expect(probe.output).toMatchObject({ status: 200, body: { status: 'ok' } });
    }

    expect(names(journal.run)).toEqual(['drain-one-replica:succeeded', 'shop-answers:succeeded']);
    expect(keys(journal.run[0]!)).toEqual(['activity', 'output', 'status', 'start', 'end', 'duration']);
    expect(journal.run[0]!.output).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(keys(journal.run[0]!.output as object)).toEqual(['status', 'stdout', 'stderr']);
    // the ref ran the probe it names, recorded as that probe
    expect(journal.run[1]!.activity.name).toBe('shop-answers');
    // the pause after the drain (5 s) went through the injected sleep
    expect(pauses).toEqual([5000]);
    // the rollback ran: `rm -f <file>` split into argv without a shell
    expect(names(journal.rollbacks)).toEqual(['undrain-replica:succeeded']);
    expect(existsSync(drainFile)).toBe(false);
    expect(journal.prodeng.notes).toEqual([]);
  });

  it('redacts secrets from the journal and from what onActivity is told', async () => {
    const url = await shop();
    const told: string[] = [];
    const { deps: d } = deps(url, { onActivity: (_phase, run) => told.push(JSON.stringify(run)) });
    const journal = await runExperiment(example(), d);
    const text = JSON.stringify(journal);
    // the service echoed the Authorization header: the token is in the output, and redacted there
    expect(journal.steady_states.before!.probes[1]!.output).toMatchObject({ body: { auth: 'Bearer ***' } });
    expect(text).not.toContain(TOKEN);
    expect(told.join('\n')).not.toContain(TOKEN);
    expect(told.join('\n')).toContain('Bearer ***');
    // the experiment in the journal holds the secret's source, never its value
    expect(journal.experiment.secrets).toEqual({ shop: { api_token: { type: 'env', key: 'SHOP_API_TOKEN' } } });
  });

  it('deviation after the method: failed, deviated, exit 1, and the rollbacks still run', async () => {
    const url = await shop({ drainHurts: true });
    const journal = await runExperiment(example(), deps(url).deps);
    expect(journal.steady_states.before!.steady_state_met).toBe(true);
    expect(journal.steady_states.after!.steady_state_met).toBe(false);
    expect(journal.steady_states.after!.probes.map((p) => p.tolerance_met)).toEqual([false]);
    expect(journal.deviated).toBe(true);
    expect(journal.status).toBe('failed');
    expect(journalExitCode(journal)).toBe(1);
    expect(names(journal.rollbacks)).toEqual(['undrain-replica:succeeded']);
    expect(existsSync(drainFile)).toBe(false);
    expect(journal.prodeng.notes).toEqual(["rollbacks ran although the run failed: prodeng always runs them, where Chaos Toolkit's default strategy would skip them"]);
  });

  it('steady state not met before: failed, not deviated, the method skipped; rollbacks run', async () => {
    const url = await shop({ down: true });
    const journal = await runExperiment(example(), deps(url).deps);
    expect(journal.status).toBe('failed');
    expect(journal.deviated).toBe(false);
    expect(journal.steady_states.before).toMatchObject({ steady_state_met: false, probes: [{ status: 'succeeded', tolerance_met: false, output: { status: 503 } }] });
    expect(journal.steady_states.after).toBeNull();
    expect(journal.run).toEqual([]);
    expect(existsSync(drainFile)).toBe(false);
    expect(names(journal.rollbacks)).toEqual(['undrain-replica:succeeded']);
    expect(journalExitCode(journal)).toBe(1);
  });

  it('a probe that cannot connect fails with its exception, and the steady state is not met', async () => {
    const url = await shop();
    const dead = await serve(() => {});
    servers.pop()!.close();
    const { deps: d } = deps(url);
    const journal = await runExperiment(example(), { ...d, env: { ...d.env, SHOP_URL: dead } });
    const probe = journal.steady_states.before!.probes[0]!;
    expect(keys(probe)).toEqual(['activity', 'output', 'status', 'exception', 'start', 'end', 'duration', 'tolerance_met']);
    expect(probe.status).toBe('failed');
    expect(probe.output).toBeNull();
    expect(probe.exception).toEqual([expect.stringMatching(/^ActivityFailed: failed to connect to http:\/\/127\.0\.0\.1:\d+\/health: ECONNREFUSED\n$/)]);
    expect(journal.status).toBe('failed');
  });
});

const rollbackTouch = (file: string) => `rollbacks:\n  - {type: action, name: clean-up, provider: {type: process, path: touch, arguments: ["${file}"]}}\n`;

describe('rollbacks always run', () => {
  it('after a failing action (a process killed by its timeout)', async () => {
    const marker = join(dir, 'rolled-back');
    const exp = load(`title: t\nmethod:\n  - {type: action, name: hang, provider: {type: process, path: sleep, arguments: ["30"], timeout: 0.3}}\n${rollbackTouch(marker)}`);
    const started = Date.now();
    const journal = await runExperiment(exp, {});
    expect(Date.now() - started).toBeLessThan(5000);
    expect(journal.run[0]).toMatchObject({ status: 'failed', output: null, exception: ['ActivityFailed: process activity took too long to complete (timeout 0.3s): killed\n'] });
    // as in chaoslib, a failed activity does not fail the run by itself
    expect(journal.status).toBe('completed');
    expect(names(journal.rollbacks)).toEqual(['clean-up:succeeded']);
    expect(existsSync(marker)).toBe(true);
  });

  it('when the run is interrupted mid-method: status interrupted, the running process stopped, rollbacks run', async () => {
    const marker = join(dir, 'rolled-back');
    const url = await shop();
    const exp = load(
      `title: t\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: up, tolerance: 200, provider: {type: http, url: "${url}/health"}}\nmethod:\n  - {type: action, name: hang, provider: {type: process, path: sleep, arguments: ["30"]}}\n  - {type: action, name: never-reached, provider: {type: process, path: touch, arguments: ["${join(dir, 'reached')}"]}}\n${rollbackTouch(marker)}`,
    );
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('SIGINT')), 300);
    const journal = await runExperiment(exp, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(journal.status).toBe('interrupted');
    expect(journal.run.map((r) => [r.activity.name, r.status, r.exception])).toEqual([['hang', 'failed', ['ActivityFailed: stopped: SIGINT\n']]]);
    expect(existsSync(join(dir, 'reached'))).toBe(false);
    expect(journal.steady_states.after).toBeNull();
    expect(names(journal.rollbacks)).toEqual(['clean-up:succeeded']);
    expect(existsSync(marker)).toBe(true);
    expect(journalExitCode(journal)).toBe(1);
  });

  it('after an unexpected error: aborted, rollbacks run', async () => {
    const marker = join(dir, 'rolled-back');
    const exp = load(`title: t\nmethod:\n  - {type: action, name: boom, provider: {type: prodeng, func: explode}}\n${rollbackTouch(marker)}`);
    const registry = new Map<string, ProdengFunction>();
    registry.get = () => {
      throw new TypeError('registry is broken');
    };
    const journal = await runExperiment(exp, { registry });
    expect(journal.status).toBe('aborted');
    expect(journal.prodeng.notes).toContain('the method stopped on an unexpected error: registry is broken');
    expect(existsSync(marker)).toBe(true);
  });

  it('not with strategy never, and the journal says so', async () => {
    const marker = join(dir, 'rolled-back');
    const exp = load(`title: t\nruntime: {rollbacks: {strategy: never}}\nmethod:\n  - {type: action, name: a, provider: {type: process, path: "true"}}\n${rollbackTouch(marker)}`);
    const journal = await runExperiment(exp, {});
    expect(journal.rollbacks).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(journal.prodeng.notes).toEqual(['rollbacks were not run: runtime.rollbacks.strategy is never']);
  });
});

describe('during the method', () => {
  it('a continuous hypothesis with fail_fast stops the method within 5 s: failed and deviated', async () => {
    let healthyUntil = Date.now() + 600;
    const url = await serve((_req, res) => (Date.now() < healthyUntil ? json(res, 200, { ok: true }) : json(res, 500, { ok: false })));
    const marker = join(dir, 'rolled-back');
    const exp = load(
      `title: t\nruntime:\n  hypothesis: {strategy: continuously, frequency: 0.1, fail_fast: true}\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: up, tolerance: 200, provider: {type: http, url: "${url}/"}}\nmethod:\n  - {type: action, name: long-fault, provider: {type: process, path: sleep, arguments: ["30"]}}\n${rollbackTouch(marker)}`,
    );
    healthyUntil = Date.now() + 600;
    const started = Date.now();
    const journal = await runExperiment(exp, {});
    expect(Date.now() - started).toBeLessThan(5000);
    expect(journal.status).toBe('failed');
    expect(journal.deviated).toBe(true);
    expect(journal.steady_states.before!.steady_state_met).toBe(true);
    const during = journal.steady_states.during.map((s) => s.steady_state_met);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.at(-1)).toBe(false);
    expect(during.slice(0, -1).every(Boolean)).toBe(true);
    expect(journal.run.map((r) => [r.activity.name, r.status, r.exception])).toEqual([['long-fault', 'failed', [`ActivityFailed: stopped: ${FAIL_FAST_REASON}\n`]]]);
    expect(existsSync(marker)).toBe(true);
  });

  it('without fail_fast a breach is recorded and the method goes on (during-method-only)', async () => {
    let n = 0;
    const url = await serve((_req, res) => json(res, n++ % 2 === 0 ? 200 : 500, {}));
    const exp = load(
      `title: t\nruntime:\n  hypothesis: {strategy: during-method-only}\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: up, tolerance: 200, provider: {type: http, url: "${url}/"}}\nmethod:\n  - {type: action, name: short, provider: {type: process, path: sleep, arguments: ["0.5"]}}\n`,
    );
    const journal = await runExperiment(exp, { hypothesisFrequencyMs: 50 });
    expect(journal.steady_states.before).toBeNull();
    expect(journal.steady_states.after).toBeNull();
    expect(journal.steady_states.during.map((s) => s.steady_state_met)).toContain(false);
    expect(journal.steady_states.during.map((s) => s.steady_state_met)).toContain(true);
    expect(names(journal.run)).toEqual(['short:succeeded']);
    expect(journal.status).toBe('completed');
  });

  it('background activities run alongside the next ones; the records keep the method\'s order', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const url = await serve((req, res) => {
      if (req.url === '/slow') void released.then(() => json(res, 200, 'released'));
      else {
        release();
        json(res, 200, 'ok');
      }
    });
    const exp = load(
      `title: t\nmethod:\n  - {type: action, name: waits, background: true, provider: {type: http, url: "${url}/slow", timeout: 5}}\n  - {type: action, name: releases, provider: {type: http, url: "${url}/release"}}\n`,
    );
    const journal = await runExperiment(exp, {});
    expect(names(journal.run)).toEqual(['waits:succeeded', 'releases:succeeded']);
    expect(journal.run[0]!.output).toMatchObject({ body: 'released' });
  });
});

describe('providers', () => {
  it('a process gets PATH and the values its activity names, never prodeng\'s environment', async () => {
    process.env.PRODENG_TEST_CANARY = 'canary-in-prodeng-env';
    const exp = load(
      `title: t\nconfiguration: {greeting: hello}\nsecrets:\n  db: {password: {type: env, key: DB_PASSWORD}}\nmethod:\n  - {type: probe, name: env, configuration: [greeting], provider: {type: process, path: env, secrets: [db]}}\n  - {type: probe, name: bare, provider: {type: process, path: env}}\n`,
    );
    const journal = await runExperiment(exp, { env: { DB_PASSWORD: 'pw-Hidden-99' } });
    const named = (journal.run[0]!.output as { stdout: string }).stdout.split('\n').filter(Boolean).sort();
    expect(named).toEqual([`PATH=${process.env.PATH}`, 'greeting=hello', 'password=***']);
    const bare = (journal.run[1]!.output as { stdout: string }).stdout.split('\n').filter(Boolean);
    expect(bare).toEqual([`PATH=${process.env.PATH}`]);
    expect(JSON.stringify(journal)).not.toContain('canary-in-prodeng-env');
    expect(JSON.stringify(journal)).not.toContain('pw-Hidden-99');
  });

  it('a string of arguments is argv, not a shell line: $VAR, ; and quotes are not a shell\'s', async () => {
    const out = join(dir, 'out.txt');
    writeFileSync(join(dir, 'a b'), '');
    const exp = load(`title: t\nmethod:\n  - {type: probe, name: echo, provider: {type: process, path: printf, arguments: "'%s|' \\"a b\\" '$HOME' ';' 'x && touch ${out}'"}}\n`);
    const journal = await runExperiment(exp, {});
    expect(journal.run[0]!.output).toEqual({ status: 0, stdout: 'a b|$HOME|;|x && touch ' + out + '|', stderr: '' });
    expect(existsSync(out)).toBe(false);
  });

  it('a prodeng function gets its arguments (substituted) and a signal; a prodeng probe can be a tolerance', async () => {
    const calls: Array<{ args: Record<string, unknown>; aborted: boolean }> = [];
    const registry = new Map<string, ProdengFunction>([
      ['latency', (args, { signal }) => (calls.push({ args, aborted: signal.aborted }), { injected: args.ms })],
      ['isFast', (args) => (args.value as { injected: number }).injected < (args.limit as number)],
    ]);
    const exp = load(
      `title: t\nconfiguration: {delay: 250}\nsteady-state-hypothesis:\n  title: fast\n  probes:\n    - type: probe\n      name: latency-now\n      provider: {type: prodeng, func: latency, arguments: {ms: "\${delay}"}}\n      tolerance: {type: probe, name: judge, provider: {type: prodeng, func: isFast, arguments: {limit: 300}}}\nmethod:\n  - {type: action, name: slow-down, provider: {type: prodeng, func: latency, arguments: {ms: 500, target: "db"}}}\n  - {type: action, name: missing, provider: {type: prodeng, func: nosuch}}\n`,
    );
    const journal = await runExperiment(exp, { registry });
    expect(calls[0]).toEqual({ args: { ms: 250 }, aborted: false });
    expect(journal.steady_states.before!.steady_state_met).toBe(true);
    // after the method the same probe says 250 again: met
    expect(journal.steady_states.after!.steady_state_met).toBe(true);
    expect(journal.run[0]!.output).toEqual({ injected: 500 });
    expect(journal.run[1]).toMatchObject({ status: 'failed', exception: ['ActivityFailed: prodeng has no function "nosuch" (known: isFast, latency)\n'] });
  });

  it('an http probe sends GET arguments as the query string and a JSON body when told; expected_status fails other answers', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        json(res, req.method === 'DELETE' ? 500 : 200, { ok: true });
      });
    });
    const exp = load(
      `title: t\nmethod:\n  - {type: probe, name: q, provider: {type: http, url: "${url}/q", arguments: {a: 1, b: x y}}}\n  - {type: action, name: p, provider: {type: http, method: post, url: "${url}/p", headers: {Content-Type: application/json}, arguments: {n: 2}}}\n  - {type: action, name: d, provider: {type: http, method: DELETE, url: "${url}/d", expected_status: [200, 204]}}\n  - {type: action, name: d2, provider: {type: http, method: DELETE, url: "${url}/d"}}\n`,
    );
    const journal = await runExperiment(exp, {});
    expect(seen).toEqual(['GET /q?a=1&b=x+y ', 'POST /p {"n":2}', 'DELETE /d ', 'DELETE /d ']);
    expect(names(journal.run)).toEqual(['q:succeeded', 'p:succeeded', 'd:failed', 'd2:succeeded']);
    expect(journal.run[2]!.exception).toEqual([`ActivityFailed: DELETE ${url}/d answered 500, expected 200 or 204\n`]);
    expect(journal.run[3]!.output).toMatchObject({ status: 500, body: { ok: true } });
  });
});

it('a journal is plain JSON, as journal.json is written', async () => {
  const url = await shop();
  const journal: Journal = await runExperiment(example(), deps(url).deps);
  expect(JSON.parse(JSON.stringify(journal))).toEqual(journal);
});
