import { describe, expect, it } from 'vitest';
import { chaosRegistry, type FaultActions } from './faultRegistry.js';

function recording() {
  const calls: string[] = [];
  let next = 1;
  const actions: FaultActions = {
    async inject(kind, target) {
      calls.push(`inject ${kind} ${JSON.stringify(target)}`);
      return { id: next++, target: { ...target, name: `${String(target.type ?? 'fault')}_x` }, effect: {} };
    },
    async revert(id) {
      calls.push(`revert ${id}`);
    },
  };
  return { calls, actions };
}

const ctx = { signal: new AbortController().signal, activity: 'a' };

describe('chaosRegistry', () => {
  it('injects each function as its fault kind and reverts only what this run injected, by match', async () => {
    const { calls, actions } = recording();
    const fns = chaosRegistry(actions);
    await fns['lab.break']!({ scenario: 'errors', service: 'ad' }, ctx);
    await fns['lab.break']!({ scenario: 'errors', service: 'cart' }, ctx);
    await fns['proxy.add_toxic']!({ proxy: 'db', type: 'latency' }, ctx);
    await fns['edge.add_toxic']!({ from: 'frontend', to: 'ad', type: 'blackhole' }, ctx);
    await fns['edge.add_toxic']!({ from: 'checkout', to: 'cart', type: 'latency' }, ctx);
    expect(calls.slice(0, 5).map((c) => c.split(' ')[1])).toEqual(['lab-fault', 'lab-fault', 'toxic', 'edge', 'edge']);
    expect(await fns['lab.heal']!({ service: 'cart' }, ctx)).toEqual({ reverted: [2] });
    expect(await fns['edge.remove_toxic']!({ from: 'frontend', to: 'ad' }, ctx)).toEqual({ reverted: [4] });
    expect(await fns['proxy.remove_toxic']!({ proxy: 'db', name: 'other' }, ctx)).toEqual({ reverted: [] });
    expect(await fns['chaos.revert_all']!({}, ctx)).toEqual({ reverted: [1, 3, 5] });
    expect(await fns['chaos.revert_all']!({}, ctx)).toEqual({ reverted: [] });
  });
});
