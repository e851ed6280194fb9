import type { Provider } from '../schema.js';
import type { ProviderContext } from './context.js';
import { runHttp } from './http.js';
import { runProcess } from './process.js';
import { runProdeng } from './prodeng.js';

export { ActivityFailed, type ProdengFunction, type ProdengRegistry, type ProviderContext } from './context.js';

/** Runs an activity's provider; an ActivityFailed says the activity failed. */
export function runProvider(provider: Provider, ctx: ProviderContext): Promise<unknown> {
  switch (provider.type) {
    case 'http':
      return runHttp(provider, ctx);
    case 'process':
      return runProcess(provider, ctx);
    case 'prodeng':
      return runProdeng(provider, ctx);
  }
}
