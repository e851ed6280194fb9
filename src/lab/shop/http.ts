/** The little HTTP toolkit the shop services share: routes, bodies, replies, input checks. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** An error that becomes an HTTP answer with this status and `{"error": message}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type JsonObject = Record<string, unknown>;

export interface ShopRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The body, parsed as JSON (must be an object) or as a URL-encoded form; {} when empty. */
  body(): Promise<JsonObject>;
}

export type ShopReply = ({ json: unknown } | { html: string }) & { status?: number; headers?: Record<string, string> };

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** A path template: literal segments and `:name` segments, e.g. `/cart/:user/items`. */
  path: string;
  handle(req: ShopRequest): Promise<ShopReply>;
}

const maxBodyBytes = 64 * 1024;

export function readBody(req: IncomingMessage): Promise<JsonObject> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new HttpError(413, `body: larger than ${maxBodyBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      const type = req.headers['content-type'] ?? '';
      // `curl -d '{...}'` labels JSON as a form, so a body that opens with { is JSON whatever its label.
      if (type.startsWith('application/x-www-form-urlencoded') && !text.trimStart().startsWith('{')) {
        return resolve(Object.fromEntries(new URLSearchParams(text)));
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return reject(new HttpError(400, 'body: not valid JSON (send JSON or a URL-encoded form)'));
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return reject(new HttpError(400, 'body: must be a JSON object'));
      resolve(parsed as JsonObject);
    });
  });
}

export function sendReply(res: ServerResponse, reply: ShopReply): void {
  const status = reply.status ?? 200;
  if ('html' in reply) {
    res.writeHead(status, { ...reply.headers, 'content-type': 'text/html; charset=utf-8' });
    res.end(reply.html);
  } else {
    res.writeHead(status, { ...reply.headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.json));
  }
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendReply(res, { status, json: { error: message } });
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { allowedMethods: string[] } | undefined;

/** Finds the route for a request; `allowedMethods` when only the method is wrong (405), undefined for 404. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const segments = path.split('/');
  const allowedMethods: string[] = [];
  for (const route of routes) {
    const params = matchTemplate(route.path.split('/'), segments);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowedMethods.push(route.method);
  }
  return allowedMethods.length > 0 ? { allowedMethods } : undefined;
}

function matchTemplate(template: string[], segments: string[]): Record<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of template.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      if (segment === '') return undefined;
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (part !== segment) return undefined;
  }
  return params;
}

/** Reads a required or optional string field, failing with a 400 that names it. */
export function stringField(body: JsonObject, field: string, pattern = /^[\w.@ -]{1,64}$/): string {
  const value = body[field];
  if (typeof value !== 'string' || !pattern.test(value)) throw new HttpError(400, `${field}: must be a string matching ${pattern}`);
  return value;
}

/** Reads a number field; form bodies carry numbers as strings, so numeric strings count. */
export function numberField(body: JsonObject, field: string, range: { min: number; max: number; integer?: boolean }): number {
  const raw = body[field];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max || (range.integer && !Number.isInteger(value))) {
    throw new HttpError(400, `${field}: must be ${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}`);
  }
  return value;
}

export const userIdPattern = /^[\w.-]{1,64}$/;
