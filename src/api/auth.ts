import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { credentialMatcher, localPrincipal, roleAllows, roleFor, type Credential, type Principal, type RouteAccess } from './credentials.js';
import { sendProblem } from './problems.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** what the route needs; without it GET and HEAD need `read`, everything else `admin` (see credentials.ts) */
    access?: RouteAccess;
    /** the body is a batch whose items are checked one by one (NUL, depth), so a bad item does not refuse the rest */
    perItemBody?: boolean;
  }
  interface FastifyRequest {
    /** who is calling, from the credential; null on public routes called without one */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** every route as registered, with the access it ended up with: the inventory the security tests walk */
    routeInventory(): RouteEntry[];
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

export interface AuthOptions {
  credentials: Credential[];
  /** PRODENG_PUBLIC_URL: the one non-loopback name a token-less server answers to, and an allowed Origin */
  publicUrl: string | null;
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? (m[1] as string) : null;
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a route gets when it does not say: reading needs `read`, changing needs `admin`. */
export function defaultAccess(method: string): RouteAccess {
  return safeMethods.has(method) ? 'read' : 'admin';
}

/** `localhost`, `*.localhost`, `127.x.x.x`, `[::1]`: names a browser only ever resolves to this machine. */
export function isLoopbackName(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The host name of a Host header, without its port. */
export function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) {
    const end = hostHeader.indexOf(']');
    return end < 0 ? hostHeader : hostHeader.slice(0, end + 1);
  }
  const colon = hostHeader.indexOf(':');
  return colon < 0 ? hostHeader : hostHeader.slice(0, colon);
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * Authorisation on the route that will run. Fastify has already matched the
 * route when `onRequest` runs, on the decoded path, so `/%61pi/v1/alerts` is
 * judged as the alerts route it reaches, and a path no route matches is
 * refused without a token before it is answered 404.
 */
export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  const tokensOn = opts.credentials.length > 0;
  const match = credentialMatcher(opts.credentials);
  const publicHost = opts.publicUrl ? safeHostname(opts.publicUrl) : null;
  const publicOrigin = opts.publicUrl ? originOf(opts.publicUrl) : null;

  // The route objects themselves: a plugin's own onRoute hook (the console's) may set access after this one.
  const routes: Array<{ method: string; url: string; options: { config?: { access?: RouteAccess } } }> = [];
  app.decorate('routeInventory', () => routes.map((r) => ({ method: r.method, url: r.url, access: r.options.config?.access ?? defaultAccess(r.method) })));
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url: route.url ?? route.path, options: route });
    // A route serving several methods needs the most any of them would.
    if (!route.config?.access) route.config = { ...(route.config ?? {}), access: methods.some((m) => defaultAccess(m) === 'admin') ? 'admin' : 'read' };
  });

  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host;
    // DNS rebinding: a page on attacker.example that resolves to 127.0.0.1 sends
    // Host: attacker.example. Without tokens nothing else stops it.
    if (!tokensOn && host !== undefined) {
      const name = hostnameOf(host);
      if (!isLoopbackName(name) && name.toLowerCase() !== publicHost) {
        return sendProblem(reply, 403, 'host_not_allowed', `this server answers to loopback names only (and PRODENG_PUBLIC_URL's host); "${name}" is neither`);
      }
    }
    if (!safeMethods.has(request.method) && !sameOrigin(request, publicOrigin)) {
      return sendProblem(reply, 403, 'cross_origin', 'a change from another web origin is refused; use the console served by this server, the CLI or the API without a browser');
    }

    const token = bearerToken(request);
    const principal = tokensOn ? (token === null ? null : match(token)) : localPrincipal;
    request.principal = principal;
    if (request.is404) {
      if (tokensOn && principal === null) return refuseUnauthenticated(reply, token);
      return;
    }
    const access = request.routeOptions.config?.access ?? defaultAccess(request.method);
    if (access === 'public' || access === 'routing-key') return;
    if (principal === null) return refuseUnauthenticated(reply, token);
    if (!roleAllows(principal.role, access)) {
      return sendProblem(reply, 403, 'insufficient_role', `token ${principal.name} has role ${principal.role}; ${request.method} ${request.routeOptions.url} needs ${roleFor(access)}${access === 'intake' ? ', responder' : ''} or admin`);
    }
  });
}

function safeHostname(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * A browser names the page that sent a request in Origin (and says how it
 * relates in Sec-Fetch-Site); other clients send neither. Only the server's
 * own origin, as the browser addressed it, or the public URL's may change things.
 */
function sameOrigin(request: FastifyRequest, publicOrigin: string | null): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  if (publicOrigin !== null && origin === publicOrigin) return true;
  const host = request.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

function refuseUnauthenticated(reply: FastifyReply, token: string | null) {
  reply.header('www-authenticate', 'Bearer realm="prodeng"');
  return sendProblem(reply, 401, 'unauthorized', token === null ? 'send an API token as "Authorization: Bearer TOKEN"' : 'the API token is not valid');
}
