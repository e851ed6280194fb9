import { IANAZone, Zone } from 'luxon';

const QUARTER_HOUR = 15 * 60_000;

/**
 * An IANA zone whose UTC offsets are remembered per quarter hour. Luxon asks
 * Intl for the offset on every conversion, which is most of the cost of a
 * who-is-on-call lookup; offsets only change on quarter-hour boundaries, so
 * remembering them per quarter hour gives the same answers.
 */
class CachedZone extends Zone {
  private offsets = new Map<number, number>();

  constructor(private inner: IANAZone) {
    super();
  }
  override get type() {
    return 'iana';
  }
  override get name() {
    return this.inner.name;
  }
  override get isUniversal() {
    return false;
  }
  override get isValid() {
    return this.inner.isValid;
  }
  override offsetName(ts: number, opts: Parameters<Zone['offsetName']>[1]) {
    return this.inner.offsetName(ts, opts);
  }
  override formatOffset(ts: number, format: Parameters<Zone['formatOffset']>[1]) {
    return this.inner.formatOffset(ts, format);
  }
  override offset(ts: number): number {
    const bucket = Math.floor(ts / QUARTER_HOUR);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) {
      offset = this.inner.offset(ts);
      if (this.offsets.size > 200_000) this.offsets.clear();
      this.offsets.set(bucket, offset);
    }
    return offset;
  }
  override equals(other: Zone): boolean {
    return other.type === 'iana' && other.name === this.name;
  }
}

const zones = new Map<string, CachedZone>();

export function cachedZone(name: string): Zone {
  let zone = zones.get(name);
  if (!zone) {
    zone = new CachedZone(IANAZone.create(name));
    zones.set(name, zone);
  }
  return zone;
}
