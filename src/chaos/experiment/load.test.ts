import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigDir } from '../../config/index.js';
import { splitArguments } from './argv.js';
import './experimentKind.js';
import { formatExperimentProblem, loadExperiment, STRING_ARGUMENTS_NOTE } from './load.js';
import { lookupOf, substitute } from './substitute.js';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples', 'chaos', 'experiments');
const read = (name: string) => readFileSync(join(examples, name), 'utf8');

function errorsOf(text: string, file = 'bad.yaml') {
  const r = loadExperiment(text, file);
  if (r.ok) throw new Error('expected errors');
  return r.errors.map(formatExperimentProblem);
}

describe('loadExperiment', () => {
  it('reads the Chaos Toolkit example in JSON and in YAML to the same experiment', () => {
    const json = loadExperiment(read('shop-replica-drain.json'), 'shop-replica-drain.json');
    const yaml = loadExperiment(read('shop-replica-drain.yaml'), 'shop-replica-drain.yaml');
    if (!json.ok || !yaml.ok) throw new Error(JSON.stringify([json, yaml]));
    expect(json.experiment).toEqual(yaml.experiment);
    expect(json.experiment.title).toBe('The shop keeps serving while one replica is drained');
    expect(json.experiment['steady-state-hypothesis']?.probes?.map((p) => p.tolerance)).toEqual([200, { type: 'jsonpath', path: '$.status', expect: 'ok', target: 'body' }]);
    expect(json.experiment.method[1]).toEqual({ ref: 'shop-answers' });
    // a string of arguments is split without a shell, and the file is told so where it is
    expect(json.warnings).toEqual([{ file: 'shop-replica-drain.json', path: 'rollbacks[0].provider.arguments', line: 94, column: 30, message: STRING_ARGUMENTS_NOTE }]);
    expect(yaml.warnings.map((w) => [w.path, w.line])).toEqual([['rollbacks[0].provider.arguments', 71]]);
  });

  it('names the path, line and column of every problem, JSON and YAML alike', () => {
    const yaml = [
      'title: broken', //                        1
      'method:', //                              2
      '  - type: action', //                     3
      '    name: a', //                          4
      '    provider:', //                        5
      '      type: python', //                   6
      '      module: os', //                     7
      '      func: remove', //                   8
      '  - type: probe', //                      9
      '    name: b', //                          10
      '    provider: {type: http, url: 5, verfy_tls: false}', // 11
      '  - ref: nope', //                        12
      'secrets:', //                             13
      '  k8s:', //                               14
      '    token: XYZ', //                       15
    ].join('\n');
    expect(errorsOf(yaml)).toEqual([
      "bad.yaml:6:13: method[0].provider.type: prodeng runs no Python, so a python provider (os.remove) cannot run here: use a process provider that runs a program, an http provider, or a prodeng provider (func) for prodeng's own faults and toxics",
      'bad.yaml:11:33: method[1].provider.url: must be a string',
      'bad.yaml:11:36: method[1].provider.verfy_tls: unknown field "verfy_tls" (did you mean "verify_tls"?)',
      'bad.yaml:12:10: method[2].ref: no activity named "nope" is declared before this one',
      "bad.yaml:15:12: secrets.k8s.token: is written in the file: secrets come from the environment, never from the file: write {type: env, key: VARIABLE} and set VARIABLE in prodeng's environment",
    ]);
    const json = '{\n  "title": "t",\n  "method": [\n    {"type": "action", "name": "a",\n     "provider": {"type": "http", "url": "http://x", "timeout": "soon"}}\n  ]\n}';
    expect(errorsOf(json, 'bad.json')).toEqual(['bad.json:5:65: method[0].provider.timeout: must be a number of seconds, or [connect, read] seconds']);
  });

  it('refuses what prodeng does not do, saying why', () => {
    const base = (extra: string) => `title: t\nmethod:\n  - {type: action, name: a, provider: {type: process, path: ls}}\n${extra}`;
    expect(errorsOf(base('secrets:\n  vault:\n    tok: {type: vault, path: secret/x}'))[0]).toContain('secrets.vault.tok.type: prodeng reads no Vault');
    expect(errorsOf(base('steady-state-hypothesis:\n  title: h\n  probes:\n    - {type: probe, name: p, provider: {type: http, url: "http://x"}}'))[0]).toBe(
      'bad.yaml:7:7: steady-state-hypothesis.probes[0].tolerance: is required: a steady-state probe says which outputs are normal (e.g. tolerance: 200)',
    );
    expect(errorsOf(base('steady-state-hypothesis:\n  title: h\n  probes:\n    - {type: probe, name: p, tolerance: {type: regex, pattern: "("}, provider: {type: http, url: "http://x"}}'))[0]).toMatch(
      /probes\[0\]\.tolerance\.pattern: is not a regular expression/,
    );
    expect(errorsOf(base('steady-state-hypothesis:\n  title: h\n  probes:\n    - {type: probe, name: p, tolerance: {type: jsonpath, path: "$.a[?("}, provider: {type: http, url: "http://x"}}'))[0]).toMatch(
      /probes\[0\]\.tolerance\.path: is not a JSON path/,
    );
    expect(errorsOf(base('runtime:\n  rollbacks: {strategy: sometimes}'))[0]).toMatch(/^bad\.yaml:5:25: runtime\.rollbacks\.strategy: must be one of default, always, never, deviated/);
    expect(errorsOf('title: t\nmethod: []')).toEqual(['bad.yaml:2:9: method: must hold at least one activity']);
    expect(errorsOf('title: [unclosed')[0]).toMatch(/^bad\.yaml:1:\d+: cannot be read as JSON or YAML/);
    expect(errorsOf(base('configuration:\n  x: {type: probe, name: n, provider: {type: http, url: "http://x"}}'))[0]).toContain('configuration.x.type: a configuration value computed by a probe is not supported');
    expect(errorsOf('title: t\nmethod:\n  - {type: action, name: a, provider: {type: process, path: ls, secrets: [nope]}}')[0]).toContain('method[0].provider.secrets: no secret scope "nope" is declared');
  });

  it('accepts controls and says they are not run', () => {
    const r = loadExperiment('title: t\ncontrols:\n  - {name: tracing, provider: {type: python, module: chaostracing.control}}\nmethod:\n  - {type: action, name: a, provider: {type: process, path: ls}}', 'c.yaml');
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => `${w.path}:${w.line}`)).toEqual(['controls:3']);
  });

  it('is a config kind: an Experiment document in the config directory is checked the same way', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'exp-kind-'));
    writeFileSync(
      join(dir, 'exp.yaml'),
      'apiVersion: prodeng/v1\nkind: Experiment\nmetadata: {name: drain}\nspec:\n  title: t\n  method:\n    - {type: action, name: a, provider: {type: python, module: os, func: remove}}\n',
    );
    const result = await loadConfigDir(dir);
    expect(result.errors.map((e) => `${e.line}:${e.path}`)).toEqual(['7:spec.method[0].provider.type']);
    expect(result.errors[0]?.message).toMatch(/prodeng runs no Python/);
  });
});

