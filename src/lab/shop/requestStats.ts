/**
 * What this host answered since it started: counts and the latest
 * latencies, for a canary analysis to compare hosts (a canary and its
 * same-age baseline) by what each served, as Kayenta reads per-arm metrics.
 */
export class RequestStats {
  private requests = 0;
  private errors = 0;
  private readonly latencies: number[] = [];
  private next = 0;
  readonly since = Date.now();

  constructor(private readonly keep = 5000) {}

  record(status: number, latencyMs: number): void {
    this.requests++;
    if (status >= 500) this.errors++;
    // A ring of the newest: a long-lived host's stats stay about now.
    if (this.latencies.length < this.keep) this.latencies.push(latencyMs);
    else this.latencies[this.next] = latencyMs;
    this.next = (this.next + 1) % this.keep;
  }

  view(version: string, host: string) {
    return { host, version, since: new Date(this.since).toISOString(), requests: this.requests, errors: this.errors, latenciesMs: this.latencies.map((l) => Math.round(l * 10) / 10) };
  }
}
