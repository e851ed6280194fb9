/** What GET /api/v1/chaos/graph answers: the services, who calls whom, and what the last sweep of each edge found. */
export type EdgeVerdictKind = 'critical' | 'degradable' | 'no_effect';

export interface FaultResult {
  fault: string;
  /** broke, degraded or held */
  outcome: string;
  detail: string;
}

export interface EdgeVerdict {
  verdict: EdgeVerdictKind;
  measuredAt: string;
  runId: number | null;
  faults: FaultResult[];
}

export interface GraphEdge {
  from: string;
  to: string;
  declared: 'required' | 'optional' | null;
  /** seen in discovery traffic */
  observed: boolean;
  /** null: never measured */
  verdict: EdgeVerdict | null;
  onCriticalPath: boolean;
  /** a sentence when what was declared and what was measured disagree */
  drift: string | null;
}

export interface GraphService {
  name: string;
  /** nobody calls it */
  root: boolean;
  onCriticalPath: boolean;
  reliability: { score: number | null; runs: number; lastRunAt: string | null } | null;
}

export interface ChaosGraph {
  services: GraphService[];
  edges: GraphEdge[];
  sweptAt: string | null;
}

/** The words a person reads for a verdict; "not measured" when no sweep broke the edge yet. */
export function verdictLabel(v: EdgeVerdict | null): string {
  if (!v) return 'not measured';
  return v.verdict === 'no_effect' ? 'no effect' : v.verdict;
}

/** The `data-verdict` value, and the CSS class suffix, for a verdict. */
export const verdictKey = (v: EdgeVerdict | null): string => v?.verdict ?? 'not_measured';

/** A time as a short date for a graph label (the tables give the full time). */
const shortDate = (iso: string) => new Date(iso).toLocaleDateString();

/**
 * Each service's layer: its longest distance from a root, so every
 * acyclic edge points down. Relaxation stops after as many rounds as there
 * are services, so a cycle cannot push depths on forever; what no root
 * reaches (a cycle of its own) sits in the top layer.
 */
