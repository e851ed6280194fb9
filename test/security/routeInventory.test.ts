import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/api/auth.js';
import { ManualClock } from '../../src/store/clock.js';
import { describeEachStore } from '../support/testDatabases.js';
import { rawRequest, type RawResponse } from '../support/rawHttp.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Every route Fastify registered, in every spelling of its path, with every
// kind of credential: each answer must be what the route's access allows.

const roles = ['read-only', 'intake', 'responder', 'admin'] as const;
const tokenDocs = roles
  .map((role) => `apiVersion: prodeng/v1\nkind: ApiToken\nmetadata: { name: inv-${role} }\nspec: { role: ${role}, tokenEnv: INV_TOKEN_${role.toUpperCase().replace('-', '_')} }\n`)
  .join('---\n');
const secretOf = (role: string) => `inventory-${role}-secret`;

const grants: Record<string, string[]> = {
  'read-only': ['read'],
  intake: ['intake'],
  responder: ['read', 'intake', 'respond'],
  admin: ['read', 'intake', 'respond', 'admin'],
};

type Credential = { label: string; header?: string; role?: (typeof roles)[number] };
const credentials: Credential[] = [
  { label: 'no token' },
  { label: 'a wrong token', header: 'Bearer not-a-token' },
  { label: 'a malformed header', header: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  ...roles.map((role) => ({ label: `a ${role} token`, header: `Bearer ${secretOf(role)}`, role })),
];

/** A concrete path for a route pattern: parameters get a value that names nothing, so a handler that runs changes nothing. */
function concretePath(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => (name === 'id' ? '999999' : `no-such-${name.toLowerCase()}`)).replace(/\*$/, 'x');
}

