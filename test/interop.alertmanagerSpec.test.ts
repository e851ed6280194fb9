import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { alertmanagerBinary, freePort, hasBinary, startPeer, waitFor, type Peer } from './support/peers.js';
import { validateAlertmanagerReply, type AlertmanagerReply } from './support/alertmanagerSpecSchema.js';

const haveAlertmanager = hasBinary(alertmanagerBinary);
if (!haveAlertmanager) console.warn('Alertmanager API spec test skipped: install the Debian package "prometheus-alertmanager" (.ci/run does)');

const config = `apiVersion: prodeng/v1
kind: User
metadata: { name: alice }
spec: { email: alice@example.com }
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: { members: [{ user: alice, role: pe }], escalationPolicy: shop-pages }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: EscalationPolicy
metadata: { name: shop-pages }
spec:
  steps:
    - { delay: 5m, targets: [{ user: alice }] }
`;

interface Reply {
  status: number;
  body: unknown;
}

/**
 * Grafana's Alertmanager data source cannot run here, so its requests are
 * replayed: the same endpoints and query parameters it sends (alert list and
 * groups with its state flags and filters, receivers, status, the silence
 * editor's create, update and expire), to prodeng and to a real
 * Alertmanager. Every reply of both is checked against the spec.
 */
describeEachStore('Alertmanager API v2 replies, by the spec, beside a real Alertmanager', (kind) => {
  let server: TestServer | undefined;
  let alertmanager: Peer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await alertmanager?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!haveAlertmanager)('answers Grafana\'s requests as Alertmanager does, every reply valid', { timeout: 60_000 }, async () => {
    const token = 'spec-token';
    server = await startTestServer(kind, { clock: systemClock, apiTokens: [token], configYaml: config });
    const auth = { authorization: `Bearer ${token}` };
    dir = mkdtempSync(join(tmpdir(), 'prodeng-amspec-'));
    const status = await server.request('GET', '/api/v2/status', undefined, auth);
    writeFileSync(join(dir, 'alertmanager.yml'), status.body.config.original);
    const amPort = await freePort();
    alertmanager = startPeer(alertmanagerBinary, [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=']);
    const am = `http://127.0.0.1:${amPort}`;
    await waitFor('Alertmanager to be ready', async () => (await fetch(`${am}/-/ready`)).ok, 20_000, () => alertmanager!.output());

    const call = async (base: string, method: string, path: string, body?: unknown): Promise<Reply> => {
      const res = await fetch(base + path, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const problems: string[] = [];
    /** the same request to both; both replies checked against the spec; the status codes must agree */
    const both = async (reply: AlertmanagerReply, method: string, path: string, body?: unknown) => {
      const ours = await call(server!.url, method, path, body);
      const theirs = await call(am, method, path, body);
      for (const [who, r] of [['prodeng', ours], ['Alertmanager', theirs]] as const) {
        const shape: AlertmanagerReply = r.status >= 400 ? 'error' : reply;
        for (const p of validateAlertmanagerReply(shape, r.body)) problems.push(`${who} ${method} ${path}: ${p}`);
      }
      expect(ours.status, `${method} ${path}: prodeng ${JSON.stringify(ours.body)}, Alertmanager ${JSON.stringify(theirs.body)}`).toBe(theirs.status);
      return { ours: ours.body as any, theirs: theirs.body as any };
    };
    const labelSets = (alerts: Array<{ labels: Record<string, string> }>) => alerts.map((a) => JSON.stringify(a.labels)).sort();

    const now = Date.now();
    const iso = (ms: number) => new Date(now + ms).toISOString();
    const alerts = [
      { labels: { alertname: 'CartDown', service: 'cart', instance: 'cart-1', severity: 'critical' }, annotations: { summary: 'cart-1 down' } },
      { labels: { alertname: 'CartDown', service: 'cart', instance: 'cart-2', severity: 'critical' }, annotations: { summary: 'cart-2 down' } },
      { labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' }, annotations: { description: 'disk at 97%' } },
      { labels: { alertname: 'Gone', instance: 'db-2', severity: 'warning' }, annotations: {}, endsAt: iso(-60_000) },
    ].map((a) => ({ startsAt: iso(-10 * 60_000), endsAt: iso(30 * 60_000), generatorURL: 'http://prometheus.example/graph?g0.expr=up', ...a }));
    await both('empty', 'POST', '/api/v2/alerts', alerts);
    await waitFor('Alertmanager to hold the alerts', async () => ((await call(am, 'GET', '/api/v2/alerts')).body as unknown[]).length === 3, 10_000);

    const silence = { matchers: [{ name: 'instance', value: 'cart-1', isRegex: false, isEqual: true }], startsAt: iso(0), endsAt: iso(60 * 60_000), createdBy: 'grafana', comment: 'from the silence editor' };
    const created = await both('postSilence', 'POST', '/api/v2/silences', silence);
    const pending = await both('postSilence', 'POST', '/api/v2/silences', { ...silence, matchers: [{ name: 'alertname', value: 'Disk.*', isRegex: true, isEqual: true }], startsAt: iso(2 * 3600_000), endsAt: iso(3 * 3600_000) });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(created.ours.silenceID).toMatch(uuid);

    // Grafana's alert list: its state toggles and its label filter.
    const all = await both('alerts', 'GET', '/api/v2/alerts');
    expect(labelSets(all.ours)).toEqual(labelSets(all.theirs));
    const unsilenced = await both('alerts', 'GET', '/api/v2/alerts?active=true&silenced=false&inhibited=false');
    expect(labelSets(unsilenced.ours)).toEqual(labelSets(unsilenced.theirs));
    expect(unsilenced.ours).toHaveLength(2);
    const silenced = await both('alerts', 'GET', '/api/v2/alerts?active=false&silenced=true&inhibited=false');
    expect(labelSets(silenced.ours)).toEqual(labelSets(silenced.theirs));
    expect(silenced.ours[0].status.state).toBe('suppressed');
    expect(silenced.ours[0].status.silencedBy).toEqual([created.ours.silenceID]);
    for (const q of ['filter=alertname%3D%22CartDown%22', 'filter=alertname%3D%22CartDown%22&filter=instance%3D~%22cart-.%22', 'filter=severity%21%3D%22critical%22', 'filter=alertname%21~%22Cart.*%22']) {
      const r = await both('alerts', 'GET', `/api/v2/alerts?active=true&silenced=true&inhibited=true&${q}`);
      expect(labelSets(r.ours), q).toEqual(labelSets(r.theirs));
    }
    // The receiver filter as Grafana sends it, an anchored regular expression; both route cart to shop-pages.
    const routed = await both('alerts', 'GET', `/api/v2/alerts?receiver=${encodeURIComponent('^(?:shop-pages)$')}`);
    expect(labelSets(routed.ours)).toEqual(labelSets(routed.theirs));
    expect(routed.ours.every((a: any) => a.receivers[0].name === 'shop-pages')).toBe(true);
    expect(all.ours.every((a: any) => a.fingerprint === all.theirs.find((t: any) => JSON.stringify(t.labels) === JSON.stringify(a.labels))?.fingerprint)).toBe(true);

    // Groups: prodeng groups by service (its routing's group_by, so the real Alertmanager groups the same way).
    const groups = await both('alertGroups', 'GET', '/api/v2/alerts/groups?active=true&silenced=true&inhibited=true');
    const groupKeys = (g: any[]) => g.map((x) => `${JSON.stringify(x.labels)} ${x.receiver.name} ${x.alerts.length}`).sort();
    expect(groupKeys(groups.ours)).toEqual(groupKeys(groups.theirs));
    expect(groupKeys(groups.ours)).toContain('{"service":"cart"} shop-pages 2');

    await both('receivers', 'GET', '/api/v2/receivers');
    const st = await both('status', 'GET', '/api/v2/status');
    expect(st.ours.cluster.status).toBe(kind === 'sqlite' ? 'disabled' : 'ready');

    // The silence list and editor: read, filter, update in place (pending), expire.
    const silences = await both('silences', 'GET', '/api/v2/silences');
    // (key order inside a matcher object carries no meaning; Go happens to write them sorted)
    const matcherText = (ms: any[]) => ms.map((m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '~' : '='}${m.value}`).join(',');
    const states = (list: any[]) => list.map((s) => `${s.status.state} ${s.comment} ${matcherText(s.matchers)}`).sort();
    expect(states(silences.ours)).toEqual(states(silences.theirs));
    const filtered = await both('silences', 'GET', `/api/v2/silences?filter=${encodeURIComponent('instance="cart-1"')}`);
    expect(states(filtered.ours)).toEqual(states(filtered.theirs));
    const ours1 = await call(server.url, 'GET', `/api/v2/silence/${created.ours.silenceID}`);
    const theirs1 = await call(am, 'GET', `/api/v2/silence/${created.theirs.silenceID}`);
    expect([validateAlertmanagerReply('silence', ours1.body), validateAlertmanagerReply('silence', theirs1.body)]).toEqual([[], []]);
    expect((ours1.body as any).status.state).toBe((theirs1.body as any).status.state);
    const updated = await call(server.url, 'POST', '/api/v2/silences', { ...silence, id: pending.ours.silenceID, matchers: [{ name: 'alertname', value: 'Disk.*', isRegex: true, isEqual: true }], startsAt: iso(2 * 3600_000), endsAt: iso(4 * 3600_000), comment: 'moved' });
    const updatedAm = await call(am, 'POST', '/api/v2/silences', { ...silence, id: pending.theirs.silenceID, matchers: [{ name: 'alertname', value: 'Disk.*', isRegex: true, isEqual: true }], startsAt: iso(2 * 3600_000), endsAt: iso(4 * 3600_000), comment: 'moved' });
    expect([updated.status, (updated.body as any).silenceID]).toEqual([200, pending.ours.silenceID]);
    expect([updatedAm.status, (updatedAm.body as any).silenceID]).toEqual([200, pending.theirs.silenceID]);
    const expired = await call(server.url, 'DELETE', `/api/v2/silence/${created.ours.silenceID}`);
    const expiredAm = await call(am, 'DELETE', `/api/v2/silence/${created.theirs.silenceID}`);
    expect([expired.status, expiredAm.status]).toEqual([200, 200]);
    const after = await both('silences', 'GET', '/api/v2/silences');
    expect(states(after.ours)).toEqual(states(after.theirs));
    expect(states(after.ours).some((s) => s.startsWith('expired from the silence editor'))).toBe(true);
    // The same silences are prodeng's own.
    const own = await server.request('GET', '/api/v1/silences', undefined, auth);
    expect(JSON.stringify(own.body)).toContain('moved');

    // Errors in the spec's shape, a string, with the same status as Alertmanager's.
    await both('error', 'GET', `/api/v2/alerts?filter=${encodeURIComponent('alertname=~"(')}`);
    await both('error', 'POST', '/api/v2/silences', { ...silence, startsAt: iso(60_000), endsAt: iso(0) });
    await both('error', 'POST', '/api/v2/silences', { ...silence, matchers: [{ name: 'a', value: '', isRegex: false, isEqual: true }] });
    const unknown = await call(server.url, 'GET', '/api/v2/silence/00000000-0000-4000-8000-000000000000');
    const unknownAm = await call(am, 'GET', '/api/v2/silence/00000000-0000-4000-8000-000000000000');
    expect([unknown.status, unknownAm.status]).toEqual([404, 404]);

    expect(problems).toEqual([]);
  });
});
