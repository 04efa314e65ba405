// Local minute-of-day and weekday of an instant in an IANA time zone, across DST. Offsets are read once per zone
// per 15-minute UTC bucket (every real zone changes offset on a quarter hour) through a cached Intl.DateTimeFormat,
// so the hot path is a Map lookup and integer arithmetic, or none when the zone and bucket are the last call's (a
// partition's traffic is nearly in time order and most accounts share a zone). Pure: the instant comes from the
// event, never the clock.

const BUCKET_MS = 15 * 60_000;
const MAX_BUCKETS_PER_ZONE = 20_000;

interface Zone {
  format: Intl.DateTimeFormat;
  offsets: Map<number, number>;
}

export class LocalTime {
  private readonly zones = new Map<string, Zone>();
  /** Results of the last `at` call (kept in fields so the hot path allocates nothing). */
  minuteOfDay = 0;
  /** 0 = sunday ... 6 = saturday. */
  weekday = 0;
  /** The last offset read: its zone name as asked (before any fallback), bucket and offset. */
  private lastTz: string | null = null;
  private lastBucket = 0;
  private lastOffset = 0;

  constructor(private readonly defaultZone: string) {
    this.zone(defaultZone);
  }

  /** Sets `minuteOfDay` and `weekday` for instant `t` (epoch ms) in `tz` (the default zone when unknown or invalid). */
  at(t: number, tz: string | null): void {
    const local = t + this.offsetMs(t, tz ?? this.defaultZone);
    const minutes = Math.floor(local / 60_000);
    this.minuteOfDay = ((minutes % 1440) + 1440) % 1440;
    const days = Math.floor(minutes / 1440);
    this.weekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a thursday
  }

  offsetMs(t: number, tz: string): number {
    const bucket = Math.floor(t / BUCKET_MS);
    if (bucket === this.lastBucket && tz === this.lastTz) return this.lastOffset;
    const zone = this.zone(tz) ?? this.zone(this.defaultZone)!;
    let offset = zone.offsets.get(bucket);
    if (offset === undefined) {
      offset = computeOffset(zone.format, bucket * BUCKET_MS);
      if (zone.offsets.size >= MAX_BUCKETS_PER_ZONE) zone.offsets.clear();
      zone.offsets.set(bucket, offset);
    }
    this.lastTz = tz;
    this.lastBucket = bucket;
    this.lastOffset = offset;
    return offset;
  }

  private zone(tz: string): Zone | null {
    let zone = this.zones.get(tz);
    if (zone) return zone;
    try {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
      zone = { format, offsets: new Map() };
    } catch {
      return null; // an invalid zone name: callers use the default zone (account time zones are validated at ingest)
    }
    this.zones.set(tz, zone);
    return zone;
  }
}

function computeOffset(format: Intl.DateTimeFormat, t: number): number {
  const parts = format.formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - t;
}

/** Whether a local minute-of-day lies in `[from, to)`; from > to wraps midnight. */
export function inHours(minute: number, hours: { from: number; to: number }): boolean {
  return hours.from < hours.to ? minute >= hours.from && minute < hours.to : minute >= hours.from || minute < hours.to;
}
