import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../packageRoot.js';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** dist/web, built by Vite. */
export function consoleDir(): string {
  return join(packageRoot(import.meta.url), 'dist', 'web');
}

/** The web console at /: static files, public (the console asks for a token itself when the API wants one). */
export function consoleRoutes(app: FastifyInstance): void {
  const dir = consoleDir();
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { config: { access: 'public' } }, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The web console is not built: run `npm run build`. The API is at /api/v1.\n'),
    );
    return;
  }
  // Fastify loads registered plugins before it listens. One route per built
  // file (no wildcard), each public: a path that is no file stays a 404.
  void app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), access: 'public' };
    });
    await scope.register(fastifyStatic, { root: dir, prefix: '/', index: ['index.html'], wildcard: false });
  });
}
