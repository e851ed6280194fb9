import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How many connections the HTTP server holds, and for how long one may take
 * to send its headers. Without these, slow-header clients (a socket that sends
 * one header byte every few seconds and never finishes) use up every file
 * descriptor and the server can no longer accept anyone, nor open its own
 * database or children.
 */
export interface ConnectionLimits {
  /** the process's open-file soft limit the caps were derived from */
  openFileLimit: number;
  /** connections held at once; beyond it, new ones are closed on accept */
  maxConnections: number;
  /** connections held at once from one client address (an IPv6 client is its /64) */
  maxConnectionsPerClient: number;
}

/** Node checks header and request deadlines only on this tick (30 s by default), so a deadline is late by up to this much. */
export const connectionsCheckingIntervalMs = 1_000;
/** A client has this long from connecting (or from starting its next request) to send a complete request head. */
export const headersTimeoutMs = 10_000;
/** Prometheus may post many alerts in one request; keep the server from stalling on one slow client. */
export const requestTimeoutMs = 60_000;
/** An idle keep-alive connection holds a slot; close it after this long (Fastify's default is 72 s). */
export const keepAliveTimeoutMs = 30_000;

/** Without /proc (not Linux), assume the common default. */
const fallbackOpenFileLimit = 1024;
/** More sockets than this cost memory and event-loop time for no caller a single alert intake needs. */
const connectionCeiling = 10_000;

/** The soft "Max open files" of this process, read after Node has raised it to the hard limit at start. */
export function openFileSoftLimit(limitsText = readProcLimits()): number {
  const line = limitsText?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
  const n = Number(soft);
  return Number.isInteger(n) && n > 0 ? n : fallbackOpenFileLimit;
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${value}" is not a whole number of at least 1`);
  return n;
}

/**
 * The caps for a process with this many descriptors. A quarter of them (at
 * least 256, or half of a tiny limit) stay free for the database and its WAL,
 * pooled PostgreSQL connections, probe and step children with their pipes,
 * outgoing webhooks and mail, and logs. One address may take a quarter of the
 * connections: enough for a proxy or a busy Prometheus, not enough to shut
 * everyone else out; the header timeout bounds what the rest can hold.
 */
export function connectionLimits(env: NodeJS.ProcessEnv = process.env, openFileLimit = openFileSoftLimit()): ConnectionLimits {
  const reserved = Math.max(Math.min(256, Math.floor(openFileLimit / 2)), Math.floor(openFileLimit / 4));
  const derived = Math.max(1, Math.min(connectionCeiling, openFileLimit - reserved));
  const maxConnections = positiveInteger('PRODENG_MAX_CONNECTIONS', env.PRODENG_MAX_CONNECTIONS) ?? derived;
  const perClient = positiveInteger('PRODENG_MAX_CONNECTIONS_PER_CLIENT', env.PRODENG_MAX_CONNECTIONS_PER_CLIENT) ?? Math.max(1, Math.floor(maxConnections / 4));
  return { openFileLimit, maxConnections, maxConnectionsPerClient: Math.min(perClient, maxConnections) };
}

/** Fastify options that bound how long a connection may take over its headers, its request, and idling between requests. */
export function connectionServerOptions() {
  return {
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    // Passed to http.createServer: Fastify has no option of its own for these.
    http: { headersTimeout: headersTimeoutMs, connectionsCheckingInterval: connectionsCheckingIntervalMs },
  };
}

/** The address a per-client cap counts under: IPv4 as is, IPv6 by its /64, since one host usually holds a whole /64. */
export function clientKeyOf(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (isIPv4(remoteAddress)) return remoteAddress;
  const [head = '', tail] = remoteAddress.toLowerCase().split('%')[0]!.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros: string[] = tail === undefined ? [] : Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

export type RefusalReason = 'total' | 'per_client';

export interface ConnectionCounters {
  /** connections held now */
  open(): number;
  /** connections closed on accept, by which cap */
  refused: Record<RefusalReason, number>;
}

/**
 * Enforces the caps on a listening HTTP server. The total cap is Node's own
 * `maxConnections` (the socket is closed before it becomes a connection);
 * the per-client cap destroys the socket in the 'connection' event, before
 * it has delivered a byte to the HTTP parser.
 */
export function limitConnections(server: Server, limits: ConnectionLimits, onRefused: (reason: RefusalReason) => void = () => {}): ConnectionCounters {
  const refused: Record<RefusalReason, number> = { total: 0, per_client: 0 };
  const perClient = new Map<string, number>();
  let open = 0;
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => {
    refused.total += 1;
    onRefused('total');
  });
  server.on('connection', (socket: Socket) => {
    const key = clientKeyOf(socket.remoteAddress);
    const held = perClient.get(key) ?? 0;
    if (held >= limits.maxConnectionsPerClient) {
      refused.per_client += 1;
      onRefused('per_client');
      socket.destroy();
      return;
    }
    perClient.set(key, held + 1);
    open += 1;
    socket.once('close', () => {
      open -= 1;
      const left = (perClient.get(key) ?? 1) - 1;
      if (left > 0) perClient.set(key, left);
      else perClient.delete(key);
    });
  });
  return { open: () => open, refused };
}
