import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfigDir } from './index.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-cfg-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const teamAndService = `apiVersion: prodeng/v1
kind: Team
metadata: { name: payments }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec:
  owner: payments
`;

describe('loadConfigDir', () => {
  it('loads the minimal team and service', async () => {
    const result = await loadConfigDir(dirWith({ 'a.yaml': teamAndService }));
    expect(result.errors).toEqual([]);
    expect(result.config.services.get('checkout')?.spec.owner).toBe('payments');
    expect(result.config.teams.get('payments')?.source.line).toBe(1);
    expect(result.config.services.get('checkout')?.source.line).toBe(6);
  });

  it('names file, line and column of a misspelled owner, with a suggestion', async () => {
    const dir = dirWith({ 'bad.yaml': teamAndService.replace('owner: payments', 'owner: paymnts') });
    const result = await loadConfigDir(dir);
    expect(result.ok).toBe(false);
    expect(result.errors.map(formatConfigError)).toEqual([`${join(dir, 'bad.yaml')}:10:10: spec.owner: team "paymnts" does not exist (did you mean "payments"?)`]);
  });

  it('reports every problem at once: unknown fields, kinds, versions, YAML syntax and duplicates', async () => {
    const dir = dirWith({
      'a.yaml': `apiVersion: prodeng/v1
kind: Team
metadata: { name: web }
spec:
  colour: blue
---
apiVersion: prodeng/v2
kind: Team
metadata: { name: ops }
spec: {}
---
apiVersion: prodeng/v1
kind: Widget
metadata: { name: w }
spec: {}
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: api }
spec: {}
---
apiVersion: prodeng/v1
kind: Team
metadata: { name: infra }
spec: {}
`,
      'b.yml': `apiVersion: prodeng/v1
kind: Team
metadata: { name: infra }
spec: {}
---
apiVersion: prodeng/v1
kind: Heartbeat
metadata: { name: hb }
spec: { interval: soon }
`,
      'c.yaml': 'kind: [unclosed\n',
      'ignored.txt': 'not yaml',
    });
    const result = await loadConfigDir(dir);
    const lines = result.errors.map((e) => `${e.file.slice(dir.length + 1)}:${e.line}:${e.column}: ${e.path}: ${e.message}`);
    expect(lines[0]).toBe('a.yaml:5:3: spec.colour: unknown field "colour"');
    expect(lines[1]).toBe('a.yaml:7:13: apiVersion: must be prodeng/v1');
    expect(lines[2]).toMatch(/^a\.yaml:13:7: kind: unknown kind "Widget" \(known kinds: .*Team.*\)$/);
    expect(lines[3]).toMatch(/^a\.yaml:20:7: spec\.owner: is required/);
    expect(lines[4]).toMatch(/^b\.yml:3:19: metadata\.name: Team "infra" is already defined at .*a\.yaml:22$/);
    expect(lines[5]).toMatch(/^b\.yml:9:19: spec\.interval: "soon" is not a duration/);
    expect(lines[6]).toMatch(/^c\.yaml:\d+:\d+: : YAML: /);
    expect(result.errors).toHaveLength(7);
  });

  it('warns, without failing, when an integration key variable is not set', async () => {
    delete process.env.PRODENG_TEST_UNSET_KEY;
    const result = await loadConfigDir(
      dirWith({ 'a.yaml': `${teamAndService}  integrationKeys:\n    - { name: v2, env: PRODENG_TEST_UNSET_KEY }\n` }),
    );
    expect(result.ok).toBe(true);
    expect(result.warnings.map((w) => `${w.line}:${w.path}: ${w.message}`)).toEqual([
      '12:spec.integrationKeys[0].env: environment variable PRODENG_TEST_UNSET_KEY is not set; this integration key is disabled',
    ]);
  });

  it('reports a missing directory', async () => {
    const result = await loadConfigDir('/nonexistent/prodeng-config');
    expect(result.errors[0]?.message).toBe('no such directory');
  });

  it('loads the shipped examples', async () => {
    const result = await loadConfigDir(join(import.meta.dirname, '..', '..', 'examples'));
    expect(result.errors.map(formatConfigError)).toEqual([]);
    expect(result.config.services.size).toBeGreaterThan(0);
  });
});