describe('arguments as one string', () => {
  it.each([
    ['-f /tmp/a b', ['-f', '/tmp/a', 'b']],
    [`-i 's/hello world/bonjour/' "file name.txt"`, ['-i', 's/hello world/bonjour/', 'file name.txt']],
    [String.raw`a\ b "c \"d\"" 'e\f'`, ['a b', 'c "d"', String.raw`e\f`]],
    ['x; rm -rf / && echo $HOME | cat', ['x;', 'rm', '-rf', '/', '&&', 'echo', '$HOME', '|', 'cat']],
    ['  ', []],
    ['""', ['']],
  ])('%s', (text, argv) => expect(splitArguments(text)).toEqual({ argv }));
  it('says what is wrong with an unclosed quote', () => expect(splitArguments('a "b')).toEqual({ error: 'has an unclosed double quote' }));
});

describe('${name} substitution, as Chaos Toolkit does it', () => {
  const lookup = lookupOf({ url: 'http://svc', port: 8080, shared: 'from-config' }, { a: { token: 's3cret', shared: 'from-secret' } });
  it.each([
    ['${url}/health', 'http://svc/health'],
    ['$url/x', 'http://svc/x'],
    ['${port}', 8080],
    ['port ${port}', 'port 8080'],
    ['${token}', 's3cret'],
    ['${shared}', 'from-config'],
    ['${missing} stays', '${missing} stays'],
    ['$$5 and $', '$5 and $'],
  ])('%s', (text, out) => expect(substitute(text, lookup)).toEqual(out));
  it('goes into lists and mappings, leaving the input alone', () => {
    const input = { a: ['${url}', { b: '${port}' }], n: 3 };
    expect(substitute(input, lookup)).toEqual({ a: ['http://svc', { b: 8080 }], n: 3 });
    expect(input.a[0]).toBe('${url}');
  });
});
