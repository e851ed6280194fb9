import type { ActionDefinition } from './action.js';
import { execAction } from './exec.js';
import { waitAction } from './wait.js';
import { probeAction } from './probe.js';
import { httpAction } from './http.js';
import { sshAction } from './ssh.js';

// Open for the stages that bring their own actions (fleet: drain, reboot,
// replace): they call registerAction when their module loads.
const actions = new Map<string, ActionDefinition<any>>();

export function registerAction(def: ActionDefinition<any>): void {
  if (actions.has(def.name) && actions.get(def.name) !== def) throw new Error(`action ${def.name} is registered twice`);
  actions.set(def.name, def);
}

export function actionNamed(name: string): ActionDefinition<any> | undefined {
  return actions.get(name);
}

export function actionNames(): string[] {
  return [...actions.keys()].sort();
}

registerAction(execAction);
registerAction(waitAction);
registerAction(probeAction);
registerAction(httpAction);
registerAction(sshAction);
