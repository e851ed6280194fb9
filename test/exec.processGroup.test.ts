import { readFileSync } from 'node:fs';
import { expect, it, describe } from 'vitest';
import { execAction, execParams } from '../src/actions/exec.js';

const ctx = () => ({ signal: new AbortController().signal, log: () => undefined });
const running = (pid: number) => {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('an exec step runs in its own process group', () => {
  it('a timeout kills what the command started too, not only the command', async () => {
    const r = await execAction.run(execParams.parse({ argv: ['sh', '-c', 'sleep 30 >/dev/null 2>&1 & echo $!; wait'], timeout: '300ms' }), ctx());
    expect(r.output.timedOut).toBe(true);
    const background = Number(String(r.output.stdout).trim());
    expect(background).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const alive = running(background);
    if (alive) process.kill(background, 'SIGKILL');
    expect(alive).toBe(false);
  });
});
