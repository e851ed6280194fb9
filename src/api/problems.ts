import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

export interface FieldProblem {
  field: string;
  message: string;
}

/** `[3].labels.alertname`, `matchers[0].value`: the path a person can find in what they sent. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(body)';
}

export function zodProblems(error: z.ZodError, limit = 20): FieldProblem[] {
  return error.issues.slice(0, limit).map((issue) => {
    // An unknown or badly named key is reported at the key itself.
    const keys = (issue as { keys?: string[] }).keys;
    const path = keys?.length ? [...issue.path, keys[0] as string] : issue.path;
    if (issue.code === 'invalid_key') {
      return { field: fieldPath(issue.path), message: `invalid name: ${issue.issues?.[0]?.message ?? issue.message}` };
    }
    return { field: fieldPath(path), message: issue.message };
  });
}

/** Alertmanager's API v2, where clients (amtool, Grafana) decode an error body as a JSON string. */
export function isAlertmanagerApi(url: string): boolean {
  return url.startsWith('/api/v2/');
}

/**
 * prodeng's own error body: a code a program can test and a message a
 * person can act on. Under /api/v2/ the message alone, as a JSON string,
 * the shape Alertmanager's spec gives its errors; the code goes in the
 * `prodeng-error` header there, so a program can still tell refusals apart.
 */
export function sendProblem(reply: FastifyReply, status: number, code: string, message: string, fields?: FieldProblem[]) {
  if (isAlertmanagerApi(reply.request.url)) return reply.code(status).header('prodeng-error', code).type('application/json').send(JSON.stringify(message));
  return reply.code(status).send({ error: { code, message, ...(fields ? { fields } : {}) } });
}

export function sendInvalid(reply: FastifyReply, error: z.ZodError) {
  const fields = zodProblems(error);
  const first = fields[0];
  const message = first ? `${first.field}: ${first.message}${fields.length > 1 ? ` (and ${error.issues.length - 1} more)` : ''}` : 'invalid request';
  return sendProblem(reply, 400, 'invalid_request', message, fields);
}

/** A positive integer id from a route parameter, or null after replying 400. */
export function idParam(reply: FastifyReply, raw: string): number | null {
  const id = Number(raw);
  // Past 2^53 a number no longer names one id (and overflows the store's column).
  if (/^\d+$/.test(raw) && Number.isSafeInteger(id) && id > 0) return id;
  void sendProblem(reply, 400, 'invalid_request', 'id: must be a positive integer', [{ field: 'id', message: 'must be a positive integer' }]);
  return null;
}
