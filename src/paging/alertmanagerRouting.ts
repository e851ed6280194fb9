import { stringify } from 'yaml';
import { formatMatcher, type Matcher } from '../intake/matchers.js';
import { routeFor, type PagingDirectory } from './directory.js';

/**
 * prodeng's routing told in Alertmanager's vocabulary, for the tools that
 * ask an Alertmanager how it routes (amtool config routes, Grafana): an
 * alert belongs to a service (its `service` label, else the first service
 * whose label selector it carries) and goes to that service's escalation
 * policy, else its owner team's. Each policy is a receiver; alerts of no
 * service, or of one without a policy, go to the default receiver, which
 * records them and pages nobody. prodeng never reads this YAML back.
 */
export interface AlertmanagerRouting {
  /** the receiver names: the default first, then each escalation policy */
  receivers: string[];
  /** the receiver an alert of this service goes to */
  receiverFor(service: string | null): string;
  /** the routing as an Alertmanager configuration file (what `config.original` holds) */
  configYaml: string;
}

export const DEFAULT_RECEIVER = 'no-escalation-policy';

export interface RoutedService {
  name: string;
  /** the service's label selector (ServiceDirectory's) */
  labels: Record<string, string>;
}

export function alertmanagerRoutingFrom(dir: PagingDirectory, services: RoutedService[], resolveTimeoutMs: number): AlertmanagerRouting {
  const policyOf = new Map<string, string>();
  for (const s of services) {
    const policy = routeFor(dir, s.name).policy;
    if (policy) policyOf.set(s.name, policy);
  }
  const receivers = [DEFAULT_RECEIVER, ...[...dir.policies.keys()].sort()];
  const eq = (name: string, value: string): Matcher => ({ name, value, isRegex: false, isEqual: true });
  const routes: Array<{ receiver: string; matchers: string[] }> = [];
  for (const s of services) {
    const receiver = policyOf.get(s.name);
    if (!receiver) continue;
    routes.push({ receiver, matchers: [formatMatcher(eq('service', s.name))] });
    // A service label wins over a selector, so the selector's route is for alerts without one.
    const selector = Object.entries(s.labels);
    if (selector.length > 0) routes.push({ receiver, matchers: [formatMatcher(eq('service', '')), ...selector.map(([k, v]) => formatMatcher(eq(k, v)))] });
  }
  const config = {
    global: { resolve_timeout: durationText(resolveTimeoutMs) },
    route: { receiver: DEFAULT_RECEIVER, group_by: ['service'], ...(routes.length ? { routes } : {}) },
    receivers: receivers.map((name) => ({ name })),
  };
  const header =
    '# prodeng routes an alert by its service to the escalation policy of the service, else of its owner team.\n' +
    `# This is that routing in Alertmanager's form, generated from prodeng's config; ${DEFAULT_RECEIVER} records and pages nobody.\n`;
  return {
    receivers,
    receiverFor: (service) => (service ? policyOf.get(service) : undefined) ?? DEFAULT_RECEIVER,
    configYaml: header + stringify(config),
  };
}

/** Alertmanager's duration form: 5m, 90s, 1h30m. */
function durationText(ms: number): string {
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
