// An ingest worker slot's metric series across restarts (src/ingest/carried-series.ts), summed into the main
// thread's /metrics as the daemon does: a replacement worker's counters and histograms count on from what the dead
// worker last reported, so the summed series never goes down; its gauges are not carried.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSeries, CarriedSeries, cumulativeSeries } from '../../../src/ingest/carried-series.js';
import { Metrics } from '../../../src/metrics.js';

const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
const ACCEPTED = 'suspensiond_events_total{topic="cdrs",outcome="accepted"}';

/**
 * The main thread's registry with one worker slot as its source, as worker-pipeline.ts wires it. A worker's
 * snapshots reach it through a message port, so the tests clone them (prom-client's JSON shares its live values).
 */
function mainWithSlot() {
  const main = new Metrics({ defaultMetrics: false });
  const slot = new CarriedSeries();
  main.addSource(async () => slot.render());
  return { main, slot };
}

describe('a worker slot\'s series across restarts', () => {
  it('counters, histogram buckets, sums and counts of a dead worker stay in the sum; its gauges go', async () => {
    const { main, slot } = mainWithSlot();
    main.eventProcessed('cdrs', 'accepted', 2);
    const first = new Metrics({ defaultMetrics: false });
    first.eventProcessed('cdrs', 'accepted', 5);
    first.observeDecisionLatency('fraud', 0.2);
    first.setEngineMemory({ budgetBytes: 1000, bytes: 400, inMemory: 3, spilled: 0 });
    slot.seen(structuredClone(await first.json()));
    let text = await main.render();
    expect(sample(text, ACCEPTED)).toBe(7);
    expect(sample(text, 'suspensiond_engine_memory_bytes')).toBe(400);

    slot.carry();
    text = await main.render();
    expect(sample(text, ACCEPTED)).toBe(7);
    expect(sample(text, 'suspensiond_decision_latency_seconds_count{reason="fraud"}')).toBe(1);
    expect(sample(text, 'suspensiond_engine_memory_bytes')).toBe(0);

    const second = new Metrics({ defaultMetrics: false });
    second.eventProcessed('cdrs', 'accepted', 1);
    second.observeDecisionLatency('fraud', 3);
    slot.seen(structuredClone(await second.json()));
    text = await main.render();
    expect(sample(text, ACCEPTED)).toBe(8);
    expect(sample(text, 'suspensiond_decision_latency_seconds_count{reason="fraud"}')).toBe(2);
    expect(sample(text, 'suspensiond_decision_latency_seconds_sum{reason="fraud"}')).toBeCloseTo(3.2, 9);
    expect(sample(text, 'suspensiond_decision_latency_seconds_bucket{le="0.25",reason="fraud"}')).toBe(1);
    expect(sample(text, 'suspensiond_decision_latency_seconds_bucket{le="5",reason="fraud"}')).toBe(2);
    expect(sample(text, 'suspensiond_decision_latency_seconds_bucket{le="+Inf",reason="fraud"}')).toBe(2);
  });

  it('adds series of the same name and labels whatever the label order, and keeps the others apart', () => {
    const counter = (values: { value: number; labels: Record<string, string> }[]) => [{ name: 'c_total', help: 'h', type: 'counter', aggregator: 'sum', values }] as never;
    const sum = addSeries(counter([{ value: 1, labels: { a: 'x', b: 'y' } }]), counter([{ value: 2, labels: { b: 'y', a: 'x' } }, { value: 4, labels: { a: 'z' } }]));
    expect(sum[0]!.values).toEqual([{ value: 3, labels: { a: 'x', b: 'y' } }, { value: 4, labels: { a: 'z' } }]);
    const gauge = [{ name: 'g', help: 'h', type: 'gauge', aggregator: 'sum', values: [{ value: 9, labels: {} }] }] as never;
    expect(cumulativeSeries([...counter([]), ...(gauge as unknown[])] as never).map((m) => m.name)).toEqual(['c_total']);
  });

  it('whatever a slot counts and however often its worker restarts, the summed counter never goes down', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant('restart' as const), fc.constant('scrape' as const)), { maxLength: 30 }), async (steps) => {
        const { main, slot } = mainWithSlot();
        main.eventProcessed('cdrs', 'accepted', 0);
        let worker = new Metrics({ defaultMetrics: false });
        // What the dead workers last reported, and what the live one has counted and reported.
        let carried = 0;
        let counted = 0;
        let reported = 0;
        let shown = 0;
        for (const step of steps) {
          if (step === 'restart') {
            slot.carry();
            worker = new Metrics({ defaultMetrics: false });
            carried += reported;
            counted = reported = 0;
          } else if (step === 'scrape') {
            slot.seen(structuredClone(await worker.json()));
            reported = counted;
          } else {
            worker.eventProcessed('cdrs', 'accepted', step);
            counted += step;
          }
          const now = sample(await main.render(), ACCEPTED);
          // Everything that reached the main thread, and nothing else (what a worker counted after its last report dies with it).
          expect(now).toBe(carried + reported);
          expect(now).toBeGreaterThanOrEqual(shown);
          shown = now;
        }
      }),
      { numRuns: 60 },
    );
  });
});
