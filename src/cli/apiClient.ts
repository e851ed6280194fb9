/** The CLI's HTTP client: one place that knows the server's URL, token and error shape. */
export interface ApiClientOptions {
  url: string;
  token?: string | undefined;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function apiClient(opts: ApiClientOptions) {
  const base = opts.url.replace(/\/+$/, '');
  async function send(method: string, path: string, body?: unknown): Promise<string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let response: Response;
    try {
      response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new ApiError(0, `cannot reach prodeng at ${base} (${cause}); is it running? Set --url or PRODENG_URL`);
    }
    const text = await response.text();
    if (!response.ok) {
      // prodeng's error body names the problem; anything else (a proxy's page) is told by its status.
      let message = `HTTP ${response.status}`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON
      }
      throw new ApiError(response.status, `${method} ${path}: ${message}`);
    }
    return text;
  }
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await send(method, path, body);
    return (text ? JSON.parse(text) : {}) as T;
  }
  return {
    get: <T>(path: string) => call<T>('GET', path),
    /** a reply that is not JSON (a Markdown draft), with the same errors as get */
    getText: (path: string) => send('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
    put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
    delete: <T>(path: string) => call<T>('DELETE', path),
  };
}
