import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendProblem } from './problems.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'public' routes need no token; 'routing-key' routes authenticate by their body */
    auth?: 'public' | 'routing-key';
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header);
  return m ? (m[1] as string).trim() : null;
}

/** With API tokens configured, every route but public and routing-key ones needs one. */
export function installTokenAuth(app: FastifyInstance, tokens: string[]): void {
  if (tokens.length === 0) return;
  const known = tokens.map(digest);
  app.addHook('onRequest', async (request, reply) => {
    const mode = request.routeOptions.config?.auth;
    if (mode === 'public' || mode === 'routing-key') return;
    // The console's own files are public; everything it reads comes from /api with the token.
    if (!request.url.startsWith('/api/') && !request.url.startsWith('/v2/') && request.method === 'GET') return;
    const token = bearerToken(request);
    // Compare digests so neither timing nor length reveals a token.
    const ok = token !== null && known.some((k) => timingSafeEqual(k, digest(token)));
    if (!ok) {
      reply.header('www-authenticate', 'Bearer realm="prodeng"');
      return sendProblem(reply, 401, 'unauthorized', token === null ? 'send an API token as "Authorization: Bearer TOKEN"' : 'the API token is not valid');
    }
  });
}
