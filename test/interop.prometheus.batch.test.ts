import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { freePort, hasBinary, prometheusBinary, startPeer, waitFor, type Peer } from './support/peers.js';

const havePrometheus = hasBinary(prometheusBinary);
if (!havePrometheus) console.warn('Prometheus batch interop test skipped: install the Debian package "prometheus" (.ci/run does)');

// Issue 14: Prometheus sends every alert of a rule group in one POST and
// does not retry a 400. Before, one alert past a per-label limit (2,048
// characters a label value, 16 KB an annotation) made prodeng refuse the
// whole batch, so the normal alerts beside it were never stored, or, once
// stored, never refreshed and resolved by timeout while they still fired.

/** What Prometheus posted and what prodeng answered, seen by a pass-through proxy between them. */
interface Exchange {
  at: number;
  /** the `case` label of each alert posted, in order */
  cases: string[];
  status: number;
  answer: string;
}

/** A transparent HTTP proxy in front of prodeng that keeps each exchange. */
async function recordingProxy(target: string): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        const headers: Record<string, string> = {};
        for (const h of ['authorization', 'content-type', 'user-agent']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
        const upstream = await fetch(target + req.url, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
        const answer = await upstream.text();
        if (req.method === 'POST' && req.url === '/api/v2/alerts') {
          let cases: string[] = [];
          try {
            cases = (JSON.parse(body.toString('utf8')) as Array<{ labels?: Record<string, string> }>).map((a) => a.labels?.case ?? '');
          } catch {
            // not JSON: recorded with no names
          }
          exchanges.push({ at: Date.now(), cases, status: upstream.status, answer });
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(answer);
      } catch (err) {
        res.writeHead(502);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const normals = ['web-1', 'web-2', 'web-3', 'web-4', 'web-5', 'web-6'];
const LONG_LABEL = 3000;
const LONG_ANNOTATION = 20_000;
const OVER_BOUND = 300_000; // prodeng bounds an alert at 256 KB of JSON

describeEachStore('a real Prometheus batch with one alert over the bound keeps the others', (kind) => {
  let server: TestServer | undefined;
  let prometheus: Peer | undefined;
  let proxy: Awaited<ReturnType<typeof recordingProxy>> | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await prometheus?.stop();
    await proxy?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    prometheus = proxy = server = dir = undefined;
  });

  it.skipIf(!havePrometheus)('stores every normal, long-labelled and long-annotated alert, keeps them firing across resends, and refuses only the one over 256 KB', async () => {
    const token = 'prom-batch-token';
    // The timeout sweep runs every 500 ms, so an alert whose refresh was lost would resolve in view.
    server = await startTestServer(kind, { clock: systemClock, apiTokens: [token], maintenanceIntervalMs: 500 });
    proxy = await recordingProxy(server.url);
    dir = mkdtempSync(join(tmpdir(), 'prodeng-prom-batch-'));
    // One rule whose expression gives nine series, so every evaluation hands its nine alerts to the
    // notifier in one call and they go out in one POST (separate rules are handed over one by one
    // and the notifier may split them across POSTs). Which one is long is chosen by its `case` label.
    const series = [
      ...normals.map((c) => `label_replace(vector(1), "case", "${c}", "", "")`),
      `label_replace(label_replace(vector(1), "case", "long-label", "", ""), "query", "${'q'.repeat(LONG_LABEL)}", "", "")`,
      `label_replace(vector(1), "case", "long-annotation", "", "")`,
      `label_replace(vector(1), "case", "over-bound", "", "")`,
    ];
    const description = `{{ if eq $labels.case "long-annotation" }}${'d'.repeat(LONG_ANNOTATION)}{{ else if eq $labels.case "over-bound" }}${'e'.repeat(OVER_BOUND)}{{ end }}`;
    writeFileSync(
      join(dir, 'rules.yml'),
      `groups:
  - name: prodeng-batch
    interval: 1s
    rules:
      - alert: Batch
        expr: >-
          ${series.join(' or ')}
        labels: { severity: warning }
        annotations:
          summary: "{{ $labels.case }} is firing"
          description: >-
            ${description}
`,
    );
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - api_version: v2
      authorization: { type: Bearer, credentials: ${token} }
      static_configs: [{ targets: ["${new URL(proxy.url).host}"] }]
`,
    );
    const promPort = await freePort();
    prometheus = startPeer(prometheusBinary, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      // resend every second; endsAt is then now + 4 × max(resend delay, evaluation interval) = 4 s
      '--rules.alert.resend-delay=1s',
    ]);
    const explain = () => `${prometheus!.output()}\nexchanges: ${JSON.stringify(proxy!.exchanges.slice(-3).map((e) => ({ ...e, answer: e.answer.slice(0, 300) })))}`;
    const auth = { authorization: `Bearer ${token}` };
    type Stored = { labels: Record<string, string>; annotations: Record<string, string>; status: string; occurrences: number; endsAt: string | null };
    const stored = async () => (await server!.request('GET', '/api/v1/alerts?limit=100', undefined, auth)).body.alerts as Stored[];
    const key = (a: Stored) => a.labels.case ?? '';
    const expected = [...normals, 'long-annotation', 'long-label'].sort();

    const first = await waitFor('every alert but the over-bound one in prodeng', async () => {
      const all = await stored();
      return all.length >= expected.length ? all : undefined;
    }, 25_000, explain);
    expect(first.map(key).sort()).toEqual(expected);
    expect(first.find((a) => a.labels.case === 'long-label')!.labels.query).toBe('q'.repeat(LONG_LABEL));
    expect(first.find((a) => a.labels.case === 'long-annotation')!.annotations.description).toHaveLength(LONG_ANNOTATION);

    // Prometheus did send the over-bound alert, in the same POST as the others, and prodeng
    // answered that POST with a 400 naming it by its index while storing the other 8.
    const together = proxy.exchanges.filter((e) => e.cases.includes('over-bound'));
    expect(together.length, explain()).toBeGreaterThan(0);
    for (const e of together) {
      expect(e.cases.slice().sort()).toEqual([...expected, 'over-bound'].sort());
      expect(e.status).toBe(400);
      const named = /^"1 of 9 alerts refused, the other 8 stored: \[(\d+)\]: the alert is (\d+) bytes of JSON; at most 262144 per alert"$/.exec(e.answer);
      expect(named, e.answer.slice(0, 300)).not.toBeNull();
      expect(e.cases[Number(named![1])]).toBe('over-bound');
      expect(Number(named![2])).toBeGreaterThan(OVER_BOUND);
    }

    // Watch 15 s, several resend cycles and well past the 4 s endsAt of each send: an alert whose
    // refresh was refused with the over-bound one would resolve by timeout here.
    const watchStart = Date.now();
    const occurrencesBefore = Object.fromEntries(first.map((a) => [key(a), a.occurrences]));
    let checks = 0;
    let last = first;
    while (Date.now() - watchStart < 15_000) {
      await new Promise((r) => setTimeout(r, 500));
      last = await stored();
      expect(last.map(key).sort()).toEqual(expected); // the over-bound one never stored
      expect(last.filter((a) => a.status !== 'firing').map(key), 'an alert Prometheus still sends resolved early').toEqual([]);
      checks++;
    }
    expect(checks).toBeGreaterThanOrEqual(20);
    // Each one was refreshed, over and over, by POSTs that also carried the refused alert. Prometheus
    // resends only once lastSent + resend delay is strictly before the evaluation, so with both at 1 s
    // it resends every 2 s: about 7 POSTs in the watch, each endsAt 4 s ahead.
    const posts = proxy.exchanges.filter((e) => e.at >= watchStart && e.cases.includes('over-bound'));
    expect(posts.length).toBeGreaterThanOrEqual(5);
    expect(posts.every((e) => e.status === 400)).toBe(true);
    for (const a of last) expect(a.occurrences - (occurrencesBefore[key(a)] ?? a.occurrences), key(a)).toBeGreaterThanOrEqual(5);
    for (const a of last) expect(Date.parse(a.endsAt!), key(a)).toBeGreaterThan(Date.now());

    // Prometheus saw the 400s: its notifier counts them as errors and logs them.
    const metrics = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
    const errors = metrics
      .split('\n')
      .filter((l) => l.startsWith('prometheus_notifications_errors_total'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    expect(errors).toBeGreaterThan(0);
    expect(prometheus.output()).toMatch(/Error sending alert.*400/);
  }, 45_000);
});
