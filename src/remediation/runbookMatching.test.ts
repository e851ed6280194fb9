import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigDir } from '../config/index.js';
import './runbookKind.js';
import type { RunbookSpec } from './runbookKind.js';
import { chooseRunbook } from './runbookMatching.js';

async function load(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-rb-'));
  writeFileSync(join(dir, 'runbooks.yaml'), yaml);
  return { dir, result: await loadConfigDir(dir) };
}

const issueExample = `apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-web }
spec:
  match: { alertname: WebDown }
  target: "{{ labels.instance }}"
  manualMinutes: 15
  steps:
    - name: restart
      action: exec
      with: { argv: ["systemctl", "restart", "web@{{ labels.instance }}"], timeout: 30s }
  verify: { alertResolvedWithin: 2m }
  onFailure:
    - action: escalate
  safety:
    maxUnhealthy: { per: cluster, max: "10%" }
    cooldown: 10m
    maxAttempts: { count: 3, within: 1h }
    rateLimit: { count: 20, per: 1m }
    maxConcurrent: 5
    dryRun: false
`;

const more = `---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-web-canary }
spec:
  match: { alertname: WebDown, instance: "=~canary-.*" }
  target: "{{ labels.instance }}"
  steps: [{ action: wait, with: { duration: 1s } }]
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: any-down }
spec:
  match: { alertname: "=~.*Down", env: "!=staging" }
  target: "{{ alert.host }}"
  steps: [{ action: wait, with: { duration: 1s } }]
`;

const alert = (labels: Record<string, string>, extra: Partial<{ status: string; silenced: boolean; service: string | null }> = {}) => ({
  status: 'firing',
  silenced: false,
  service: null,
  labels,
  ...extra,
});

describe('Runbook kind and matching', () => {
  it('loads the issue\'s example runbook with its gates', async () => {
    const { result } = await load(issueExample);
    expect(result.errors.map(formatConfigError)).toEqual([]);
    const rb = result.config.byKind<RunbookSpec>('Runbook').get('restart-web')!;
    expect(rb.spec.match).toEqual([{ name: 'alertname', value: 'WebDown', isRegex: false, isEqual: true }]);
    expect(rb.spec.steps[0]!.with).toEqual({ argv: ['systemctl', 'restart', 'web@{{ labels.instance }}'], timeout: '30s' });
    expect(rb.spec.verify?.alertResolvedWithin).toBe(120_000);
    expect(rb.spec.safety).toMatchObject({ cooldown: 600_000, maxAttempts: { count: 3, within: 3_600_000 }, maxUnhealthy: { per: 'cluster', max: '10%' }, dryRun: false });
  });

  it('reports bad actions, parameters, templates and matchers with their place', async () => {
    const { dir, result } = await load(`apiVersion: prodeng/v1
kind: Runbook
metadata: { name: broken }
spec:
  match: { alertname: WebDown, instance: "=~web-([" }
  target: "{{ labels.instance | upper }}"
  steps:
    - action: exec
      with: { argv: "systemctl restart web" }
    - action: reboot-everything
`);
    const lines = result.errors.map((e) => formatConfigError({ ...e, file: e.file.slice(dir.length + 1) }));
    expect(lines.some((l) => /^runbooks\.yaml:5:\d+: spec\.match\.instance: .*invalid regular expression/.test(l)), lines.join('\n')).toBe(true);
    expect(result.ok).toBe(false);
  });

  it('reports template and action problems once the spec itself is well-formed', async () => {
    const { dir, result } = await load(`apiVersion: prodeng/v1
kind: Runbook
metadata: { name: broken }
spec:
  match: { alertname: WebDown }
  target: "{{ labels.instance | upper }}"
  steps:
    - action: exec
      with: { argv: "systemctl restart web" }
    - action: reboot-everything
`);
    const lines = result.errors.map((e) => formatConfigError({ ...e, file: e.file.slice(dir.length + 1) }));
    expect(lines).toEqual([
      expect.stringMatching(/^runbooks\.yaml:6:11: spec\.target: \{\{ labels\.instance \| upper \}\} is not a value reference/),
      'runbooks.yaml:9:21: spec.steps[0].with.argv: must be a list, not a string',
      expect.stringMatching(/^runbooks\.yaml:10:15: spec\.steps\[1\]\.action: unknown action "reboot-everything" \(known: .*exec.*escalate/),
    ]);
  });

  it('chooses the most specific matching runbook and says why the others lost', async () => {
    const { result } = await load(issueExample + more);
    const runbooks = result.config.byKind<RunbookSpec>('Runbook').values();
    const canary = chooseRunbook(runbooks, alert({ alertname: 'WebDown', instance: 'canary-1' }));
    expect(canary.chosen).toBe('restart-web-canary');
    const byName = Object.fromEntries(canary.verdicts.map((v) => [v.runbook, v.reason]));
    expect(byName['restart-web']).toMatch(/matches, but restart-web-canary is more specific/);
    expect(byName['any-down']).toMatch(/matches, but restart-web-canary is more specific/);

    const plain = chooseRunbook(result.config.byKind<RunbookSpec>('Runbook').values(), alert({ alertname: 'WebDown', instance: 'web-1' }));
    expect(plain.chosen).toBe('restart-web');
    expect(plain.verdicts.find((v) => v.runbook === 'restart-web-canary')!.reason).toBe('instance=~"canary-.*" does not hold: instance is "web-1"');

    const db = chooseRunbook(result.config.byKind<RunbookSpec>('Runbook').values(), alert({ alertname: 'DbDown', env: 'staging' }));
    expect(db.chosen).toBeNull();
    expect(db.verdicts.find((v) => v.runbook === 'any-down')!.reason).toBe('env!="staging" does not hold: env is "staging"');
  });

  it('never matches a resolved or silenced alert', async () => {
    const { result } = await load(issueExample);
    const runbooks = [...result.config.byKind<RunbookSpec>('Runbook').values()];
    expect(chooseRunbook(runbooks, alert({ alertname: 'WebDown' }, { status: 'resolved' })).verdicts[0]!.reason).toContain('resolved');
    expect(chooseRunbook(runbooks, alert({ alertname: 'WebDown' }, { silenced: true })).chosen).toBeNull();
  });
});
