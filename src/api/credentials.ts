import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiTokenRole, ApiTokenSpec } from '../config/kinds.js';
import type { ConfigDoc } from '../config/index.js';

/**
 * What a route needs. `public` needs nothing (health, the console's files,
 * signed links); `routing-key` authenticates by its body (PagerDuty Events v2).
 */
export type RouteAccess = 'public' | 'routing-key' | 'read' | 'intake' | 'respond' | 'admin';

/** Who is calling, decided from the credential alone. */
export interface Principal {
  /** the token's name, the link's user, or "local" without tokens */
  name: string;
  role: ApiTokenRole;
  /** the User this credential acts as; null for service tokens and token-less local use */
  user: string | null;
  via: 'token' | 'link' | 'local';
}

/** A configured API token. */
export interface Credential {
  name: string;
  role: ApiTokenRole;
  user: string | null;
  secret: string;
}

const grants: Record<ApiTokenRole, ReadonlySet<RouteAccess>> = {
  'read-only': new Set(['read']),
  // Prometheus, Alertmanager, heartbeating jobs: they send, they read nothing.
  intake: new Set(['intake']),
  responder: new Set(['read', 'intake', 'respond']),
  admin: new Set(['read', 'intake', 'respond', 'admin']),
};

export function roleAllows(role: ApiTokenRole, access: RouteAccess): boolean {
  return access === 'public' || access === 'routing-key' || grants[role].has(access);
}

/** The least role a route's access needs, for a message a person can act on. */
export function roleFor(access: RouteAccess): ApiTokenRole {
  return access === 'read' ? 'read-only' : access === 'intake' ? 'intake' : access === 'respond' ? 'responder' : 'admin';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class CredentialError extends Error {
  readonly code = 'config_invalid';
}

/**
 * Every token the server accepts: PRODENG_API_TOKENS (admin tokens, named
 * api-token-1, -2, …) and the config's ApiToken documents, whose secrets come
 * from the environment. A missing variable or a token used twice is an error:
 * starting with a credential silently off would lock someone out, or in.
 */
export function credentialsFrom(adminTokens: string[], docs: Iterable<ConfigDoc<ApiTokenSpec>>, env: NodeJS.ProcessEnv): Credential[] {
  const list: Credential[] = adminTokens.map((secret, i) => ({ name: `api-token-${i + 1}`, role: 'admin', user: null, secret }));
  for (const doc of docs) {
    const secret = env[doc.spec.tokenEnv];
    if (!secret) throw new CredentialError(`ApiToken ${doc.name} (${doc.source.file}:${doc.source.line}): environment variable ${doc.spec.tokenEnv} is not set`);
    list.push({ name: doc.name, role: doc.spec.role, user: doc.spec.user ?? null, secret });
  }
  const seen = new Map<string, string>();
  for (const c of list) {
    const key = digest(c.secret).toString('hex');
    const other = seen.get(key);
    if (other) throw new CredentialError(`API tokens ${other} and ${c.name} have the same value; give each its own`);
    seen.set(key, c.name);
  }
  return list;
}

/** Finds the credential a bearer token belongs to, comparing digests so neither timing nor length reveals a token. */
export function credentialMatcher(credentials: Credential[]): (token: string) => Principal | null {
  const known = credentials.map((c) => ({ hash: digest(c.secret), principal: { name: c.name, role: c.role, user: c.user, via: 'token' as const } }));
  return (token) => {
    const given = digest(token);
    let found: Principal | null = null;
    // Look at every entry, so the time taken does not say which one matched.
    for (const k of known) if (timingSafeEqual(k.hash, given)) found = k.principal;
    return found;
  };
}

/** Token-less use: one operator on loopback (the server refuses other addresses without tokens). */
export const localPrincipal: Principal = { name: 'local', role: 'admin', user: null, via: 'local' };
