/** The console's one way to the API: the session's token, and errors with the server's own message. */
const TOKEN_KEY = 'prodeng.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sessionToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setSessionToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

function authHeaders(accept: string): Record<string, string> {
  const headers: Record<string, string> = { accept };
  const token = sessionToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}

/** The server's own message from a problem reply ({"error":{"message"}}), else the status: a proxy's error page is not JSON. */
function problem(status: number, body: string): ApiError {
  let message = `HTTP ${status}`;
  try {
    message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // not a JSON problem; keep the status
  }
  return new ApiError(status, message);
}

/** A text document from the API (a postmortem draft, a digest), with the session's token: a plain link could not send it. */
export async function apiText(path: string, accept = 'text/plain'): Promise<string> {
  const res = await fetch(path, { headers: authHeaders(accept) });
  const text = await res.text();
  if (!res.ok) throw problem(res.status, text);
  return text;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers = authHeaders('application/json');
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  if (!res.ok) throw problem(res.status, text);
  return (text ? JSON.parse(text) : {}) as T;
}
