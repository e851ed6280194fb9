import type { FastifyRequest } from 'fastify';
import { localPrincipal } from './credentials.js';

/**
 * Who acts, for the record, from the credential: the User a token or signed
 * link acts as; a service token's own name, with a typed name kept beside it
 * as a label; and without tokens (one operator on loopback, no credential to
 * read) the name typed, or "local".
 */
export function actorOf(request: FastifyRequest, typed: string | undefined): string {
  const p = request.principal ?? localPrincipal;
  if (p.user !== null) return p.user;
  if (p.via === 'local') return typed ?? p.name;
  return typed && typed !== p.name ? `${p.name} (for ${typed})` : p.name;
}
