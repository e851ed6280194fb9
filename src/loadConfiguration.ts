import './kinds.js';
import { loadConfigDir, type ConfigLoadResult } from './config/index.js';
import { loadPlugins, type PluginSet } from './plugins/loadPlugins.js';

export interface Configuration extends ConfigLoadResult {
  plugins: PluginSet;
}

/** The YAML documents of a config directory and the TypeScript plugins in its `plugins/`, with every error of both. */
export async function loadConfiguration(dir: string): Promise<Configuration> {
  const loaded = await loadConfigDir(dir);
  const plugins = await loadPlugins(dir, loaded.config);
  const errors = [...loaded.errors, ...plugins.errors];
  return { ...loaded, ok: errors.length === 0, errors, plugins };
}
