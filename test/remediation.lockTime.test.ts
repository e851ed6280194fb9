import pg from 'pg';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { claimRemediationWork, runClaimedWork, type ExecutorOptions } from '../src/remediation/executor.js';
import { ManualClock } from '../src/store/clock.js';
import { describeEachStore } from './support/testDatabases.js';
import { startTestServer, type TestServer } from './support/testServer.js';
import { waitFor } from './support/peers.js';

const config = `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: limited }
spec:
  match: { alertname: Limited }
  target: "{{ labels.instance }}"
  steps: [{ action: exec, with: { argv: ["true"] } }]
  safety: { rateLimit: { count: 1, per: 1m } }
`;

/** Another writer holds the store this long (clock time) while the remediation waits for its runbook's lock. */
const WAIT_MS = 2_000;

/**
 * The time a remediation starts at (and the gates judge time windows by) is
 * read once its runbook's lock is held, not before waiting for it.
 */
describeEachStore('a remediation starts at the time it got its lock', (kind) => {
  let server: TestServer | undefined;
  afterEach(async () => server?.stop());

  it('records started_at after the wait for the runbook lock, not before it', async () => {
    const clock = new ManualClock(Date.parse('2026-03-01T10:00:00Z'));
    server = await startTestServer(kind, { clock, configYaml: config });
    const opts: ExecutorOptions = { store: server.store, clock, logger: pino({ level: 'silent' }), dryRun: false, owner: 'lock-time-test', scopeSize: () => null, leaseMs: 60_000 };
    await server.request('POST', '/api/v2/alerts', [{ labels: { alertname: 'Limited', instance: 'svc-1' } }]);
    const [item] = await claimRemediationWork(opts, 1);
    expect(item).toBeDefined();
    const before = clock.now();
    let run: Promise<void>;
    if (kind === 'postgres') {
      // another replica holds the runbook's lock while this one reaches for it
      const other = new pg.Client({ connectionString: server.db.options.databaseUrl });
      await other.connect();
      await other.query('begin');
      await other.query(`select pg_advisory_xact_lock(hashtext('prodeng.remediation:limited'))`);
      run = runClaimedWork(opts, item!);
      await waitFor(
        'the remediation to wait for the runbook lock',
        async () => (await other.query(`select 1 from pg_locks where locktype = 'advisory' and not granted`)).rowCount! > 0 || undefined,
        10_000,
      );
      clock.advance(WAIT_MS);
      await other.query('commit');
      await other.end();
    } else {
      // SQLite has one writer: another transaction holds it from the moment
      // the remediation has read its row and the time, until the clock has moved on
      const realNow = clock.now.bind(clock);
      let held = false;
      clock.now = () => {
        const t = realNow();
        if (!held) {
          held = true;
          void server!.store.db.transaction().execute(async () => {
            await new Promise((r) => setTimeout(r, 100));
            clock.advance(WAIT_MS);
          });
        }
        return t;
      };
      run = runClaimedWork(opts, item!);
    }
    await run;
    const [r] = (await server.request('GET', '/api/v1/remediations')).body.remediations as any[];
    expect(r.status).toBe('succeeded');
    expect(Date.parse(r.startedAt)).toBe(before + WAIT_MS);
  }, 30_000);
});