export function serviceDepths(names: readonly string[], roots: readonly string[], edges: readonly GraphEdge[]): Map<string, number> {
  const depth = new Map<string, number>();
  for (const r of roots) depth.set(r, 0);
  for (let round = 0; round < names.length; round++) {
    let changed = false;
    for (const e of edges) {
      const d = depth.get(e.from);
      if (d === undefined || e.from === e.to) continue;
      const next = d + 1;
      if (next < names.length && next > (depth.get(e.to) ?? -1)) {
        depth.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const n of names) if (!depth.has(n)) depth.set(n, 0);
  return depth;
}

const BOX_W = 150;
const BOX_H = 44;
const GAP_X = 40;
const GAP_Y = 110;
const PAD = 24;
// Room under the lowest layer for edges that loop back (cycles, same-layer calls).
const LOOP_ROOM = 60;

interface Placed {
  name: string;
  x: number;
  y: number;
  layer: number;
}

/**
 * Boxes in rows by depth; within a row, ordered by where their callers sit
 * (the mean of their callers' positions) so edges cross less.
 */
function placeServices(names: readonly string[], depths: Map<string, number>, edges: readonly GraphEdge[]) {
  const rows: string[][] = [];
  for (const n of names) (rows[depths.get(n) ?? 0] ??= []).push(n);
  const filled = rows.filter((r) => r && r.length > 0);
  const order = new Map<string, number>();
  filled.forEach((row, i) => {
    const callerMean = (n: string) => {
      const at = edges.filter((e) => e.to === n && order.has(e.from)).map((e) => order.get(e.from)!);
      return at.length ? at.reduce((a, b) => a + b, 0) / at.length : Number.POSITIVE_INFINITY;
    };
    const sorted = i === 0 ? [...row].sort() : [...row].sort((a, b) => callerMean(a) - callerMean(b) || a.localeCompare(b));
    sorted.forEach((n, j) => order.set(n, j - (sorted.length - 1) / 2));
    filled[i] = sorted;
  });
  const widest = Math.max(1, ...filled.map((r) => r.length));
  const width = PAD * 2 + widest * BOX_W + (widest - 1) * GAP_X;
  const placed = new Map<string, Placed>();
  filled.forEach((row, layer) => {
    const rowWidth = row.length * BOX_W + (row.length - 1) * GAP_X;
    const left = (width - rowWidth) / 2;
    row.forEach((name, j) => placed.set(name, { name, layer, x: left + j * (BOX_W + GAP_X), y: PAD + layer * (BOX_H + GAP_Y) }));
  });
  const height = PAD * 2 + filled.length * BOX_H + Math.max(0, filled.length - 1) * GAP_Y + LOOP_ROOM;
  return { placed, width, height };
}

/** The curve of an edge and where its label goes: straight down to a lower layer, else a loop under both boxes. */
function edgeGeometry(from: Placed, to: Placed) {
  const x1 = from.x + BOX_W / 2;
  const x2 = to.x + BOX_W / 2;
  let p0: [number, number];
  let c: [number, number];
  let p2: [number, number];
  if (to.layer > from.layer) {
    p0 = [x1, from.y + BOX_H];
    p2 = [x2, to.y];
    c = [(x1 + x2) / 2, (p0[1] + p2[1]) / 2];
  } else {
    // Up or sideways (a cycle): leave from the bottom, come into the callee's bottom.
    p0 = [x1 - 12, from.y + BOX_H];
    p2 = [x2 + 12, to.y + BOX_H];
    c = [(x1 + x2) / 2, Math.max(p0[1], p2[1]) + LOOP_ROOM];
  }
  const label: [number, number] = [0.25 * p0[0] + 0.5 * c[0] + 0.25 * p2[0], 0.25 * p0[1] + 0.5 * c[1] + 0.25 * p2[1]];
  return { d: `M${p0[0].toFixed(1)},${p0[1].toFixed(1)} Q${c[0].toFixed(1)},${c[1].toFixed(1)} ${p2[0].toFixed(1)},${p2[1].toFixed(1)}`, label };
}

/** One sentence for an edge, for its <title> and aria-label: a reader (or test) gets all of it without the picture. */
export function edgeSentence(e: GraphEdge): string {
  const parts = [`${e.from} calls ${e.to}`, `declared ${e.declared ?? 'nowhere'}`, e.verdict ? `${verdictLabel(e.verdict)} as of ${new Date(e.verdict.measuredAt).toLocaleString()}` : 'not measured'];
  if (e.onCriticalPath) parts.push('on the critical path');
  if (!e.observed) parts.push('not seen in traffic');
  if (e.drift) parts.push(`drift: ${e.drift}`);
  return parts.join('; ');
}

const VERDICT_KEYS = ['critical', 'degradable', 'no_effect', 'not_measured'] as const;

function EdgeShape({ edge, from, to }: { edge: GraphEdge; from: Placed; to: Placed }) {
  const { d, label } = edgeGeometry(from, to);
  const key = verdictKey(edge.verdict);
  const classes = ['edge', `verdict-${key}`, edge.onCriticalPath ? 'critical-path' : '', edge.drift ? 'drift' : '', edge.observed ? '' : 'unobserved'].filter(Boolean).join(' ');
  const sentence = edgeSentence(edge);
  return (
    <g
      className={classes}
      data-testid="graph-edge"
      data-from={edge.from}
      data-to={edge.to}
      data-verdict={key}
      data-critical-path={edge.onCriticalPath ? 'true' : 'false'}
      data-drift={edge.drift ? 'true' : 'false'}
      data-measured-at={edge.verdict?.measuredAt}
      aria-label={sentence}
    >
      <title>{sentence}</title>
      {/* The halo under the line says "look here": declared and measured disagree. */}
      {edge.drift ? <path d={d} className="edge-drift-halo" fill="none" /> : null}
      <path d={d} className="edge-line" fill="none" markerEnd={`url(#chaos-arrow-${key})`} />
      <text x={label[0]} y={label[1] - 4} className="edge-label" textAnchor="middle">
        {`${edge.drift ? '⚠ ' : ''}${verdictLabel(edge.verdict)}`}
      </text>
      {edge.verdict ? (
        <text x={label[0]} y={label[1] + 9} className="edge-date" textAnchor="middle">
          {shortDate(edge.verdict.measuredAt)}
        </text>
      ) : null}
    </g>
  );
}

function ServiceBox({ service, at }: { service: GraphService | undefined; at: Placed }) {
  const score = service?.reliability?.score ?? null;
  const classes = ['service', service?.onCriticalPath ? 'critical-path' : '', service?.root ? 'root' : ''].filter(Boolean).join(' ');
  return (
    <g className={classes} data-testid="graph-service" data-service={at.name} data-score={score ?? 'none'} data-critical-path={service?.onCriticalPath ? 'true' : 'false'}>
      <title>{`${at.name}: reliability ${score === null ? 'not measured' : `${score} of 100`}${service?.onCriticalPath ? '; on the critical path' : ''}`}</title>
      <rect x={at.x} y={at.y} width={BOX_W} height={BOX_H} rx={5} />
      <text x={at.x + BOX_W / 2} y={at.y + 18} textAnchor="middle" className="service-name">
        {at.name}
      </text>
      <text x={at.x + BOX_W / 2} y={at.y + 34} textAnchor="middle" className="service-score">
        {score === null ? 'not measured' : `reliability ${score}`}
      </text>
    </g>
  );
}

/** The graph as SVG: callers above callees, an arrow per call, the critical path thick and each edge's last verdict on it. */
export function DependencyGraph({ graph }: { graph: ChaosGraph }) {
  const byName = new Map(graph.services.map((s) => [s.name, s]));
  // An edge may name a service the list lacks (discovered, not configured): draw it anyway.
  const names = [...new Set([...graph.services.map((s) => s.name), ...graph.edges.flatMap((e) => [e.from, e.to])])];
  const called = new Set(graph.edges.filter((e) => e.from !== e.to).map((e) => e.to));
  const roots = names.filter((n) => byName.get(n)?.root ?? !called.has(n));
  const depths = serviceDepths(names, roots, graph.edges);
  const { placed, width, height } = placeServices(names, depths, graph.edges);
  const critical = graph.edges.filter((e) => e.onCriticalPath).length;
  return (
    // The legend wraps at the picture's width rather than widening its column.
    <figure className="graph" style={{ maxWidth: width }}>
      <svg viewBox={`0 0 ${width} ${height}`} width={width} className="dependency-graph" data-testid="dependency-graph" role="group" aria-label={`dependency graph: ${names.length} services, ${graph.edges.length} calls, ${critical} on the critical path`}>
        <defs>
          {VERDICT_KEYS.map((k) => (
            <marker key={k} id={`chaos-arrow-${k}`} className={`arrow verdict-${k}`} viewBox="0 0 10 10" refX={10} refY={5} markerWidth={10} markerHeight={10} markerUnits="userSpaceOnUse" orient="auto">
              <path d="M0,0 L10,5 L0,10 z" />
            </marker>
          ))}
        </defs>
        {graph.edges.map((e) => {
          const from = placed.get(e.from);
          const to = placed.get(e.to);
          return from && to && e.from !== e.to ? <EdgeShape key={`${e.from}>${e.to}`} edge={e} from={from} to={to} /> : null;
        })}
        {[...placed.values()].map((p) => (
          <ServiceBox key={p.name} service={byName.get(p.name)} at={p} />
        ))}
      </svg>
      <figcaption className="graph-legend">
        Arrows go from caller to callee. <span className="legend-critical-path">Thick</span>: on the critical path. Colour: last verdict (<span className="legend-verdict-critical">critical</span>, <span className="legend-verdict-degradable">degradable</span>,{' '}
        <span className="legend-verdict-no_effect">no effect</span>, <span className="legend-verdict-not_measured">not measured</span>). <span className="legend-drift">⚠ highlighted</span>: drift between what is declared and what was measured. Dashed: declared, not seen in traffic.
      </figcaption>
    </figure>
  );
}
