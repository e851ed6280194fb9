import type { ProdengProvider } from '../schema.js';
import { substitute } from '../substitute.js';
import { abortedError, ActivityFailed, registryGet, registryNames, type ProviderContext } from './context.js';

/** One of prodeng's own faults or toxics, from the registry the runner is given, called with its arguments and an AbortSignal. */
export async function runProdeng(provider: ProdengProvider, ctx: ProviderContext): Promise<unknown> {
  const fn = registryGet(ctx.registry, provider.func);
  if (!fn) {
    const known = registryNames(ctx.registry);
    throw new ActivityFailed(`prodeng has no function "${provider.func}" (${known.length === 0 ? 'none is registered' : `known: ${known.join(', ')}`})`);
  }
  let args = substitute(provider.arguments ?? {}, ctx.lookup);
  if (ctx.value) args = { ...args, value: ctx.value.output };
  const controller = new AbortController();
  const stop = () => controller.abort(ctx.signal.reason);
  if (ctx.signal.aborted) throw abortedError(ctx.signal);
  ctx.signal.addEventListener('abort', stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const call = Promise.resolve().then(() => fn(args, { signal: controller.signal, activity: ctx.activity }));
    const racers: Array<Promise<unknown>> = [call];
    racers.push(
      new Promise((_, reject) => {
        controller.signal.addEventListener('abort', () => reject(abortedError(controller.signal)), { once: true });
      }),
    );
    if (provider.timeout !== undefined) {
      racers.push(
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            reject(new ActivityFailed(`activity took too long to complete (timeout ${provider.timeout}s)`));
            controller.abort(new Error(`took longer than its timeout of ${provider.timeout}s`));
          }, provider.timeout! * 1000);
        }),
      );
    }
    call.catch(() => {});
    return await Promise.race(racers);
  } catch (err) {
    if (err instanceof ActivityFailed) throw err;
    throw new ActivityFailed(`${provider.func} failed: ${(err as Error)?.message ?? String(err)}`);
  } finally {
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener('abort', stop);
  }
}
