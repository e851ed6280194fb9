import { z } from 'zod';
import { defineKind, didYouMean, durationSchema, type ConfigDoc, type ReferenceProblem } from '../../config/index.js';
import type { LoadedConfig } from '../../config/index.js';
import type { ServiceSpec } from '../../config/kinds.js';
import type { HostPoolDoc, HostPoolSpec } from '../hostPoolKind.js';
import { turnUpOrder } from './clusterOrder.js';
import { rememberInitialState } from './initialState.js';

/**
 * A cluster: the HostPools whose spec.cluster names it. Selected by that
 * field rather than listed here, so the one place a pool says where it runs
 * (also copied to its hosts, scopes and the console) cannot disagree with a
 * second list.
 */
export const clusterSpecSchema = z
  .object({
    description: z.string().optional(),
    /** where the cluster starts before anyone turns it up or down: up (its pools reconcile to capacity) or down (empty until `prodeng cluster up`) */
    initialState: z.enum(['up', 'down'], { error: 'must be up or down' }).default('up'),
    /**
     * How long a host taken out of discovery keeps serving before it is
     * stopped, when the cluster goes down or a service moves out: at least
     * as long as callers take to see discovery change (the shop polls every
     * second). The pool's drainGrace is used when it is longer.
     */
    drainWait: durationSchema.default(2500),
  })
  .strict();
export type ClusterSpec = z.output<typeof clusterSpecSchema>;
export type ClusterDoc = ConfigDoc<ClusterSpec>;

export function poolsOfCluster(config: LoadedConfig, cluster: string): HostPoolDoc[] {
  return [...config.byKind<HostPoolSpec>('HostPool').values()].filter((p) => p.spec.cluster === cluster);
}

export function dependenciesIn(config: LoadedConfig): (service: string) => string[] {
  return (service) => (config.byKind<ServiceSpec>('Service').get(service)?.spec.dependsOn ?? []).map((d) => d.service);
}

function references(doc: ClusterDoc, config: LoadedConfig): ReferenceProblem[] {
  const problems: ReferenceProblem[] = [];
  const pools = poolsOfCluster(config, doc.name);
  const clusters = config.declaredNames('Cluster');
  // A pool whose spec.cluster is a typo of this cluster's name would silently be in no cluster.
  const strays = [...config.byKind<HostPoolSpec>('HostPool').values()].filter((p) => p.spec.cluster && !clusters.includes(p.spec.cluster) && didYouMean(p.spec.cluster, [doc.name]) !== '');
  for (const p of strays) problems.push({ path: ['metadata', 'name'], message: `HostPool ${p.name} has spec.cluster "${p.spec.cluster}", which is no Cluster${didYouMean(p.spec.cluster!, [doc.name])}` });
  if (pools.length === 0) {
    problems.push({ path: ['metadata', 'name'], message: `no HostPool is in cluster ${doc.name}: set spec.cluster: ${doc.name} on the pools it runs` });
    return problems;
  }
  const order = turnUpOrder(pools.map((p) => ({ name: p.name, service: p.spec.service })), dependenciesIn(config));
  if (!order.ok) problems.push({ path: ['metadata', 'name'], message: `cluster ${doc.name} has no turn-up order: its ${order.message}` });
  return problems;
}

export const clusterKind = defineKind({
  kind: 'Cluster',
  spec: clusterSpecSchema,
  resolve(doc: ClusterDoc, config) {
    for (const pool of poolsOfCluster(config, doc.name)) rememberInitialState(pool, doc.spec.initialState);
    return [];
  },
  references,
});
