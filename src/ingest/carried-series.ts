// An ingest worker slot's metric series across restarts of its thread (issue 17, parallel partitions). The main
// thread sums the workers' series into /metrics; a replacement worker's counters start again from zero, so without
// this the summed counter would go down, which Prometheus reads as a counter reset (and rate() over it overcounts).
// So each slot keeps its last-known snapshot, and when its worker is gone the counters and histograms (buckets, sum,
// count) of that snapshot are added to a base that every later snapshot of the slot is rendered on top of. Gauges
// are not carried: a dead worker's gauges (memory, accounts in memory) describe nothing any more.
// What a worker counted after its last snapshot reached the main thread (at most one stats period) is lost, as a
// crashed process loses what was not scraped; the sum never decreases.
// Pure: no prom-client, no I/O. Never: changes a gauge's value, or renders a series twice.
import type { MetricsJson } from '../metrics.js';

type Metric = MetricsJson[number];
type Value = Metric['values'][number] & { metricName?: string };

const CUMULATIVE = new Set(['counter', 'histogram']);
const isCumulative = (m: Metric) => CUMULATIVE.has(String(m.type));

function seriesKey(v: Value): string {
  const labels = Object.entries(v.labels)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${v.metricName ?? ''}\u0000${JSON.stringify(labels)}`;
}

/** The counter and histogram metrics of a snapshot: what never decreases while one worker lives. */
export function cumulativeSeries(snapshot: MetricsJson): MetricsJson {
  return snapshot.filter(isCumulative);
}

/** `a` plus `b`: values of the same metric, sample name and labels are added; every other series is kept as it is. */
export function addSeries(a: MetricsJson, b: MetricsJson): MetricsJson {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const byName = new Map<string, { metric: Metric; values: Map<string, Value> }>();
  for (const m of [...a, ...b]) {
    let entry = byName.get(m.name);
    if (!entry) {
      entry = { metric: m, values: new Map() };
      byName.set(m.name, entry);
    }
    for (const v of m.values as Value[]) {
      const key = seriesKey(v);
      const seen = entry.values.get(key);
      entry.values.set(key, seen ? { ...seen, value: seen.value + v.value } : { ...v });
    }
  }
  return [...byName.values()].map(({ metric, values }) => ({ ...metric, values: [...values.values()] }));
}

/** One worker slot's series: the carried base of its dead workers, and its live worker's last snapshot. */
export class CarriedSeries {
  private base: MetricsJson = [];
  private last: MetricsJson = [];

  /** A snapshot from the live worker (a scrape's answer, or one it sent with its stats). */
  seen(snapshot: MetricsJson): void {
    this.last = snapshot;
  }

  /** The worker is gone: its counters and histograms become the base its replacement counts on from. */
  carry(): void {
    this.base = addSeries(this.base, cumulativeSeries(this.last));
    this.last = [];
  }

  /** What /metrics shows for the slot: the base plus the live worker's series (its last snapshot if not given). */
  render(snapshot: MetricsJson = this.last): MetricsJson {
    return addSeries(this.base, snapshot);
  }
}
