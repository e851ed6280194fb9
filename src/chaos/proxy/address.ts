import { z } from 'zod';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Reads `host:port` as Toxiproxy takes it (`127.0.0.1:0`, `localhost:6379`,
 * `[::1]:8080`). An empty host means loopback here: a rootless test proxy has
 * no business listening on every interface unless asked (`0.0.0.0:PORT`).
 */
export function parseHostPort(value: string, field: string): HostPort {
  const at = value.lastIndexOf(':');
  if (at < 0) throw new Error(`${field}: "${value}" is not host:port`);
  let host = value.slice(0, at);
  const portText = value.slice(at + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new Error(`${field}: port "${portText}" is not a number from 0 to 65535`);
  return { host: host === '' ? '127.0.0.1' : host, port: Number(portText) };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A zod string that must read as host:port; the message names the field. */
export const hostPortString = (field: string, opts: { upstream?: boolean } = {}) =>
  z.string().superRefine((value, ctx) => {
    try {
      const hp = parseHostPort(value, field);
      if (opts.upstream && hp.port === 0) ctx.addIssue({ code: 'custom', message: `${field}: port 0 is not a destination` });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
