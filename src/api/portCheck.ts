import { createServer } from 'node:net';

/**
 * Whether the address can be listened on, asked before anything is changed:
 * a second prodeng that fails on the port must fail before it touches the
 * store. (Another process may still take the port in the moment between;
 * then listening fails as before, later.)
 */
export function portAvailable(host: string, port: number): Promise<{ ok: true } | { ok: false; message: string }> {
  if (port === 0) return Promise.resolve({ ok: true });
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, message: err.code === 'EADDRINUSE' ? `${host}:${port} is already in use (is another prodeng running?)` : `cannot listen on ${host}:${port}: ${err.message}` }),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve({ ok: true })));
  });
}
