import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  entitySchemaValidator,
  getCompoundEntityRef,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  parseEntityRef as backstageParseEntityRef,
  resourceEntityV1alpha1Validator,
  stringifyEntityRef as backstageStringifyEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  type Entity,
} from '@backstage/catalog-model';
import { compileCatalogModel, defaultCatalogEntityModel } from '@backstage/catalog-model/alpha';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { importCatalog, type CatalogImport } from '../src/catalog/backstage/importCatalog.js';
import { exportCatalog } from '../src/catalog/backstage/exportCatalog.js';
import { asPlainDocument, yamlDocuments } from '../src/catalog/backstage/yamlDocuments.js';
import { catalogCommand } from '../src/cli/catalogCommand.js';
import { formatConfigError, loadConfigDir, type ConfigDoc } from '../src/config/index.js';
import { parseEntityRef, stringifyEntityRef } from '../src/config/backstage/entityRef.js';
import '../src/kinds.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'backstage');
const corpus = join(fixtures, 'catalog');
const invalid = join(fixtures, 'invalid');

// ---------------------------------------------------------------------------
// The oracle: what Backstage's catalog derives, computed with
// @backstage/catalog-model alone. The relation-emitting processor
// (BuiltinKindsEntityProcessor) lives in @backstage/plugin-catalog-backend,
// which brings a whole backend (database, plugin system); but catalog-model
// declares the same thing as data: each kind's relationFields (path,
// relation, defaultKind, defaultNamespace) and each relation's reverse. So the
// oracle is: validate with catalog-model's validators (an invalid entity never
// reaches the processor), parse every ref in a relation field with its
// parseEntityRef and the field's defaults (a throw fails the entity's
// processing: it emits nothing), emit the relation and its reverse, and keep
// the first of two entities with the same ref.
// ---------------------------------------------------------------------------

const model = compileCatalogModel([defaultCatalogEntityModel]);
const reverseOf = new Map<string, string>();
for (const r of model.listRelations()) {
  reverseOf.set(r.forward.type, r.reverse.type);
  reverseOf.set(r.reverse.type, r.forward.type);
}
const kindValidators = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
];
const envelopeValidator = entitySchemaValidator();

async function isValidBackstageEntity(entity: Entity): Promise<boolean> {
  try {
    envelopeValidator(entity);
    for (const v of kindValidators) if (await v.check(entity)) return true;
    return false;
  } catch {
    return false;
  }
}

function at(entity: Entity, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], entity);
}

async function oracleRelations(entities: Entity[]): Promise<string[]> {
  const out = new Set<string>();
  const claimed = new Set<string>();
  for (const entity of entities) {
    if (!(await isValidBackstageEntity(entity))) continue;
    const self = getCompoundEntityRef(entity);
    const selfRef = backstageStringifyEntityRef(self);
    if (claimed.has(selfRef)) continue;
    claimed.add(selfRef);
    const kind = model.getKind({ kind: entity.kind, apiVersion: entity.apiVersion, spec: entity.spec as { type?: string } });
    const emitted: string[] = [];
    try {
      for (const field of kind?.relationFields ?? []) {
        const value = at(entity, field.path);
        if (!value) continue;
        for (const target of [value].flat() as string[]) {
          const ref = backstageParseEntityRef(target, { defaultKind: field.defaultKind, defaultNamespace: field.defaultNamespace === 'default' ? 'default' : self.namespace });
          const targetRef = backstageStringifyEntityRef(ref);
          emitted.push(`${selfRef} ${field.relation} ${targetRef}`, `${targetRef} ${reverseOf.get(field.relation)} ${selfRef}`);
        }
      }
    } catch {
      continue;
    }
    for (const r of emitted) out.add(r);
  }
  return [...out].sort();
}

/** Every document of every YAML file under `dir`, read without prodeng's reader. */
function rawEntities(dir: string): Entity[] {
  const out: Entity[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) if (doc.contents) out.push(doc.toJS() as Entity);
    }
  };
  walk(dir);
  return out;
}

const relationStrings = (result: CatalogImport) => result.relations.map((r) => `${r.source} ${r.type} ${r.target}`).sort();
const plain = (docs: ConfigDoc[]) => docs.map(({ kind, name, metadata, spec }) => ({ kind, name, metadata, spec }));
const find = (result: CatalogImport, kind: string, name: string) => result.docs.find((d) => d.kind === kind && d.name === name)?.spec as Record<string, unknown> | undefined;

