import type { ActionContext, ActionResult, RiskLevel } from '../actions/action.js';
import type { PluginAlert, PluginDefinition } from './definePlugin.js';
import { pluginActions, type PluginActionCall } from './pluginActions.js';

/** A plugin as the engine holds it once loaded and checked. */
export interface LoadedPlugin {
  name: string;
  file: string;
  risk: RiskLevel;
  definition: PluginDefinition;
}

export interface PluginRun {
  alert: PluginAlert;
  target: string;
  remediationId: number;
}

/**
 * Runs a plugin's `remediate` as one step. Returning nothing is success,
 * throwing is failure; either way the actions it called are kept with the
 * step's output.
 */
export async function runPlugin(plugin: LoadedPlugin, run: PluginRun, ctx: ActionContext): Promise<ActionResult> {
  const calls: PluginActionCall[] = [];
  // A plugin that ignores its signal must not hold the remediation past the
  // timeout: the engine stops waiting, and the step fails.
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (ctx.signal.aborted) resolve('timeout');
    else ctx.signal.addEventListener('abort', () => resolve('timeout'), { once: true });
  });
  try {
    const outcome = await Promise.race([timedOut, plugin.definition.remediate({
      alert: run.alert,
      target: run.target,
      remediationId: run.remediationId,
      actions: pluginActions(plugin, ctx, calls),
      log: ctx.log,
      signal: ctx.signal,
    })]);
    if (outcome === 'timeout' || ctx.signal.aborted) return { ok: false, summary: `plugin ${plugin.name} ran past its timeout`, output: { calls } };
    if (!outcome) return { ok: true, summary: `plugin ${plugin.name} finished (${calls.length} action(s))`, output: { calls } };
    return { ok: outcome.ok, summary: outcome.summary, output: { ...outcome.output, calls } };
  } catch (err) {
    return { ok: false, summary: `plugin ${plugin.name} failed: ${(err as Error).message}`, output: { calls } };
  }
}
