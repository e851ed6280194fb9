import type { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';

interface Entry {
  name: string;
  owner: string;
  system: string | null;
  lifecycle: string | null;
  phase: string | null;
  repository: string | null;
  description: string | null;
  links: Array<{ url: string; title?: string }>;
  dependsOn: Array<{ service: string; declared: string | null; observed: boolean; verdict: string | null; drift: string | null }>;
  calledBy: string[];
  drift: string[];
  changes?: Array<{ kind: string; version: string | null; summary: string; who: string; at: string }>;
}

interface Graph {
  edges: Array<{ from: string; to: string; declared: string | null; observed: boolean; verdict: { verdict: string; measuredAt: string } | null; onCriticalPath: boolean; drift: string | null }>;
}

/** `catalog list|show|graph`: what the server's catalog holds, declared beside observed. */
export function addCatalogQueries(catalog: Command): Command {
  withServerOptions(catalog.command('list').description('services with owner, system, phase, and drift between declared and observed dependencies').option('--team <name>', "one team's services").option('--json', 'print JSON')).action(
    async (flags: ServerFlags & { team?: string; json?: boolean }) => {
      const { services } = await apiClient(flags).get<{ services: Entry[] }>('/api/v1/catalog/services');
      const mine = services.filter((s) => !flags.team || s.owner === flags.team);
      if (flags.json) return console.log(JSON.stringify({ services: mine }, null, 2));
      if (mine.length === 0) return console.log('no services');
      const w = Math.max(7, ...mine.map((s) => s.name.length));
      console.log(`${'service'.padEnd(w)}  ${'owner'.padEnd(10)}  ${'system'.padEnd(10)}  ${'phase'.padEnd(10)}  depends on`);
      for (const s of mine) console.log(`${s.name.padEnd(w)}  ${s.owner.padEnd(10)}  ${(s.system ?? '-').padEnd(10)}  ${(s.phase ?? '-').padEnd(10)}  ${s.dependsOn.map((d) => d.service).join(', ') || '-'}${s.drift.length ? `  (${s.drift.length} drift)` : ''}`);
    },
  );
  withServerOptions(catalog.command('show <service>').description('one service: what it is, what it calls (declared, seen, measured), who calls it').option('--json', 'print JSON')).action(async (name: string, flags: ServerFlags & { json?: boolean }) => {
    const s = await apiClient(flags).get<Entry>(`/api/v1/catalog/services/${encodeURIComponent(name)}`);
    if (flags.json) return console.log(JSON.stringify(s, null, 2));
    console.log(`${s.name}: owned by ${s.owner}${s.system ? `, part of ${s.system}` : ''}${s.phase ? `, phase ${s.phase}` : ''}${s.lifecycle ? `, ${s.lifecycle}` : ''}`);
    if (s.description) console.log(`  ${s.description}`);
    if (s.repository) console.log(`  repository: ${s.repository}`);
    for (const l of s.links) console.log(`  link: ${l.title ? `${l.title} ` : ''}${l.url}`);
    console.log(`calls:${s.dependsOn.length ? '' : ' nothing'}`);
    for (const d of s.dependsOn) console.log(`  ${d.service}: declared ${d.declared ?? 'no'}, ${d.observed ? 'seen in traffic' : 'not seen'}${d.verdict ? `, swept ${d.verdict.replace('_', ' ')}` : ''}${d.drift ? `  DRIFT: ${d.drift}` : ''}`);
    console.log(`called by: ${s.calledBy.join(', ') || 'nobody'}`);
    if (s.changes?.length) {
      console.log('recent changes:');
      for (const c of s.changes) console.log(`  ${c.at.slice(0, 16).replace('T', ' ')}  ${c.kind}${c.version ? ` ${c.version}` : ''}: ${c.summary} (${c.who})`);
    }
  });
  withServerOptions(catalog.command('graph').description('the dependency graph: every edge, declared and observed, with its last sweep verdict and the critical path').option('--json', 'print JSON')).action(async (flags: ServerFlags & { json?: boolean }) => {
    const g = await apiClient(flags).get<Graph>('/api/v1/catalog/graph');
    if (flags.json) return console.log(JSON.stringify(g, null, 2));
    for (const e of g.edges) {
      console.log(`${e.onCriticalPath ? '*' : ' '} ${e.from} -> ${e.to}  declared ${e.declared ?? 'no'}, ${e.observed ? 'seen' : 'not seen'}, ${e.verdict ? `${e.verdict.verdict.replace('_', ' ')} (${e.verdict.measuredAt.slice(0, 10)})` : 'not swept'}${e.drift ? `  DRIFT: ${e.drift}` : ''}`);
    }
    console.log('* on the critical path');
  });
  return catalog;
}
