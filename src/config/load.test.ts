import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineKind, formatConfigError, loadConfigDir, mustExist, type ConfigLoadResult } from './index.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-cfg-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Errors as `file:line:column: path: message`, with the file relative to dir, to compare whole lines. */
function errorLines(result: ConfigLoadResult, dir: string, which: 'errors' | 'warnings' = 'errors'): string[] {
  return result[which].map((e) => formatConfigError({ ...e, file: relative(dir, e.file) }));
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

const user = (name: string) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${name} }\nspec: {}\n`;

describe('loadConfigDir: a valid directory', () => {
  it('loads the minimal team and service into typed maps', async () => {
    const result = await loadConfigDir(dirWith({ 'a.yaml': teamAndService }));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ok).toBe(true);
    const checkout = result.config.services.get('checkout');
    expect(checkout?.spec.owner).toBe('payments');
    expect(checkout?.kind).toBe('Service');
    expect(checkout?.metadata).toEqual({ name: 'checkout' });
    expect(result.config.teams.get('payments')?.source).toMatchObject({ line: 1, column: 1 });
    expect(checkout?.source).toMatchObject({ line: 6, column: 1 });
    expect(result.config.byKind('Team').get('payments')?.name).toBe('payments');
    expect(result.config.hosts.size).toBe(0);
  });

  it('reads every .yaml and .yml file with several documents each, skipping empty documents, other files and subdirectories', async () => {
    const dir = dirWith({
      'people.yml': `---\n${user('alice')}---\n# nothing but a comment\n---\n${user('bob')}---\n`,
      'teams.yaml': `apiVersion: prodeng/v1
kind: Team
metadata: { name: web, labels: { tier: frontend }, annotations: { wiki: "https://wiki/web" } }
spec:
  description: The storefront
  members:
    - { user: alice, role: lead }
    - user: bob
`,
      'README.md': 'not config',
      'notes.txt': 'kind: [ nonsense',
    });
    mkdirSync(join(dir, 'old'));
    writeFileSync(join(dir, 'old', 'broken.yaml'), 'kind: [');
    const result = await loadConfigDir(dir);
    expect(errorLines(result, dir)).toEqual([]);
    expect([...result.config.users.keys()]).toEqual(['alice', 'bob']);
    expect(result.config.users.get('bob')?.source).toMatchObject({ file: join(dir, 'people.yml'), line: 9 });
    const web = result.config.teams.get('web');
    expect(web?.spec.members).toEqual([{ user: 'alice', role: 'lead' }, { user: 'bob' }]);
    expect(web?.metadata.labels).toEqual({ tier: 'frontend' });
  });

  it('fills in defaults and converts durations to milliseconds', async () => {
    const result = await loadConfigDir(
      dirWith({
        'a.yaml': `${teamAndService}---
apiVersion: prodeng/v1
kind: Heartbeat
metadata: { name: nightly-backup }
spec: { interval: 24h, service: checkout }
---
apiVersion: prodeng/v1
kind: Heartbeat
metadata: { name: every-minute }
spec: { interval: 60, grace: 30s, severity: warning }
---
apiVersion: prodeng/v1
kind: Host
metadata: { name: web-1 }
spec: { address: "10.0.0.5", service: checkout, cluster: eu-1 }
`,
      }),
    );
    expect(result.errors).toEqual([]);
    expect(result.config.heartbeats.get('nightly-backup')?.spec).toEqual({ interval: 86_400_000, grace: 0, severity: 'critical', service: 'checkout' });
    expect(result.config.heartbeats.get('every-minute')?.spec).toMatchObject({ interval: 60_000, grace: 30_000, severity: 'warning' });
    expect(result.config.hosts.get('web-1')?.spec.cluster).toBe('eu-1');
  });

});

