import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProbeStats } from '../probes/probeScheduler.js';

/** The probe scheduler's own figures, read at scrape time: checks run, deadlines missed, targets. */
export function registerProbeMetrics(registry: Registry, stats: ProbeStats): void {
  new Counter({
    name: 'prodeng_probe_checks_total',
    help: 'Probe checks run by this process',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats.checks);
    },
  });
  new Counter({
    name: 'prodeng_probe_missed_deadlines_total',
    help: 'Probe checks that started more than a tenth of their interval (at least 1 s) late',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(stats.missedDeadlines);
    },
  });
  new Gauge({
    name: 'prodeng_probe_targets',
    help: 'Probe targets (probe x in-service host) this process checks',
    registers: [registry],
    collect() {
      this.set(stats.targets);
    },
  });
}
