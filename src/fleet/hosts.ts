import type { DbOrTx } from '../store/store.js';
import type { HostRow, HostState } from '../store/schema.js';
import { canTransition, legalNextStates } from './hostStates.js';
import { FleetError } from './hostErrors.js';

/** A host as the API shows it. */
export interface HostView {
  name: string;
  pool: string | null;
  service: string | null;
  cluster: string | null;
  address: string | null;
  labels: Record<string, string>;
  provider: string;
  state: HostState;
  stateReason: string;
  origin: string;
  replaces: string | null;
  stateChangedAt: string;
  createdAt: string;
}

export function hostView(row: HostRow): HostView {
  return {
    name: row.name,
    pool: row.pool,
    service: row.service,
    cluster: row.cluster,
    address: row.address,
    labels: JSON.parse(row.labels) as Record<string, string>,
    provider: row.provider,
    state: row.state,
    stateReason: row.state_reason,
    origin: row.origin,
    replaces: row.replaces,
    stateChangedAt: new Date(row.state_changed_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export interface NewHost {
  name: string;
  pool?: string | null;
  service?: string | null;
  cluster?: string | null;
  address?: string | null;
  labels?: Record<string, string>;
  provider: string;
  providerRef?: string | null;
  state: HostState;
  reason: string;
  origin: 'config' | 'api' | 'pool';
  replaces?: string | null;
}

export async function insertHost(db: DbOrTx, host: NewHost, actor: string, now: number): Promise<void> {
  const existing = await db.selectFrom('hosts').select('name').where('name', '=', host.name).executeTakeFirst();
  if (existing) throw new FleetError('host_exists', `host ${host.name} already exists`);
  await db
    .insertInto('hosts')
    .values({
      name: host.name,
      pool: host.pool ?? null,
      service: host.service ?? null,
      cluster: host.cluster ?? null,
      address: host.address ?? null,
      labels: JSON.stringify(host.labels ?? {}),
      provider: host.provider,
      provider_ref: host.providerRef ?? null,
      state: host.state,
      state_reason: host.reason,
      origin: host.origin,
      replaces: host.replaces ?? null,
      drained_by: null,
      created_at: now,
      updated_at: now,
      state_changed_at: now,
    })
    .execute();
  await db.insertInto('host_transitions').values({ host: host.name, from_state: null, to_state: host.state, actor, reason: host.reason, at: now }).execute();
}

export async function getHost(db: DbOrTx, name: string): Promise<HostRow | undefined> {
  return db.selectFrom('hosts').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function mustGetHost(db: DbOrTx, name: string): Promise<HostRow> {
  const row = await getHost(db, name);
  if (!row) throw new FleetError('host_not_found', `no host named ${name}`);
  return row;
}

/**
 * Moves a host to another state, or refuses with the legal ones. Guarded by
 * the state it was read in, so two writers cannot both move it.
 */
export async function transitionHost(
  db: DbOrTx,
  name: string,
  to: HostState,
  opts: { actor: string; reason: string; now: number; from?: HostState; set?: Partial<Pick<HostRow, 'address' | 'provider_ref' | 'drained_by'>> },
): Promise<HostRow> {
  const row = await mustGetHost(db, name);
  if (opts.from !== undefined && row.state !== opts.from) {
    throw new FleetError('illegal_transition', `host ${name} is ${row.state}, not ${opts.from}`);
  }
  if (!canTransition(row.state, to)) {
    const legal = legalNextStates(row.state);
    throw new FleetError('illegal_transition', `host ${name} cannot go from ${row.state} to ${to}${legal.length ? ` (from ${row.state} it can go to ${legal.join(', ')})` : ' (it is decommissioned for good)'}`);
  }
  const result = await db
    .updateTable('hosts')
    .set({ state: to, state_reason: opts.reason, updated_at: opts.now, state_changed_at: opts.now, ...opts.set })
    .where('name', '=', name)
    .where('state', '=', row.state)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new FleetError('illegal_transition', `host ${name} changed state while this was being decided; try again`);
  await db.insertInto('host_transitions').values({ host: name, from_state: row.state, to_state: to, actor: opts.actor, reason: opts.reason, at: opts.now }).execute();
  return { ...row, state: to, state_reason: opts.reason, updated_at: opts.now, state_changed_at: opts.now, ...opts.set };
}

export async function listHosts(db: DbOrTx, filter: { service?: string | undefined; state?: HostState | undefined; pool?: string | undefined } = {}): Promise<HostRow[]> {
  let q = db.selectFrom('hosts').selectAll();
  if (filter.service) q = q.where('service', '=', filter.service);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.pool) q = q.where('pool', '=', filter.pool);
  return q.orderBy('name').execute();
}

export async function hostTransitions(db: DbOrTx, name: string) {
  const rows = await db.selectFrom('host_transitions').selectAll().where('host', '=', name).orderBy('id').execute();
  return rows.map((r) => ({ from: r.from_state, to: r.to_state, actor: r.actor, reason: r.reason, at: new Date(r.at).toISOString() }));
}
