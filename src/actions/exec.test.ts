import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderParams } from '../remediation/templates.js';
import { execAction, execParams } from './exec.js';

const ctx = () => ({ signal: new AbortController().signal, log: () => undefined });

describe('exec action', () => {
  it('runs an argv array and keeps exit code and output', async () => {
    const r = await execAction.run(execParams.parse({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] }), ctx());
    expect(r.ok).toBe(false);
    expect(r.output).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
  });

  it('kills a command that outlives its timeout', async () => {
    const r = await execAction.run(execParams.parse({ argv: ['sleep', '5'], timeout: '200ms' }), ctx());
    expect(r.ok).toBe(false);
    expect(r.output.timedOut).toBe(true);
    expect(r.output.durationMs as number).toBeLessThan(2000);
  });

  it('truncates long output', async () => {
    const r = await execAction.run(execParams.parse({ argv: ['head', '-c', '100000', '/dev/zero'] }), ctx());
    expect((r.output.stdout as string).length).toBeLessThan(17 * 1024);
    expect(r.output.stdout).toContain('more bytes not kept');
  });

  it('passes hostile label values verbatim as one argument: nothing in them executes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prodeng-inject-'));
    const pwned = join(dir, 'pwned');
    const labels = { a: `x; touch ${pwned}`, b: `$(touch ${pwned})`, c: `\`touch ${pwned}\``, d: `' && touch ${pwned} && '`, e: `| touch ${pwned}` };
    const argv = renderParams(['printf', '%s\\n', '{{ labels.a }}', '{{ labels.b }}', '{{ labels.c }}', '{{ labels.d }}', '{{ labels.e }}'], {
      labels,
      annotations: {},
      alert: {},
    }) as string[];
    expect(argv).toHaveLength(7);
    const r = await execAction.run(execParams.parse({ argv }), ctx());
    expect(r.ok).toBe(true);
    expect(r.output.stdout).toBe(Object.values(labels).join('\n') + '\n');
    expect(existsSync(pwned)).toBe(false);
  });

  it('reports a program that does not exist', async () => {
    const r = await execAction.run(execParams.parse({ argv: ['/nonexistent/program'] }), ctx());
    expect(r.ok).toBe(false);
    expect(r.summary).toContain('could not start');
  });
});