describe('Backstage catalog: relations equal what @backstage/catalog-model derives', () => {
  it('on the corpus: every entity read (through its Locations), the same relations', async () => {
    const result = await importCatalog(corpus);
    const raw = rawEntities(corpus);
    expect(raw.length).toBeGreaterThanOrEqual(25);
    for (const e of raw) expect(await isValidBackstageEntity(e), `${e.kind} ${e.metadata.name} is valid Backstage`).toBe(true);
    expect(result.entities.length).toBe(raw.length);
    const expected = await oracleRelations(raw);
    expect(expected.length).toBeGreaterThan(60);
    expect(relationStrings(result)).toEqual(expected);
    // a few by hand, to show what the corpus exercises
    expect(expected).toContain('group:ops/sre childOf group:default/platform-team');
    expect(expected).toContain('group:default/platform-team parentOf group:ops/sre');
    expect(expected).toContain('user:ops/erin memberOf group:ops/sre');
    expect(expected).toContain('component:default/cart dependsOn resource:default/cart-cache');
    expect(expected).toContain('component:default/frontend consumesApi api:default/payments-api');
    expect(expected).toContain('api:default/payments-api apiProvidedBy component:default/payments');
  });

  it('on the broken files: an entity with a malformed or untyped ref emits nothing, an invalid one is not there', async () => {
    const result = await importCatalog(invalid);
    expect(relationStrings(result)).toEqual(await oracleRelations(rawEntities(invalid)));
    expect(relationStrings(result).some((r) => r.startsWith('component:default/invoices '))).toBe(false);
  });

  it('parses refs as parseEntityRef does, defaults and failures alike', () => {
    const refs = ['checkout', 'component:checkout', 'Component:ops/checkout', 'ops/checkout', 'ops/a:b', 'a:b:c', 'group:', ':x', 'x/', '/x', 'user:default/Alice', 'api:payments/v2-api'];
    const contexts = [{ defaultKind: 'Group', defaultNamespace: 'default' }, { defaultNamespace: 'ops' }, { defaultKind: 'API', defaultNamespace: 'payments' }];
    for (const text of refs) {
      for (const context of contexts) {
        let theirs: string | undefined;
        try {
          theirs = backstageStringifyEntityRef(backstageParseEntityRef(text, context));
        } catch {
          theirs = undefined;
        }
        const ours = parseEntityRef(text, context);
        expect(ours.ok ? stringifyEntityRef(ours.ref) : undefined, `${text} with ${JSON.stringify(context)}`).toBe(theirs);
      }
    }
  });
});