describe('loadConfigDir: errors name file, line and column', () => {
  it('reports a misspelled owner at the value, with a suggestion, using the directory path as given', async () => {
    const dir = dirWith({ 'bad.yaml': teamAndService.replace('owner: payments', 'owner: paymnts') });
    const given = relative(process.cwd(), dir);
    const result = await loadConfigDir(given);
    expect(result.ok).toBe(false);
    expect(result.errors.map(formatConfigError)).toEqual([`${join(given, 'bad.yaml')}:10:10: spec.owner: team "paymnts" does not exist (did you mean "payments"?)`]);
  });

  it('points an unknown field at the field name, suggesting the one meant', async () => {
    const dir = dirWith({
      'a.yaml': `apiVersion: prodeng/v1
kind: Team
metadata: { name: web, lables: { a: b } }
spec:
  description: x
  colour: blue
  members:
    - { user: alice, rol: lead }
`,
    });
    expect(errorLines(await loadConfigDir(dir), dir)).toEqual([
      'a.yaml:3:24: metadata.lables: unknown field "lables" (did you mean "labels"?)',
      'a.yaml:6:3: spec.colour: unknown field "colour"',
      // the rest of the document is still checked: alice is not a User
      'a.yaml:8:15: spec.members[0].user: user "alice" does not exist (no User is defined)',
      'a.yaml:8:22: spec.members[0].rol: unknown field "rol" (did you mean "role"?)',
    ]);
  });

  it('reports an unknown kind with the known kinds, and a wrong or missing apiVersion', async () => {
    const dir = dirWith({
      'a.yaml': `apiVersion: prodeng/v1
kind: Servce
metadata: { name: w }
spec: {}
---
apiVersion: prodeng/v2
kind: Team
metadata: { name: ops }
spec: {}
---
kind: Team
metadata: { name: dev }
spec: {}
`,
    });
    expect(errorLines(await loadConfigDir(dir), dir)).toEqual([
      'a.yaml:2:7: kind: unknown kind "Servce" (did you mean "Service"? known kinds: ApiToken, Heartbeat, Host, Service, Team, User)',
      'a.yaml:6:13: apiVersion: must be prodeng/v1 (or openslo/v1 for an OpenSLO document), not "prodeng/v2"',
      'a.yaml:11:1: apiVersion: is required: prodeng/v1',
    ]);
  });

  it('reports YAML syntax errors where they are, and still loads the file’s other documents', async () => {
    const dir = dirWith({
      'a.yaml': `apiVersion: prodeng/v1
kind: Team
metadata: { name: x }
spec: { description: a, description: b }
---
${user('alice')}`,
      'b.yaml': `apiVersion: prodeng/v1
kind: Team
metadata: { name: y }
spec:
\tdescription: a
`,
    });
    const result = await loadConfigDir(dir);
    expect(errorLines(result, dir)).toEqual([
      'a.yaml:4:25: YAML: Map keys must be unique',
      'b.yaml:5:1: YAML: Tabs are not allowed as indentation',
    ]);
    expect([...result.config.users.keys()]).toEqual(['alice']);
  });

  it('reports a document that is not a mapping, and an unresolvable alias', async () => {
    const dir = dirWith({ 'a.yaml': '- a list\n---\njust text\n---\nkind: *nowhere\n' });
    const lines = errorLines(await loadConfigDir(dir), dir);
    expect(lines.slice(0, 2)).toEqual([
      // A list document is a list of objects (as OpenSLO files often are): its item must be one.
      'a.yaml:1:3: [0]: a document must be a mapping with apiVersion, kind, metadata and spec',
      'a.yaml:3:1: a document must be a mapping with apiVersion, kind, metadata and spec',
    ]);
    expect(lines.slice(2).join('\n')).toMatch(/^a\.yaml:5:\d+: .*nowhere/);
  });

  it('reports a duplicate name at the second document, naming where the first is', async () => {
    const dir = dirWith({
      'a.yaml': teamAndService,
      'b.yaml': `apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: payments, colour: red }
---
apiVersion: prodeng/v1
kind: User
metadata:
  name: payments
spec: {}
`,
    });
    const result = await loadConfigDir(dir);
    expect(errorLines(result, dir)).toEqual([
      `b.yaml:3:19: metadata.name: Service "checkout" is already defined at ${join(dir, 'a.yaml')}:6`,
      'b.yaml:4:26: spec.colour: unknown field "colour"',
      // a User and a Team may share a name
    ]);
    expect(result.config.services.get('checkout')?.source.file).toBe(join(dir, 'a.yaml'));
  });

  it('reports every problem in one run, sorted by file and position', async () => {
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
metadata: { name: Nightly }
spec: { interval: soon, severity: loud, service: chekout }
---
apiVersion: prodeng/v1
kind: Host
metadata: { name: db-1 }
spec: { service: api, labels: { rack: 7 } }
---
apiVersion: prodeng/v1
kind: User
metadata: { name: carol }
spec: { email: carol-at-example, timeZone: Mars/Olympus }
`,
      'c.yaml': 'kind: [unclosed\n',
    });
    const result = await loadConfigDir(dir);
    expect(result.ok).toBe(false);
    expect(errorLines(result, dir)).toEqual([
      'a.yaml:5:3: spec.colour: unknown field "colour"',
      'a.yaml:7:13: apiVersion: must be prodeng/v1 (or openslo/v1 for an OpenSLO document), not "prodeng/v2"',
      'a.yaml:13:7: kind: unknown kind "Widget" (known kinds: ApiToken, Heartbeat, Host, Service, Team, User)',
      'a.yaml:20:7: spec.owner: is required: the Team that owns the service',
      `b.yml:3:19: metadata.name: Team "infra" is already defined at ${join(dir, 'a.yaml')}:22`,
      'b.yml:8:19: metadata.name: must be lowercase letters, digits, ".", "_" or "-", start and end with a letter or digit, and be at most 63 characters',
      'b.yml:9:19: spec.interval: "soon" is not a duration (write e.g. 500ms, 30s, 5m, 1h30m, 1d or 1w)',
      'b.yml:9:35: spec.severity: must be one of critical, error, warning, info',
      'b.yml:14:7: spec.address: is required: where to reach the host, e.g. 10.0.0.5 or web-1.internal:22',
      'b.yml:14:39: spec.labels.rack: must be a string, not a number',
      'b.yml:19:16: spec.email: must be an email address',
      'b.yml:19:44: spec.timeZone: must be an IANA time zone such as Europe/Berlin or UTC',
      'c.yaml:2:1: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });
});

describe('loadConfigDir: references', () => {
  it('checks that members are Users, hosts and heartbeats name Services', async () => {
    const dir = dirWith({
      'a.yaml': `${teamAndService}---
apiVersion: prodeng/v1
kind: Team
metadata: { name: web }
spec:
  members: [{ user: alice }, { user: alcie }]
---
apiVersion: prodeng/v1
kind: Host
metadata: { name: web-1 }
spec: { address: 10.0.0.5, service: chekcout }
---
apiVersion: prodeng/v1
kind: Heartbeat
metadata: { name: backup }
spec: { interval: 1d, service: frontend }
---
${user('alice')}`,
    });
    expect(errorLines(await loadConfigDir(dir), dir)).toEqual([
      'a.yaml:16:38: spec.members[1].user: user "alcie" does not exist (did you mean "alice"?)',
      'a.yaml:21:37: spec.service: service "chekcout" does not exist (did you mean "checkout"?)',
      // too far from "checkout" to be a typo: no guess
      'a.yaml:26:32: spec.service: service "frontend" does not exist',
    ]);
  });

  it('does not repeat a broken document’s error at every reference to it', async () => {
    const dir = dirWith({ 'a.yaml': teamAndService.replace('spec: {}', 'spec: { members: nobody }') });
    expect(errorLines(await loadConfigDir(dir), dir)).toEqual(['a.yaml:4:18: spec.members: must be a list, not a string']);
  });

  it('lets a new kind plug in with its own schema and references, without touching the loader', async () => {
    defineKind({
      kind: 'Runbook',
      spec: z.object({ service: z.string(), steps: z.array(z.string()).min(1) }).strict(),
      references: (doc, config) => mustExist(config, 'Service', doc.spec.service, ['spec', 'service']),
    });
    const dir = dirWith({
      'a.yaml': `${teamAndService}---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: restart }
spec: { service: checkout, steps: [restart] }
---
apiVersion: prodeng/v1
kind: Runbook
metadata: { name: drain }
spec: { service: chekout, steps: [drain] }
`,
    });
    const result = await loadConfigDir(dir);
    expect(errorLines(result, dir)).toEqual(['a.yaml:20:18: spec.service: service "chekout" does not exist (did you mean "checkout"?)']);
    expect(result.config.byKind<{ steps: string[] }>('Runbook').get('restart')?.spec.steps).toEqual(['restart']);
  });
});

describe('loadConfigDir: integration key secrets', () => {
  const withKey = `${teamAndService}  integrationKeys:\n    - { name: v2, env: PRODENG_TEST_KEY }\n`;
  afterEach(() => {
    delete process.env.PRODENG_TEST_KEY;
  });

  it('warns, without failing, when the variable holding a key is not set', async () => {
    delete process.env.PRODENG_TEST_KEY;
    const dir = dirWith({ 'a.yaml': withKey });
    const result = await loadConfigDir(dir);
    expect(result.ok).toBe(true);
    expect(errorLines(result, dir, 'warnings')).toEqual([
      'a.yaml:12:24: spec.integrationKeys[0].env: environment variable PRODENG_TEST_KEY is not set; this integration key is disabled',
    ]);
  });

  it('says nothing, and never shows the value, when it is set', async () => {
    process.env.PRODENG_TEST_KEY = 'very-secret-routing-key';
    const result = await loadConfigDir(dirWith({ 'a.yaml': withKey }));
    expect(result.warnings).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('very-secret-routing-key');
  });

  it('refuses a key written into the file instead of a variable name', async () => {
    const dir = dirWith({ 'a.yaml': withKey.replace('PRODENG_TEST_KEY', 'r0ut1ng-k3y') });
    expect(errorLines(await loadConfigDir(dir), dir)).toEqual([
      'a.yaml:12:24: spec.integrationKeys[0].env: must name an environment variable (A-Z, 0-9, _); the key itself never goes in the file',
    ]);
  });
});

describe('loadConfigDir: the directory itself', () => {
  it('reports a missing directory', async () => {
    const result = await loadConfigDir('/nonexistent/prodeng-config');
    expect(result.ok).toBe(false);
    expect(result.errors.map(formatConfigError)).toEqual(['/nonexistent/prodeng-config:1:1: no such directory']);
  });

  it('reports a file given instead of a directory', async () => {
    const file = join(dirWith({ 'a.yaml': teamAndService }), 'a.yaml');
    expect((await loadConfigDir(file)).errors.map((e) => e.message)).toEqual(['not a directory']);
  });

  it('accepts an empty directory as an empty config', async () => {
    const result = await loadConfigDir(dirWith({}));
    expect(result.ok).toBe(true);
    expect(result.config.services.size).toBe(0);
  });
});
