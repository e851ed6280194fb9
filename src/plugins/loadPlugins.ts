import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ConfigDoc, ConfigError } from '../config/index.js';
import { NAME_PATTERN } from '../config/envelope.js';
import { configErrorMap } from '../config/issueMessages.js';
import type { LoadedConfig } from '../config/loadedConfig.js';
import { PLUGIN_ACTION, runbookProblems, runbookSpecSchema, type PluginStepParams, type RunbookSpec } from '../remediation/runbookKind.js';
import type { PluginDefinition } from './definePlugin.js';
import { importPluginModule } from './importPluginModule.js';
import type { LoadedPlugin } from './runPlugin.js';

export interface PluginSet {
  /** each plugin as a runbook whose one step runs it, for matching, gates and plans */
  runbooks: ConfigDoc<RunbookSpec>[];
  byName: Map<string, LoadedPlugin>;
  errors: ConfigError[];
}

export const PLUGIN_DIR = 'plugins';

// The plugin's own fields; the rest are a runbook's and go through its schema.
const pluginOwnFields = z.object({
  name: z.string().regex(NAME_PATTERN, 'must be lowercase letters, digits, ".", "_" or "-", start and end with a letter or digit, and be at most 63 characters'),
  description: z.string().optional(),
  risk: z.enum(['safe', 'disruptive', 'destructive']).default('disruptive'),
  idempotent: z.boolean().default(false),
  remediate: z.custom<PluginDefinition['remediate']>((v) => typeof v === 'function', 'must be a function: async remediate(ctx) { … }'),
});

const isPluginFile = (name: string) => /\.(m|c)?(ts|js)$/.test(name) && !/\.d\.(m|c)?ts$/.test(name) && !/\.test\./.test(name);

/** The line of `definePlugin(` in the file, so an error points at the declaration. */
async function declarationLine(file: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const index = text.indexOf('definePlugin(');
  return index < 0 ? 1 : text.slice(0, index).split('\n').length;
}

/** A module's plugins: its default export, one plugin or a list (CommonJS interop unwrapped). */
function exportedPlugins(mod: Record<string, unknown>): unknown[] | null {
  let value = mod.default;
  // A .ts file outside an ESM package is compiled to CommonJS, whose exports
  // object carries the ES default under `default`.
  if (value && typeof value === 'object' && '__esModule' in value) value = (value as { default?: unknown }).default;
  if (value === undefined) return null;
  return Array.isArray(value) ? value : [value];
}

/**
 * Loads `<configDir>/plugins/*.ts|*.js`: each module's default export is a
 * `definePlugin({...})` (or a list of them). A plugin is checked as strictly
 * as a YAML runbook, and its name must be unique among both.
 */
export async function loadPlugins(configDir: string, config: LoadedConfig): Promise<PluginSet> {
  const set: PluginSet = { runbooks: [], byName: new Map(), errors: [] };
  const dir = join(configDir, PLUGIN_DIR);
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && isPluginFile(e.name)).map((e) => e.name).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return set;
    set.errors.push({ file: dir, line: 1, column: 1, path: '', message: `cannot read the plugin directory: ${(err as Error).message}` });
    return set;
  }
  const runbookNames = new Set(config.declaredNames('Runbook'));
  for (const name of names) {
    const file = join(dir, name);
    const line = await declarationLine(file);
    const fail = (path: string, message: string) => set.errors.push({ file, line, column: 1, path, message });
    let mod: Record<string, unknown>;
    try {
      mod = await importPluginModule(file, dir);
    } catch (err) {
      const message = (err as Error).message;
      // esbuild names the place of a syntax error: "file.ts:3:14: ERROR: Expected ..."
      const syntax = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
      if (syntax) set.errors.push({ file, line: Number(syntax[1]), column: Number(syntax[2]), path: '', message: `cannot compile the plugin: ${syntax[3]}` });
      else fail('', `cannot load the plugin: ${message.split('\n')[0]}`);
      continue;
    }
    const exported = exportedPlugins(mod);
    if (!exported) {
      fail('', 'no default export: end the module with `export default definePlugin({ name, match, target, remediate })`');
      continue;
    }
    for (const candidate of exported) {
      const plugin = checkPlugin(candidate, config, fail);
      if (!plugin) continue;
      if (runbookNames.has(plugin.name) || set.byName.has(plugin.name)) {
        const other = set.byName.get(plugin.name)?.file ?? 'a Runbook in the config directory';
        fail('name', `"${plugin.name}" is already taken by ${other}; runbooks and plugins share one set of names`);
        continue;
      }
      set.byName.set(plugin.name, { name: plugin.name, file, risk: plugin.risk, definition: candidate as PluginDefinition });
      set.runbooks.push({ kind: 'Plugin', name: plugin.name, metadata: { name: plugin.name }, spec: plugin.spec, source: { file, line, column: 1 } });
    }
  }
  return set;
}

function checkPlugin(
  candidate: unknown,
  config: LoadedConfig,
  fail: (path: string, message: string) => void,
): { name: string; risk: PluginStepParams['risk']; spec: RunbookSpec } | null {
  if (!candidate || typeof candidate !== 'object') {
    fail('', 'the default export is not a plugin: use `export default definePlugin({ … })`');
    return null;
  }
  const { name, description, risk, idempotent, timeout, remediate, ...runbookFields } = candidate as Record<string, unknown>;
  const own = pluginOwnFields.safeParse({ name, description, risk, idempotent, remediate }, { error: configErrorMap });
  if (!own.success) {
    for (const issue of own.error.issues) fail(issue.path.join('.'), issue.message);
    return null;
  }
  const step = { name: 'remediate', action: PLUGIN_ACTION, with: { plugin: own.data.name, risk: own.data.risk } satisfies PluginStepParams, idempotent: own.data.idempotent, ...(timeout !== undefined ? { timeout } : {}) };
  const spec = runbookSpecSchema.safeParse({ ...runbookFields, steps: [step] }, { error: configErrorMap });
  if (!spec.success) {
    // The step is built from the plugin's own `timeout`; name that, not the step.
    for (const issue of spec.error.issues) fail(issue.path[0] === 'steps' ? issue.path.slice(2).join('.').replace(/^timeout.*/, 'timeout') : issue.path.join('.'), issue.message);
    return null;
  }
  // The plugin step is the engine's own; everything else is checked like a YAML runbook's.
  const problems = runbookProblems({ ...spec.data, steps: [] }, config);
  for (const p of problems) fail(p.path.filter((x) => x !== 'spec').join('.'), p.message);
  if (problems.length > 0) return null;
  return { name: own.data.name, risk: own.data.risk, spec: spec.data };
}