describe('Backstage catalog: mapping to prodeng documents', () => {
  let result: CatalogImport;
  beforeAll(async () => {
    result = await importCatalog(corpus);
  });

  it('imports cleanly: 5 teams, 5 users, 11 services', () => {
    expect(result.errors.map(formatConfigError)).toEqual([]);
    const count = (kind: string) => result.docs.filter((d) => d.kind === kind).length;
    expect([count('Team'), count('User'), count('Service')]).toEqual([5, 5, 11]);
  });

  it('Groups become Teams with members from either side; Users keep email, name and time zone', () => {
    expect(find(result, 'Team', 'storefront-team')).toEqual({ description: "The shop's web front and what it shows", members: [{ user: 'alice' }, { user: 'bob' }] });
    expect(find(result, 'Team', 'platform-team')).toEqual({ description: 'Identity and the shared platform', members: [{ user: 'dave' }, { user: 'erin' }] });
    expect(find(result, 'Team', 'sre')).toEqual({ description: 'Site reliability', members: [{ user: 'erin' }] });
    expect(find(result, 'User', 'dave')).toEqual({ displayName: 'Dave Dunn', email: 'dave@acme.example', timeZone: 'Europe/Berlin' });
    expect(find(result, 'User', 'carol')).toEqual({ email: 'carol@acme.example' });
  });

  it('Components become Services: owner, system, lifecycle, phase, repository, links, and dependencies (direct, by dependencyOf, through APIs)', () => {
    expect(find(result, 'Service', 'frontend')).toEqual({
      owner: 'storefront-team',
      description: "The shop's web front end",
      system: 'storefront',
      lifecycle: 'production',
      phase: 'scale',
      repository: 'https://github.com/acme/shop',
      links: [{ url: 'https://grafana.acme.example/d/frontend', title: 'Dashboard', type: 'dashboard' }, { url: 'https://runbooks.acme.example/frontend' }],
      annotations: { 'backstage.io/source-location': 'url:https://github.com/acme/shop/tree/main/frontend/', 'backstage.io/techdocs-ref': 'dir:.', 'prodeng.dev/backstage-type': 'website' },
      dependsOn: [
        { service: 'recommendation', required: false },
        { service: 'catalog', required: true },
        { service: 'cart', required: true },
        { service: 'payments', required: true },
        { service: 'auth', required: true },
      ],
    });
    expect(find(result, 'Service', 'catalog')).toMatchObject({ repository: 'https://github.com/acme/catalog', dependsOn: [{ service: 'catalog-db', required: true }] });
    expect(find(result, 'Service', 'catalog')!.annotations).toBeUndefined();
    expect(find(result, 'Service', 'cart')!.dependsOn).toEqual([{ service: 'cart-cache', required: true }]);
    expect(find(result, 'Service', 'catalog-db')).toEqual({
      owner: 'storefront-team',
      description: 'PostgreSQL for the catalog',
      system: 'storefront',
      annotations: { 'prodeng.dev/backstage-kind': 'Resource', 'prodeng.dev/backstage-type': 'database' },
    });
    expect(find(result, 'Service', 'status-page')).toMatchObject({ owner: 'sre', dependsOn: [{ service: 'auth', required: true }] });
    expect(result.docs.find((d) => d.name === 'fraud-check')!.metadata.labels).toEqual({ tier: '2' });
  });

  it('a User owner becomes their team, with a warning', () => {
    expect(find(result, 'Service', 'recommendation')!.owner).toBe('storefront-team');
    expect(result.warnings.map(formatConfigError)).toContainEqual(expect.stringMatching(/storefront[/\\]catalog-info\.yaml:\d+:\d+: spec\.owner: owner user:default\/alice is a User; the Service is owned by their team "storefront-team"/));
  });

  it('never copies a PagerDuty integration key: the Service names an environment variable, and a warning says which', () => {
    expect(find(result, 'Service', 'payments')).toMatchObject({
      integrationKeys: [{ name: 'pagerduty', env: 'PAGERDUTY_INTEGRATION_KEY_PAYMENTS' }],
      annotations: { 'pagerduty.com/service-id': 'PXYZ123' },
      repository: 'https://gitlab.acme.example/payments/payments-service',
    });
    const secret = '0123456789abcdef0123456789abcdef';
    expect(yamlDocuments(result.docs.map(asPlainDocument))).not.toContain(secret);
    expect(JSON.stringify(result.warnings)).not.toContain(secret);
    expect(result.warnings.map(formatConfigError)).toContainEqual(expect.stringMatching(/metadata\.annotations\.pagerduty\.com\/integration-key: .*environment variable PAGERDUTY_INTEGRATION_KEY_PAYMENTS/));
  });
});

describe('Backstage catalog: errors name file:line and the field', () => {
  it('reports each mistake where it is', async () => {
    const result = await importCatalog(invalid);
    expect(result.ok).toBe(false);
    const file = join(invalid, 'catalog-info.yaml');
    const lines = readFileSync(file, 'utf8').split('\n');
    const lineOf = (text: string, after = 0) => lines.findIndex((l, i) => i >= after && l.includes(text)) + 1;
    const errors = result.errors.map(formatConfigError);
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${lineOf('name: Billing')}:\\d+: metadata\\.name: "Billing" is not a valid prodeng name.*"billing"`)));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${lineOf('dependsOn: [billing-db]')}:\\d+: spec\\.dependsOn\\[0\\]: entity reference "billing-db" needs a kind here`)));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${lineOf('consumesApis: ["api:"]')}:\\d+: spec\\.consumesApis\\[0\\]: entity reference "api:" is not of the form`)));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${lineOf('name: ledger') + 2}:\\d+: spec\\.lifecycle: is required`)));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${lineOf('owner: group:accounting')}:\\d+: spec\\.owner: owner group:default/accounting is not in the catalog`)));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${lineOf('email: not-an-email')}:\\d+: spec\\.profile\\.email: must be an email address`)));
    const warnings = result.warnings.map(formatConfigError);
    expect(warnings).toContainEqual(expect.stringMatching(new RegExp(`^${escape(file)}:${lineOf('members: [zoe, nobody]')}:\\d+: spec\\.members\\[1\\]: member user:default/nobody is not in the catalog`)));
    expect(warnings).toContainEqual(expect.stringMatching(/spec\.target: url target https:\/\/catalog\.example\.com\/catalog-info\.yaml is not fetched here/));
  });
});

