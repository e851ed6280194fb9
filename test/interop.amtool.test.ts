import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import pino from 'pino';
import { startServer } from '../src/server.js';
import { systemClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { alertmanagerBinary, freePort, hasBinary, startPeer, waitFor, type Peer } from './support/peers.js';

const haveAmtool = hasBinary('amtool') && hasBinary(alertmanagerBinary);
if (!haveAmtool) console.warn('amtool interop test skipped: install the Debian package "prometheus-alertmanager" (.ci/run does)');

const run = promisify(execFile);

const team = `apiVersion: prodeng/v1
kind: User
metadata: { name: alice }
spec: { email: alice@example.com, timeZone: UTC }
---
apiVersion: prodeng/v1
kind: User
metadata: { name: bob }
spec: { email: bob@example.com, timeZone: UTC }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: alice-amtool }
spec: { role: responder, user: alice, tokenEnv: AMTOOL_ALICE_TOKEN }
---
apiVersion: prodeng/v1
kind: ApiToken
metadata: { name: bob-amtool }
spec: { role: responder, user: bob, tokenEnv: AMTOOL_BOB_TOKEN }
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: { members: [{ user: alice, role: pe }], escalationPolicy: shop-pages }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: cart }
spec: { owner: shop, labels: { job: cart } }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop }
---
apiVersion: prodeng/v1
kind: EscalationPolicy
metadata: { name: shop-pages }
spec:
  steps:
    - { delay: 5m, targets: [{ user: alice }] }
`;

interface AmtoolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The same amtool command against prodeng and against a real Alertmanager:
 * what each prints, with silence ids made comparable (each side's ids are
 * its own UUIDs, numbered in the order they first appear).
 */
function amtoolAgainst(prodengUrl: string, alertmanagerUrl: string, defaultHttpConfig: string) {
  const once = async (url: string, args: string[], httpConfig: string): Promise<AmtoolRun> => {
    try {
      const { stdout, stderr } = await run('amtool', [`--alertmanager.url=${url}`, `--http.config.file=${httpConfig}`, ...args], {
        env: { PATH: process.env.PATH, TZ: 'UTC', HOME: tmpdir() },
        timeout: 20_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const idNames = { prodeng: new Map<string, string>(), alertmanager: new Map<string, string>() };
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  const comparable = (side: 'prodeng' | 'alertmanager', text: string) =>
    text.replace(uuid, (id) => {
      const names = idNames[side];
      if (!names.has(id)) names.set(id, `<silence ${names.size + 1}>`);
      return names.get(id)!;
    });
  return async (args: string[], httpConfig = defaultHttpConfig) => {
    const [ours, theirs] = [await once(prodengUrl, args, httpConfig), await once(alertmanagerUrl, args, httpConfig)];
    return {
      prodeng: { ...ours, shown: comparable('prodeng', ours.stdout) },
      alertmanager: { ...theirs, shown: comparable('alertmanager', theirs.stdout) },
      /** the id each side printed first in this run's output */
      ids: { prodeng: ours.stdout.match(uuid) ?? [], alertmanager: theirs.stdout.match(uuid) ?? [] },
    };
  };
}

describeEachStore('amtool works against prodeng as against a real Alertmanager', (kind) => {
  let server: TestServer | undefined;
  let alertmanager: Peer | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await alertmanager?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!haveAmtool)('prints the same for alert add|query, silence add|query|update|expire|import, cluster show and config routes', { timeout: 120_000 }, async () => {
    // Tokens that act as a User: prodeng records the silence's author from the token
    // (the name typed with -a is only believed when it is the token's own user).
    const token = 'amtool-alice-secret';
    process.env.AMTOOL_ALICE_TOKEN = token;
    process.env.AMTOOL_BOB_TOKEN = 'amtool-bob-secret';
    server = await startTestServer(kind, { clock: systemClock, apiTokens: ['amtool-admin-secret'], configYaml: team });
    dir = mkdtempSync(join(tmpdir(), 'prodeng-amtool-'));

    // The real Alertmanager runs the routing prodeng says it does: its own config.original.
    const status = await server.request('GET', '/api/v2/status', undefined, { authorization: `Bearer ${token}` });
    expect(status.status).toBe(200);
    writeFileSync(join(dir, 'alertmanager.yml'), status.body.config.original);
    const amPort = await freePort();
    alertmanager = startPeer(alertmanagerBinary, [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ]);
    const am = `http://127.0.0.1:${amPort}`;
    await waitFor('Alertmanager to load prodeng\'s routing and be ready', async () => (await fetch(`${am}/-/ready`)).ok, 20_000, () => alertmanager!.output());

    // amtool carries the token the way it carries any HTTP credential: a Prometheus http config file.
    const httpConfig = join(dir, 'amtool-http.yml');
    writeFileSync(httpConfig, `authorization:\n  credentials: ${token}\n`);
    const asBob = join(dir, 'amtool-http-bob.yml');
    writeFileSync(asBob, `authorization:\n  credentials: ${process.env.AMTOOL_BOB_TOKEN}\n`);
    const amtool = amtoolAgainst(server.url, am, httpConfig);
    // An expired silence ends when it was expired, and one added without --start starts (and is updated) when it was
    // added: moments apart on the two servers, asked one after the other, so those listings are compared without times.
    const timesMasked = (text: string) => text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/g, '<time>            ');
    const same = async (args: string[], as?: string) => {
      const r = await amtool(args, as);
      expect(r.prodeng.code, `amtool ${args.join(' ')} against prodeng:\n${r.prodeng.stderr}`).toBe(0);
      expect(r.alertmanager.code, `amtool ${args.join(' ')} against Alertmanager:\n${r.alertmanager.stderr}`).toBe(0);
      const withoutTimes = args.includes('--expired') || (args[0] === 'silence' && args.includes('extended'));
      const shown = (text: string) => (withoutTimes ? timesMasked(text) : text);
      expect(shown(r.prodeng.shown), `amtool ${args.join(' ')}`).toBe(shown(r.alertmanager.shown));
      return r;
    };

    // Without the token prodeng refuses amtool, and amtool says so.
    const anonymous = await run('amtool', [`--alertmanager.url=${server.url}`, 'alert', 'query'], { env: { PATH: process.env.PATH, TZ: 'UTC' } }).catch((e) => e);
    expect(anonymous.code).not.toBe(0);
    expect(String(anonymous.stderr)).toMatch(/401|nauthori/);

    const minute = 60_000;
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const at = (ms: number) => new Date(t0 + ms).toISOString().replace('.000Z', 'Z');
    const alerts = [
      ['alertname=CartDown', 'service=cart', 'instance=cart-1', 'severity=critical', '--annotation=summary=cart-1 has no endpoints'],
      ['alertname=CartDown', 'service=cart', 'instance=cart-2', 'severity=critical', '--annotation=summary=cart-2 has no endpoints'],
      ['alertname=SlowCheckout', 'service=checkout', 'severity=warning', '--annotation=summary=p99 over 2s'],
      ['alertname=DiskFull', 'instance=db-1', 'severity=warning', '--annotation=summary=disk 97% full'],
    ];
    for (const [i, labels] of alerts.entries()) {
      await same(['alert', 'add', ...labels, `--start=${at(-10 * minute + i * 1000)}`, `--end=${at(50 * minute)}`, '--generator-url=http://prometheus.example/graph']);
    }
    await same(['alert', 'add', 'alertname=OldNews', 'instance=db-2', `--start=${at(-30 * minute)}`, `--end=${at(-20 * minute)}`]);
    await waitFor('Alertmanager to take the alerts in', async () => ((await (await fetch(`${am}/api/v2/alerts`)).json()) as unknown[]).length === 4, 10_000);

    const queried = await same(['alert', 'query']);
    expect(queried.prodeng.shown).toContain('CartDown');
    expect(queried.prodeng.shown.split('\n').filter(Boolean)).toHaveLength(5); // a header and the four firing alerts
    await same(['alert', 'query', '-o', 'extended']);
    await same(['alert', 'query', 'alertname=CartDown']);
    await same(['alert', 'query', 'instance=~"cart-.*"', 'severity!=warning']);
    await same(['alert', 'query', '-o', 'extended', 'service=checkout']);
    await same(['alert', 'query', '--receiver=shop-pages']);

    // Silences: the same start and end on both sides, so what they print is the same.
    const added = await same(['silence', 'add', 'alertname=CartDown', 'instance=cart-1', '-a', 'alice', '-c', 'replacing cart-1', `--end=${at(2 * 60 * minute)}`]);
    expect(added.ids.prodeng).toHaveLength(1);
    const pending = await same(['silence', 'add', 'alertname=~"Disk.*"', '-a', 'bob', '-c', 'maintenance tonight', `--start=${at(3 * 60 * minute)}`, `--end=${at(4 * 60 * minute)}`], asBob);
    await same(['silence', 'query']);
    await same(['silence', 'query', '-o', 'extended']);
    await same(['silence', 'query', 'alertname=CartDown']);
    await same(['silence', 'query', '--created-by=bob']);
    await same(['silence', 'query', '-q']);
    await same(['alert', 'query', '-s']);
    await same(['alert', 'query', '-a', '-s', '-i', '-u']);
    await same(['alert', 'query', '-a', '-o', 'extended']);

    // An update of a pending silence changes it in place; of an active one, expires it and makes a new one (both as Alertmanager).
    const updatedPending = await amtool(['silence', 'update', pending.ids.prodeng[0]!, '-c', 'maintenance moved', `--end=${at(5 * 60 * minute)}`], asBob);
    const updatedPendingAm = await amtool(['silence', 'update', pending.ids.alertmanager[0]!, '-c', 'maintenance moved', `--end=${at(5 * 60 * minute)}`], asBob);
    expect([updatedPending.prodeng.code, updatedPendingAm.alertmanager.code]).toEqual([0, 0]);
    // (amtool 0.25's -q prints a pointer instead of the id, against either: the id is read from its table)
    expect(updatedPending.ids.prodeng).toEqual(pending.ids.prodeng);
    expect(updatedPendingAm.ids.alertmanager).toEqual(pending.ids.alertmanager);
    expect(updatedPending.prodeng.shown).toBe(updatedPendingAm.alertmanager.shown);
    // A new comment on an active silence: in place, as Alertmanager does it.
    const commented = await amtool(['silence', 'update', added.ids.prodeng[0]!, '-c', 'cart-1 takes longer']);
    const commentedAm = await amtool(['silence', 'update', added.ids.alertmanager[0]!, '-c', 'cart-1 takes longer']);
    expect([commented.prodeng.code, commentedAm.alertmanager.code]).toEqual([0, 0]);
    expect(commented.ids.prodeng).toEqual(added.ids.prodeng);
    expect(commentedAm.ids.alertmanager).toEqual(added.ids.alertmanager);
    // Moving an active silence's start cannot rewrite what it already silenced: it expires, and a new one takes over.
    const moved = await amtool(['silence', 'update', added.ids.prodeng[0]!, `--start=${at(30 * minute)}`, `--end=${at(3 * 60 * minute)}`]);
    const movedAm = await amtool(['silence', 'update', added.ids.alertmanager[0]!, `--start=${at(30 * minute)}`, `--end=${at(3 * 60 * minute)}`]);
    expect([moved.prodeng.code, movedAm.alertmanager.code]).toEqual([0, 0]);
    const replacement = moved.ids.prodeng[0]!;
    expect(replacement).not.toBe(added.ids.prodeng[0]);
    expect(movedAm.ids.alertmanager[0]).not.toBe(added.ids.alertmanager[0]);
    expect(moved.prodeng.shown).toBe(movedAm.alertmanager.shown);
    await same(['silence', 'query']);
    await same(['silence', 'query', '--expired']);

    const expired = await amtool(['silence', 'expire', replacement]);
    const expiredAm = await amtool(['silence', 'expire', movedAm.ids.alertmanager[0]!]);
    expect([expired.prodeng.code, expiredAm.alertmanager.code]).toEqual([0, 0]);
    await same(['silence', 'query']);
    await same(['silence', 'query', '--expired']);
    await same(['alert', 'query', '-s']);

    // Export what each side holds and import it into the other: amtool's own round trip.
    const exportedProdeng = (await amtool(['silence', 'query', '-o', 'json'])).prodeng.stdout;
    const exportedAm = (await amtool(['silence', 'query', '-o', 'json'])).alertmanager.stdout;
    expect(JSON.parse(exportedProdeng)).toHaveLength(1);
    writeFileSync(join(dir, 'from-am.json'), exportedAm);
    writeFileSync(join(dir, 'from-prodeng.json'), exportedProdeng);
    const importedIntoProdeng = await run('amtool', [`--alertmanager.url=${server.url}`, `--http.config.file=${asBob}`, 'silence', 'import', '--force', join(dir, 'from-am.json')], { env: { PATH: process.env.PATH, TZ: 'UTC' } });
    const importedIntoAm = await run('amtool', [`--alertmanager.url=${am}`, 'silence', 'import', '--force', join(dir, 'from-prodeng.json')], { env: { PATH: process.env.PATH, TZ: 'UTC' } });
    expect(importedIntoProdeng.stdout.trim().split('\n')).toHaveLength(1);
    expect(importedIntoAm.stdout.trim().split('\n')).toHaveLength(1);
    // Two silences alike but for their ids: Alertmanager lists such ties in no set order, so compare the lines as sets.
    const afterImport = await amtool(['silence', 'query']);
    const lines = (text: string) => text.replace(/<silence \d+>/g, '<silence>').trimEnd().split('\n').sort();
    expect(lines(afterImport.prodeng.shown)).toEqual(lines(afterImport.alertmanager.shown));
    expect(afterImport.prodeng.shown.match(/maintenance moved/g)).toHaveLength(2);
    // The imported silence is prodeng's own, as /api/v1/silences shows it.
    const own = await server.request('GET', '/api/v1/silences', undefined, { authorization: `Bearer ${token}` });
    expect(JSON.stringify(own.body)).toContain('maintenance moved');

    // The author is whoever the token acts as: alice's token cannot create a silence in bob's name.
    const claimed = await amtool(['silence', 'add', 'alertname=Claimed', '-a', 'bob', '-c', 'who am I']);
    expect(claimed.prodeng.code).toBe(0);
    const claimedRow = (await amtool(['silence', 'query', 'alertname=Claimed'])).prodeng.stdout;
    expect(claimedRow).toMatch(/alice\s+who am I/);

    // Both tell amtool how they route: prodeng's services to its escalation policy.
    const routes = await same(['config', 'routes']);
    expect(routes.prodeng.shown).toContain('shop-pages');
    await same(['config', 'routes', 'test', 'service=cart']);
    await same(['config', 'routes', 'test', 'job=cart']);
    await same(['config', 'routes', 'test', 'alertname=DiskFull']);

    // A single prodeng on SQLite is not a cluster; nor is an Alertmanager started without one.
    const cluster = await amtool(['cluster', 'show']);
    expect(cluster.prodeng.code).toBe(0);
    if (kind === 'sqlite') expect(cluster.prodeng.shown).toBe(cluster.alertmanager.shown);
    else {
      // On PostgreSQL the replicas sharing the store are the cluster: this one is there, and ready.
      expect(cluster.prodeng.shown).toMatch(/Status:\s+ready/);
      // A second replica on the same store joins; once it closes, it leaves.
      const second = await startServer({ ...server.db.options, port: 0, host: '127.0.0.1', maintenanceIntervalMs: 0, clock: systemClock, logger: pino({ level: 'silent' }), apiTokens: ['amtool-admin-secret'] });
      const peerLine = (url: string) => new RegExp(`127\\.0\\.0\\.1:${new URL(url).port}\\s+[0-9a-f-]{36}`);
      try {
        const extended = await amtool(['cluster', 'show', '-o', 'extended']);
        expect(extended.prodeng.stdout).toMatch(/Address\s+Name/);
        expect(extended.prodeng.stdout).toMatch(peerLine(server.url));
        expect(extended.prodeng.stdout).toMatch(peerLine(second.url));
      } finally {
        await second.close();
      }
      expect((await amtool(['cluster', 'show', '-o', 'extended'])).prodeng.stdout).not.toMatch(peerLine(second.url));
    }
    // config show prints config.original: prodeng's routing as written, which the real Alertmanager
    // above loaded as its own file (it shows it back re-marshalled with all its defaults, so not compared).
    const config = await amtool(['config', 'show']);
    expect(config.prodeng.code).toBe(0);
    expect(config.prodeng.stdout.trimEnd()).toBe(status.body.config.original.trimEnd());
    expect(config.prodeng.stdout).toContain('receiver: no-escalation-policy');
    // amtool warns (on stderr only) that prodeng's version is not Alertmanager's: the truth, kept.
    expect(config.prodeng.stderr).toMatch(/version/);
  });
});
