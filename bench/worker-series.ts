// What an ingest worker's metric series cost across threads (branch hungworker): a worker-sized registry (30 metrics,
// 144 series: events by topic and outcome, 20 rules' hits and errors, decisions and latency histograms), timed N
// (default 2,000) times each: the worker's metrics.json(), a structured clone of it (about what the once-a-second
// `series` message costs across the port), and the main thread's CarriedSeries.render() with a carried base (once
// per worker slot per scrape). Run: npx tsx bench/worker-series.ts
import { CarriedSeries } from '../src/ingest/carried-series.js';
import { Metrics } from '../src/metrics.js';

async function main(): Promise<void> {
  const n = Number(process.env.N ?? 2_000);
  const m = new Metrics({ defaultMetrics: false });
  for (const topic of ['cdrs', 'accounts', 'invoices']) for (const outcome of ['accepted', 'duplicate', 'rejected'] as const) m.eventProcessed(topic, outcome, 5);
  for (let r = 0; r < 20; r++) {
    m.ruleHit(`rule-${r}`, 'warn');
    m.ruleHit(`rule-${r}`, 'suspend');
    m.ruleError(`rule-${r}`);
  }
  for (const reason of ['fraud', 'non_payment']) {
    m.observeDecisionLatency(reason, 0.1);
    m.decision(reason, 'rule', 'suspend');
  }
  const json = await m.json();
  const perCall = async (f: () => unknown) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) await f();
    return `${(((performance.now() - t) / n) * 1000).toFixed(0)} µs`;
  };
  const slot = new CarriedSeries();
  slot.seen(structuredClone(json));
  slot.carry();
  slot.seen(structuredClone(json));
  console.log(`${json.length} metrics, ${json.reduce((k, x) => k + x.values.length, 0)} series; per call, ${n} calls:`);
  console.log(`  metrics.json() ${await perCall(() => m.json())}`);
  console.log(`  structuredClone ${await perCall(() => structuredClone(json))}`);
  console.log(`  CarriedSeries.render() with a carried base ${await perCall(() => slot.render())}`);
}

await main();