describe('Backstage catalog in the config directory', () => {
  it('the corpus loads as config (its Location followed to the other files) with the same documents import makes', async () => {
    const loaded = await loadConfigDir(corpus);
    expect(loaded.errors.map(formatConfigError)).toEqual([]);
    const imported = await importCatalog(corpus);
    const fromConfig = ['Team', 'User', 'Service'].flatMap((kind) => [...loaded.config.byKind(kind).values()]).sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
    const fromImport = [...imported.docs].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
    expect(plain(fromConfig)).toEqual(plain(fromImport));
  });

  it('mixes with prodeng documents, and a clash or a bad name is an error at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-backstage-config-'));
    writeFileSync(
      join(dir, 'catalog-info.yaml'),
      [
        'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: { name: shop }\nspec: { type: team, children: [] }',
        'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: cart }\nspec: { type: service, lifecycle: production, owner: shop }',
        'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: Cart_Service }\nspec: { type: service, lifecycle: production, owner: shop }',
      ].join('\n---\n'),
    );
    writeFileSync(
      join(dir, 'services.yaml'),
      'apiVersion: prodeng/v1\nkind: Service\nmetadata: { name: checkout }\nspec:\n  owner: shop\n  dependsOn: [{ service: cart, required: true }]\n---\napiVersion: prodeng/v1\nkind: Team\nmetadata: { name: shop }\nspec: {}\n',
    );
    const loaded = await loadConfigDir(dir);
    const errors = loaded.errors.map(formatConfigError);
    expect(errors).toContainEqual(`${join(dir, 'catalog-info.yaml')}:13:19: metadata.name: "Cart_Service" is not a valid prodeng name: it must be lowercase letters, digits, ".", "_" or "-", start and end with a letter or digit, and be at most 63 characters (rename the entity, e.g. "cart_service")`);
    expect(errors).toContainEqual(expect.stringMatching(/catalog-info\.yaml:3:19: metadata\.name: Team "shop" is already defined at .*services\.yaml:8/));
    expect(errors).toHaveLength(2);
    expect(loaded.config.services.get('cart')?.spec).toMatchObject({ owner: 'shop', lifecycle: 'production' });
    expect(loaded.config.services.get('checkout')).toBeDefined();
  });
});

describe('Backstage catalog over HTTP', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = join(corpus, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      if (!relative(corpus, path).startsWith('..') && extname(path).match(/\.ya?ml$/)) {
        try {
          const body = readFileSync(path);
          res.writeHead(200, { 'content-type': 'application/yaml' }).end(body);
          return;
        } catch {
          // fall through to 404
        }
      }
      res.writeHead(404).end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('imports one URL and the URLs its Locations name, relative to it: the same documents as from the directory', async () => {
    const overHttp = await importCatalog(`${base}/catalog-info.yaml`);
    expect(overHttp.errors.map(formatConfigError)).toEqual([]);
    const fromDir = await importCatalog(corpus);
    expect(plain(overHttp.docs)).toEqual(plain(fromDir.docs));
    expect(relationStrings(overHttp)).toEqual(relationStrings(fromDir));
    expect(overHttp.entities.some((e) => e.source.file === `${base}/systems/payments/resources.yaml`)).toBe(true);
  });

  it('prodeng catalog import URL prints the documents', async () => {
    const printed: string[] = [];
    const write = process.stdout.write;
    const stderr = captureStderr();
    process.stdout.write = ((chunk: string) => (printed.push(chunk), true)) as typeof process.stdout.write;
    try {
      await catalogCommand().parseAsync(['import', `${base}/catalog-info.yaml`], { from: 'user' });
    } finally {
      process.stdout.write = write;
      stderr.restore();
    }
    const docs = parseAllDocuments(printed.join('')).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } });
    expect(docs).toHaveLength(21);
    expect(docs.every((d) => d.apiVersion === 'prodeng/v1')).toBe(true);
    expect(docs.find((d) => d.metadata.name === 'frontend')).toMatchObject({ kind: 'Service', spec: { owner: 'storefront-team' } });
  });

  it('a URL that is not there is an error naming it', async () => {
    const result = await importCatalog(`${base}/nope/catalog-info.yaml`);
    expect(result.ok).toBe(false);
    expect(result.errors.map(formatConfigError)).toEqual([`${base}/nope/catalog-info.yaml:1:1: cannot read: HTTP 404 Not Found`]);
  });
});

