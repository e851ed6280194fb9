import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { badRequestBody, FaultProxyError } from './errors.js';
import { FaultProxy, PopulateError } from './faultProxy.js';

/** The Toxiproxy release whose API this one answers (reported by GET /version). */
export const TOXIPROXY_API_VERSION = '2.12.0';

export interface ToxiproxyRoutesOptions {
  prefix?: string;
  /**
   * Toxiproxy refuses requests whose User-Agent starts with `Mozilla/` (403),
   * so a web page cannot drive the proxy through a user's browser. Kept by default.
   */
  allowBrowsers?: boolean;
}

type Params = { proxy: string; toxic: string };

/** The body as JSON, with Go's wording for a missing one, as Toxiproxy answers. */
function json(body: unknown): unknown {
  if (body === undefined || body === null || body === '') throw badRequestBody('EOF');
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw badRequestBody((err as Error).message);
  }
}

function sendError(reply: FastifyReply, err: unknown, extra?: Record<string, unknown>): FastifyReply {
  const e = err instanceof FaultProxyError ? err : toFaultProxyError(err);
  return reply.code(e.status).type('application/json').send({ ...e.toJSON(), ...extra });
}

function toFaultProxyError(err: unknown): FaultProxyError {
  const status = (err as { statusCode?: number }).statusCode;
  return new FaultProxyError((err as Error)?.message ?? String(err), status && status >= 400 && status < 600 ? status : 500);
}

/**
 * Toxiproxy v2's HTTP API over `proxy`: the same routes, JSON shapes, status
 * codes and `{"error": …, "status": …}` bodies, so its clients and CLI work
 * unchanged. Updates answer POST (as Toxiproxy documents) and PATCH.
 */
export function registerToxiproxyRoutes(app: FastifyInstance, proxy: FaultProxy, opts: ToxiproxyRoutesOptions = {}): void {
  void app.register(
    async (api) => {
      // Toxiproxy reads every body as JSON whatever its content type, and words the errors itself.
      api.removeAllContentTypeParsers();
      api.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      api.setErrorHandler((err, _req, reply) => sendError(reply, err));
      if (!opts.allowBrowsers) {
        api.addHook('onRequest', async (req, reply) => {
          if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) return reply.code(403).type('text/plain; charset=utf-8').send('User agent not allowed\n');
        });
      }

      api.get('/proxies', async () => Object.fromEntries(proxy.listProxies().map((p) => [p.name, p])));
      api.post('/proxies', async (req, reply) => reply.code(201).send(await proxy.createProxy(json(req.body) as never)));
      api.post('/populate', async (req, reply) => {
        try {
          return reply.code(201).send({ proxies: await proxy.populate(json(req.body)) });
        } catch (err) {
          return sendError(reply, err, { proxies: err instanceof PopulateError ? err.proxies : [] });
        }
      });
      api.get<{ Params: Params }>('/proxies/:proxy', async (req) => proxy.getProxy(req.params.proxy));
      api.route<{ Params: Params }>({
        method: ['POST', 'PATCH'],
        url: '/proxies/:proxy',
        handler: async (req) => {
          proxy.getProxy(req.params.proxy); // 404 before 400, as Toxiproxy
          return proxy.updateProxy(req.params.proxy, json(req.body) as never);
        },
      });
      api.delete<{ Params: Params }>('/proxies/:proxy', async (req, reply) => {
        await proxy.deleteProxy(req.params.proxy);
        return reply.code(204).send();
      });
      api.get<{ Params: Params }>('/proxies/:proxy/toxics', async (req) => proxy.listToxics(req.params.proxy));
      api.post<{ Params: Params }>('/proxies/:proxy/toxics', async (req) => {
        proxy.getProxy(req.params.proxy);
        return proxy.addToxic(req.params.proxy, json(req.body) as never);
      });
      api.get<{ Params: Params }>('/proxies/:proxy/toxics/:toxic', async (req) => proxy.getToxic(req.params.proxy, req.params.toxic));
      api.route<{ Params: Params }>({
        method: ['POST', 'PATCH'],
        url: '/proxies/:proxy/toxics/:toxic',
        handler: async (req) => {
          proxy.getToxic(req.params.proxy, req.params.toxic);
          return proxy.updateToxic(req.params.proxy, req.params.toxic, json(req.body) as never);
        },
      });
      api.delete<{ Params: Params }>('/proxies/:proxy/toxics/:toxic', async (req, reply) => {
        proxy.removeToxic(req.params.proxy, req.params.toxic);
        return reply.code(204).send();
      });
      api.post('/reset', async (_req, reply) => {
        await proxy.reset();
        return reply.code(204).send();
      });
      api.get('/version', async (_req, reply) => reply.type('application/json;charset=utf-8').send(`${JSON.stringify({ version: TOXIPROXY_API_VERSION })}\n`));
    },
    { prefix: opts.prefix ?? '' },
  );
}

export interface ToxiproxyServer {
  /** e.g. http://127.0.0.1:8474 */
  url: string;
  proxy: FaultProxy;
  app: FastifyInstance;
  /** Stops the API; also stops the proxies when the server created its own FaultProxy. */
  close(): Promise<void>;
}

/**
 * The Toxiproxy API on its own Fastify instance, on loopback by default and
 * Toxiproxy's port 8474 unless told (0 picks a free port).
 */
export async function startToxiproxyServer(opts: { host?: string; port?: number; proxy?: FaultProxy; allowBrowsers?: boolean } = {}): Promise<ToxiproxyServer> {
  const proxy = opts.proxy ?? new FaultProxy();
  const app = Fastify({ logger: false });
  registerToxiproxyRoutes(app, proxy, { allowBrowsers: opts.allowBrowsers });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 8474 });
  const address = app.server.address();
  const port = address && typeof address === 'object' ? address.port : opts.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    proxy,
    app,
    close: async () => {
      await app.close();
      if (!opts.proxy) await proxy.close();
    },
  };
}
