import type { SliCounts, SliSeries } from './burnRate.js';
import { MINUTE } from './sloWindow.js';

/**
 * Minute counts held in memory with running sums, so any window is two
 * lookups: a backtest evaluates every minute of a range without a query each.
 */
export class BucketSeries implements SliSeries {
  private readonly good: Float64Array;
  private readonly total: Float64Array;

  /** `from` and `to` are minute boundaries; buckets outside them count as no events. */
  constructor(
    private readonly from: number,
    to: number,
    buckets: Iterable<{ minute: number; good: number; total: number }>,
  ) {
    const n = Math.max(0, Math.round((to - from) / MINUTE));
    const good = new Float64Array(n);
    const total = new Float64Array(n);
    for (const b of buckets) {
      const i = Math.round((b.minute - from) / MINUTE);
      if (i < 0 || i >= n) continue;
      good[i]! += b.good;
      total[i]! += b.total;
    }
    this.good = new Float64Array(n + 1);
    this.total = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      this.good[i + 1] = this.good[i]! + good[i]!;
      this.total[i + 1] = this.total[i]! + total[i]!;
    }
  }

  private index(at: number): number {
    return Math.max(0, Math.min(this.total.length - 1, Math.floor((at - this.from) / MINUTE)));
  }

  async counts(from: number, to: number): Promise<SliCounts> {
    const a = this.index(from);
    const b = this.index(to);
    return b <= a ? { good: 0, total: 0 } : { good: this.good[b]! - this.good[a]!, total: this.total[b]! - this.total[a]! };
  }
}