describe('Backstage catalog: export', () => {
  it('export then import gives the same prodeng documents, and what it writes is valid Backstage', async () => {
    const first = await importCatalog(corpus);
    expect(first.ok).toBe(true);
    const configDir = mkdtempSync(join(tmpdir(), 'prodeng-backstage-export-'));
    writeFileSync(join(configDir, 'catalog.yaml'), yamlDocuments(first.docs.map(asPlainDocument)));
    const loaded = await loadConfigDir(configDir);
    expect(loaded.errors.map(formatConfigError)).toEqual([]);

    const exported = exportCatalog(loaded.config);
    for (const e of exported) expect(await isValidBackstageEntity(e as unknown as Entity), `${String(e.kind)} ${(e.metadata as { name: string }).name}`).toBe(true);
    expect(exported.find((e) => (e.metadata as { name: string }).name === 'frontend')).toMatchObject({
      kind: 'Component',
      spec: { type: 'website', lifecycle: 'production', owner: 'group:storefront-team', system: 'storefront', dependsOn: ['component:recommendation', 'component:catalog', 'component:cart', 'component:payments', 'component:auth'] },
    });
    expect(exported.find((e) => (e.metadata as { name: string }).name === 'catalog-db')).toMatchObject({ kind: 'Resource', spec: { type: 'database', owner: 'group:storefront-team' } });

    const catalogDir = mkdtempSync(join(tmpdir(), 'prodeng-backstage-reimport-'));
    writeFileSync(join(catalogDir, 'catalog-info.yaml'), yamlDocuments(exported));
    const again = await importCatalog(catalogDir);
    expect(again.errors.map(formatConfigError)).toEqual([]);
    expect(plain(again.docs)).toEqual(plain(first.docs));
  });
});

describe('prodeng catalog import | export', () => {
  it('import --out writes teams, users and services that check-config accepts; export --out writes a catalog that imports the same', async () => {
    const out = mkdtempSync(join(tmpdir(), 'prodeng-catalog-cli-'));
    const stderr = captureStderr();
    try {
      await catalogCommand().parseAsync(['import', corpus, '--out', out], { from: 'user' });
    } finally {
      stderr.restore();
    }
    expect(process.exitCode ?? 0).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['services.yaml', 'teams.yaml', 'users.yaml']);
    expect(stderr.text()).toContain('wrote 5 teams');
    const loaded = await loadConfigDir(out);
    expect(loaded.errors.map(formatConfigError)).toEqual([]);
    expect(loaded.config.services.size).toBe(11);

    const exportFile = join(mkdtempSync(join(tmpdir(), 'prodeng-catalog-cli-export-')), 'catalog-info.yaml');
    await catalogCommand().parseAsync(['export', '--config', out, '--out', exportFile], { from: 'user' });
    const reimported = await importCatalog(exportFile);
    expect(reimported.errors).toEqual([]);
    expect(plain(reimported.docs)).toEqual(plain((await importCatalog(corpus)).docs));
  });

  it('import of a broken catalog writes nothing and exits 1', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'prodeng-catalog-cli-bad-')), 'out');
    const stderr = captureStderr();
    try {
      await catalogCommand().parseAsync(['import', invalid, '--out', out], { from: 'user' });
    } finally {
      stderr.restore();
    }
    expect(process.exitCode).toBe(1);
    process.exitCode = 0;
    expect(stderr.text()).toMatch(/\d+ errors in .*; nothing written/);
    expect(() => readdirSync(out)).toThrow();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function captureStderr() {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  return { text: () => lines.join('\n'), restore: () => void (console.error = original) };
}
