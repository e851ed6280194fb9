import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './peers.js';

// A real HTTP service: it writes its pid so the test can kill whichever copy runs.
const serviceScript = `import http from 'node:http';
import { writeFileSync } from 'node:fs';
const [port, pidFile] = process.argv.slice(2);
writeFileSync(pidFile, String(process.pid));
http.createServer((req, res) => res.end('ok')).listen(Number(port), '127.0.0.1');
`;

export const answers = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
};

export interface KilledService {
  port: number;
  url: string;
  /** the service's program, to start it again: `node SCRIPT PORT PIDFILE` */
  script: string;
  pidFile: string;
  /** kills whichever copy runs now (the one a remediation started) */
  kill(): void;
}

/** Starts the service, waits for it to answer, then kills it with SIGKILL and waits until it does not. */
export async function startThenKillService(): Promise<KilledService> {
  const dir = mkdtempSync(join(tmpdir(), 'prodeng-service-'));
  const script = join(dir, 'service.mjs');
  const pidFile = join(dir, 'service.pid');
  writeFileSync(script, serviceScript);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const kill = () => {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  };
  spawn(process.execPath, [script, String(port), pidFile], { stdio: 'ignore', detached: true }).unref();
  await waitFor('the service to answer', () => answers(url), 10_000);
  kill();
  await waitFor('the service to be down', async () => !(await answers(url)), 10_000);
  return { port, url, script, pidFile, kill };
}
