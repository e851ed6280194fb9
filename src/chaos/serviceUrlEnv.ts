import type { DbOrTx } from '../store/store.js';

/** `frontend` -> `PRODENG_SERVICE_FRONTEND_URL`; `shop.cart-v2` -> `PRODENG_SERVICE_SHOP_CART_V2_URL`. */
export function serviceUrlKey(service: string): string {
  return `PRODENG_SERVICE_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * Where an experiment can reach each service right now: the first healthy
 * endpoint discovery lists, as an environment variable an experiment's
 * configuration reads with Chaos Toolkit's own `{type: env, key:
 * PRODENG_SERVICE_FRONTEND_URL}`. Lab hosts change ports when they are
 * replaced; a game day scheduled for next week cannot name one today.
 */
export async function serviceUrlEnv(db: DbOrTx): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('hosts')
    .select(['name', 'service', 'address'])
    .where('state', '=', 'in_service')
    .where('address', 'is not', null)
    .where('service', 'is not', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('probe_targets').select('probe').whereRef('probe_targets.host', '=', 'hosts.name').where('probe_targets.firing', '=', 1))))
    .orderBy('name')
    .execute();
  const env: Record<string, string> = {};
  for (const r of rows) {
    const key = serviceUrlKey(r.service!);
    env[key] ??= r.address!.startsWith('http') ? r.address! : `http://${r.address}`;
  }
  return env;
}
