import type { ActionContext, ActionResult, RiskLevel } from '../actions/action.js';
import { actionNamed, actionNames } from '../actions/registry.js';
import type { PluginActions } from './definePlugin.js';

const RISK_ORDER: Record<RiskLevel, number> = { safe: 0, disruptive: 1, destructive: 2 };

/** A record of one action a plugin called, kept in the step's output. */
export interface PluginActionCall {
  action: string;
  ok: boolean;
  summary: string;
}

/**
 * The `actions` a plugin sees. Each call parses its parameters with the
 * action's own schema, refuses an action riskier than the plugin declared
 * (approval was asked, or not, on the declared risk), and writes its start,
 * end and output to the audit trail through `ctx.log`.
 */
export function pluginActions(plugin: { name: string; risk: RiskLevel }, ctx: ActionContext, calls: PluginActionCall[]): PluginActions {
  const run = async (name: string, params: unknown): Promise<ActionResult> => {
    const action = actionNamed(name);
    if (!action) throw new Error(`plugin ${plugin.name} called unknown action "${name}" (known: ${actionNames().join(', ')})`);
    if (RISK_ORDER[action.risk] > RISK_ORDER[plugin.risk]) {
      throw new Error(`plugin ${plugin.name} declares risk "${plugin.risk}" but called ${name}, which is ${action.risk}; declare risk: "${action.risk}" to allow it`);
    }
    const parsed = action.params.safeParse(params);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
      throw new Error(`plugin ${plugin.name} called ${name} with bad parameters: ${problems}`);
    }
    if (ctx.signal.aborted) throw new Error(`plugin ${plugin.name}: the step was cancelled before ${name} could run`);
    ctx.log(`${name} started`, { action: name, params: parsed.data as Record<string, unknown> });
    let result: ActionResult;
    try {
      result = await action.run(parsed.data, ctx);
    } catch (err) {
      result = { ok: false, summary: `${name} threw: ${(err as Error).message}`, output: {} };
    }
    calls.push({ action: name, ok: result.ok, summary: result.summary });
    ctx.log(`${name}: ${result.summary}`, { action: name, ok: result.ok, output: result.output });
    return result;
  };
  return {
    exec: (p) => run('exec', p),
    ssh: (p) => run('ssh', p),
    http: (p) => run('http', p),
    probe: (p) => run('probe', p),
    wait: (p) => run('wait', p),
    run,
  };
}