/** The path spelled in ways a check on the raw URL would read differently from the router. */
function spellings(path: string): string[] {
  const encodeFirst = (p: string) => p.replace(/\/([a-z])/, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`);
  const out = [path];
  if (/\/[a-z]/.test(path)) out.push(encodeFirst(path), encodeFirst(path).replace('%', '%25'));
  if (/[a-z]/.test(path)) out.push(path.toUpperCase());
  if (path !== '/') out.push(`${path}/`);
  return out;
}

/**
 * The route a path reaches, read off the inventory as the router reads it:
 * decoded once, case-sensitive, a parameter any run of characters but "/",
 * a fixed segment before a parameter.
 */
function routeReached(routes: RouteEntry[], method: string, rawPath: string): RouteEntry | null {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  const candidates = routes
    .filter((r) => r.method === method)
    .filter((r) => new RegExp(`^${r.url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`).test(path));
  candidates.sort((a, b) => (a.url.match(/:/g)?.length ?? 0) - (b.url.match(/:/g)?.length ?? 0));
  return candidates[0] ?? null;
}

function isAuthRefusal(method: string, reached: RouteEntry | null, res: RawResponse): 'unauthenticated' | 'insufficient_role' | null {
  if (res.status === 401 && String(res.headers['www-authenticate'] ?? '').startsWith('Bearer')) return 'unauthenticated';
  // A HEAD answer has no body to name the code in; under /api/v2/ the body is Alertmanager's bare string and the code is a header; a public route's own 403 (a bad signature) is no refusal by role.
  const byRole = method === 'HEAD' ? reached?.access !== 'public' : res.body.includes('"insufficient_role"') || res.headers['prodeng-error'] === 'insufficient_role';
  if (res.status === 403 && byRole) return 'insufficient_role';
  return null;
}

describeEachStore('security: the route inventory', (kind) => {
  let server: TestServer;
  let routes: RouteEntry[];
  beforeAll(async () => {
    for (const role of roles) process.env[`INV_TOKEN_${role.toUpperCase().replace('-', '_')}`] = secretOf(role);
    server = await startTestServer(kind, { clock: new ManualClock(Date.parse('2026-11-10T12:00:00Z')), configYaml: tokenDocs, apiTokens: ['inventory-env-admin'] });
    await server.app.ready();
    routes = server.app.routeInventory();
  });
  afterAll(async () => server?.stop());

  it('knows every route, and every route has an access level', () => {
    const paths = routes.map((r) => `${r.method} ${r.url}`);
    for (const expected of ['GET /api/v1/alerts', 'POST /api/v2/alerts', 'GET /api/v1/events', 'GET /api/v1/heartbeats/:name/ping', 'POST /v2/enqueue', 'GET /healthz', 'POST /api/v1/automation/pause', 'GET /api/v1/incidents/:id/ack-link', 'POST /api/v1/incidents/:id/ack-link', 'POST /api/v1/ci/reports', 'POST /api/v1/changes', 'GET /api/v1/changes', 'POST /v2/change/enqueue', 'POST /api/v1/judge', 'POST /api/v1/judge/argo', 'POST /api/v1/judge/flagger']) {
      expect(paths).toContain(expected);
    }
    expect(routes.length).toBeGreaterThan(60);
    // CI sends its JUnit reports as a sender does: the intake role, as Prometheus and heartbeats.
    expect(routes.find((r) => r.method === 'POST' && r.url === '/api/v1/ci/reports')?.access).toBe('intake');
    // Clusters (issue 19): reading them is read; turning one up or down, or moving a service, is admin.
    for (const [method, url, access] of [['GET', '/api/v1/clusters', 'read'], ['GET', '/api/v1/clusters/:name', 'read'], ['POST', '/api/v1/clusters/:name/up', 'admin'], ['POST', '/api/v1/clusters/:name/down', 'admin'], ['POST', '/api/v1/services/:service/migrate', 'admin']]) {
      expect(routes.find((r) => r.method === method && r.url === url)?.access, `${method} ${url}`).toBe(access);
    }
    // So does a pipeline recording its deploys; PagerDuty's change events carry their routing key instead.
    expect(routes.find((r) => r.method === 'POST' && r.url === '/api/v1/changes')?.access).toBe('intake');
    expect(routes.find((r) => r.method === 'POST' && r.url === '/v2/change/enqueue')?.access).toBe('routing-key');
    // The judge reads and changes nothing: reading is enough. Flagger's webhooks send no headers, so its route checks a token in the body.
    expect(routes.find((r) => r.method === 'POST' && r.url === '/api/v1/judge')?.access).toBe('read');
    expect(routes.find((r) => r.method === 'POST' && r.url === '/api/v1/judge/argo')?.access).toBe('read');
    expect(routes.find((r) => r.method === 'POST' && r.url === '/api/v1/judge/flagger')?.access).toBe('routing-key');
    const publicOnes = routes.filter((r) => r.access === 'public' && r.url.startsWith('/api/')).map((r) => `${r.method} ${r.url}`);
    // What is open without a token, and why (README, Security): health for probes, the API index,
    // who-am-I (answers 401 itself without a token), and the signed links and feeds.
    expect(publicOnes.sort()).toEqual(
      [
        'GET /api/v1',
        'HEAD /api/v1',
        'GET /api/v1/whoami',
        'HEAD /api/v1/whoami',
        'GET /api/v1/incidents/:id/ack-link',
        'HEAD /api/v1/incidents/:id/ack-link',
        'POST /api/v1/incidents/:id/ack-link',
        'GET /api/v1/schedules/:name/calendar.ics',
        'HEAD /api/v1/schedules/:name/calendar.ics',
        'GET /api/v1/users/:name/calendar.ics',
        'HEAD /api/v1/users/:name/calendar.ics',
      ].sort(),
    );
  });

  it('answers every spelling of every route as its access says, for every credential', { timeout: 120_000 }, async () => {
    const wrong: string[] = [];
    let asked = 0;
    for (const route of routes) {
      for (const path of spellings(concretePath(route.url))) {
        const reached = routeReached(routes, route.method, path);
        for (const cred of credentials) {
          const hasBody = route.method === 'POST' || route.method === 'PUT';
          const res = await rawRequest(server.url, {
            method: route.method,
            path,
            headers: { ...(cred.header ? { authorization: cred.header } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
            // An empty object: every change needs more, so a handler that runs refuses it.
            ...(hasBody ? { body: '{}' } : {}),
          });
          asked++;
          const valid = cred.role !== undefined;
          let expected: string;
          if (reached === null) expected = valid ? 'not found' : 'unauthenticated';
          else if (reached.access === 'public' || reached.access === 'routing-key') expected = 'let through';
          else if (!valid) expected = 'unauthenticated';
          else expected = grants[cred.role!]!.includes(reached.access) ? 'let through' : 'insufficient_role';
          const refusal = isAuthRefusal(route.method, reached, res);
          const got = reached === null && valid ? (res.status === 404 ? 'not found' : `status ${res.status}`) : (refusal ?? 'let through');
          // Whatever is let through must not fail inside: a 5xx is a finding too.
          if (got !== expected || res.status >= 500) wrong.push(`${route.method} ${path} (reaches ${reached?.url ?? 'no route'}) with ${cred.label}: expected ${expected}, got ${got} (${res.status})`);
        }
      }
    }
    expect(asked).toBeGreaterThan(1500);
    expect(wrong).toEqual([]);
  });
});
