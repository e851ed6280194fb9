import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigError } from '../config/index.js';
import { loadConfiguration } from '../loadConfiguration.js';

const team = `apiVersion: prodeng/v1
kind: Team
metadata: { name: web }
---
apiVersion: prodeng/v1
kind: Service
metadata: { name: frontend }
spec: { owner: web }
`;

function configDir(files: Record<string, string>, yaml = team): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-plugins-test-'));
  writeFileSync(join(dir, 'config.yaml'), yaml);
  mkdirSync(join(dir, 'plugins'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'plugins', name), text);
  return dir;
}

const plugin = (name: string, extra = '') => `import { definePlugin } from 'prodeng/plugin';
// a type annotation, so this only loads if TypeScript is compiled
const attempts: number = 1;
export default definePlugin({
  name: '${name}',
  match: { alertname: 'WebDown', instance: '=~web-.*' },
  service: 'frontend',
  target: '{{ labels.instance }}',
  ${extra}
  async remediate(ctx) {
    ctx.log('attempt ' + attempts);
  },
});
`;

describe('loading TypeScript plugins from the config directory', () => {
  it('loads .ts (CommonJS or ESM package), .mts and .js plugins as runbooks with one plugin step', async () => {
    const dir = configDir({
      'a.ts': plugin('restart-a', 'manualMinutes: 5, risk: "safe", timeout: "30s", safety: { cooldown: "10m" },'),
      'b.mts': plugin('restart-b'),
      'c.js': plugin('restart-c').replace('const attempts: number = 1;', 'const attempts = 1;'),
      'types.d.ts': 'export {};',
      'README.md': 'not a plugin',
    });
    const result = await loadConfiguration(dir);
    expect(result.errors.map(formatConfigError)).toEqual([]);
    expect([...result.plugins.byName.keys()]).toEqual(['restart-a', 'restart-b', 'restart-c']);
    const a = result.plugins.runbooks.find((r) => r.name === 'restart-a')!;
    expect(a.kind).toBe('Plugin');
    expect(a.source).toMatchObject({ file: join(dir, 'plugins', 'a.ts'), line: 4 });
    expect(a.spec.manualMinutes).toBe(5);
    expect(a.spec.safety.cooldown).toBe(600_000);
    expect(a.spec.steps).toEqual([{ name: 'remediate', action: 'plugin', with: { plugin: 'restart-a', risk: 'safe' }, idempotent: false, timeout: 30_000 }]);
    expect(result.plugins.byName.get('restart-b')!.risk).toBe('disruptive');
  });

  it('reports every broken plugin with its file and the line of definePlugin, and loads none of them', async () => {
    const dir = configDir({
      'no-remediate.ts': plugin('x').replace(/async remediate[\s\S]*?\n  },\n/, ''),
      'typo.ts': plugin('typo', 'verfy: { alertResolvedWithin: "2m" },'),
      'bad-regex.ts': plugin('bad-regex').replace("'=~web-.*'", "'=~web-(.*'"),
      'unknown-service.ts': plugin('unknown-service').replace("service: 'frontend'", "service: 'frontent'"),
      'clash.ts': plugin('restart-web'),
      'syntax.ts': 'export default definePlugin({ name: ',
      'nothing.ts': 'export const x = 1;',
    }, `${team}---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart-web }
spec:
  match: { alertname: WebDown }
  target: "{{ labels.instance }}"
  steps: [{ action: wait, with: { duration: 1s } }]
`);
    const result = await loadConfiguration(dir);
    expect(result.ok).toBe(false);
    expect(result.plugins.byName.size).toBe(0);
    const messages = result.errors.map(formatConfigError).join('\n');
    const at = (file: string) => join(dir, 'plugins', file);
    expect(messages).toContain(`${at('no-remediate.ts')}:4:1: remediate: `);
    expect(messages).toMatch(new RegExp(`${at('typo.ts')}:4:1: .*verfy`));
    expect(messages).toContain(`${at('bad-regex.ts')}:4:1: match.instance: `);
    expect(messages).toContain(`${at('unknown-service.ts')}:4:1: service: service "frontent" does not exist (did you mean "frontend"?)`);
    expect(messages).toContain(`${at('clash.ts')}:4:1: name: "restart-web" is already taken`);
    expect(messages).toMatch(new RegExp(`${at('syntax.ts')}:1:\\d+: cannot compile the plugin: `));
    expect(messages).toContain(`${at('nothing.ts')}:1:1: no default export`);
  });

  it('needs no plugins directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-plugins-test-'));
    writeFileSync(join(dir, 'config.yaml'), team);
    const result = await loadConfiguration(dir);
    expect(result.ok).toBe(true);
    expect(result.plugins.byName.size).toBe(0);
  });
});
