// Property (issue 13): for random invoice event sequences (every type, random occurredAt order, duplicates), delivered
// between sweeps in any order and any number of times, the ladder ends with the same holds and has fired the same
// stages (for the same anchors, at the same sweeps) as when each sweep's events arrive once, sorted by occurredAt.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LadderSim, invoiceEvent, standardPolicy } from './ladder-sim.js';
import type { InvoiceEventRecord, InvoiceEventType } from '../../../src/events/types.js';

const TYPES: InvoiceEventType[] = ['issued', 'overdue', 'payment', 'paid', 'voided', 'written_off', 'disputed', 'dispute_resolved'];
const BASE = Date.parse('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const DUE = ['2026-03-01', '2026-03-04', '2026-03-09', '2026-03-20', null] as const;

const eventArb = fc.record({
  type: fc.constantFrom(...TYPES),
  invoice: fc.constantFrom('A', 'B', 'C'),
  outstanding: fc.constantFrom(0, 3, 20, 80, 150),
  due: fc.constantFrom(...DUE),
  // Minutes into a 40-day span, rounded to the hour half the time so that equal occurredAt ties happen.
  minute: fc.oneof(fc.integer({ min: 0, max: 40 * 1440 }), fc.integer({ min: 0, max: 40 * 24 }).map((h) => h * 60)),
});

function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

interface Outcome {
  holds: string[];
  fired: string[];
}

/** Sweeps daily at midnight for 46 days; before each sweep, that day's events are handed over by `deliver`. */
function run(events: InvoiceEventRecord[], policyWhen: 'below_suspend_stage' | 'balance_cleared', deliver: (day: InvoiceEventRecord[], past: InvoiceEventRecord[]) => InvoiceEventRecord[]): Outcome {
  const sim = new LadderSim({ id: 'cust-1', type: 'customer', tags: [], timezone: 'Europe/London' }, [standardPolicy({ reactivateWhen: policyWhen })]);
  const fired: string[] = [];
  const past: InvoiceEventRecord[] = [];
  for (let d = 1; d <= 46; d++) {
    const t = BASE + d * DAY;
    const day = events.filter((e) => e.occurredAt > t - DAY && e.occurredAt <= t);
    sim.receive(...deliver(day, past));
    past.push(...day);
    for (const s of sim.evaluate(t).stagesFired) fired.push(`${d}:${s.stage}@${s.invoiceId}`);
  }
  return { holds: sim.holds.map((h) => h.source).sort(), fired };
}

describe('invoice events in any order, any number of times', () => {
  it('give the same final holds and fired stages as the same events sorted by occurredAt', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 14 }), fc.integer(), fc.constantFrom('below_suspend_stage' as const, 'balance_cleared' as const), (specs, seed, when) => {
        const events = specs.map((s, i) =>
          invoiceEvent(s.type, { id: `e${i}`, invoiceId: s.invoice, outstanding: s.outstanding, dueAt: s.due, at: BASE + s.minute * 60_000 }),
        );
        const rnd = prng(seed);
        const sorted = run(events, when, (day) => [...day].sort((a, b) => a.occurredAt - b.occurredAt || (a.id < b.id ? -1 : 1)));
        const shuffled = run(events, when, (day, past) => {
          const pool = [...day, ...day.filter(() => rnd() < 0.3), ...past.filter(() => rnd() < 0.2)];
          for (let i = pool.length - 1; i > 0; i--) {
            const j = Math.floor(rnd() * (i + 1));
            [pool[i], pool[j]] = [pool[j]!, pool[i]!];
          }
          return pool;
        });
        expect(shuffled).toEqual(sorted);
      }),
      { numRuns: 300 },
    );
  });

  it('the generator reaches suspensions, lifts and reopened invoices (so the property above is not vacuous)', () => {
    const seen = { suspended: 0, lifted: 0, reopened: 0 };
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 3, maxLength: 14 }), (specs) => {
        const events = specs.map((s, i) => invoiceEvent(s.type, { id: `e${i}`, invoiceId: s.invoice, outstanding: s.outstanding, dueAt: s.due, at: BASE + s.minute * 60_000 }));
        const sim = new LadderSim(undefined, [standardPolicy()]);
        for (let d = 1; d <= 46; d++) {
          const t = BASE + d * DAY;
          sim.receive(...events.filter((e) => e.occurredAt > t - DAY && e.occurredAt <= t));
          sim.evaluate(t);
        }
        if (sim.log.some((l) => l.action.kind === 'suspend')) seen.suspended++;
        if (sim.log.some((l) => l.action.kind === 'activate')) seen.lifted++;
        const sortedEvents = [...events].sort((a, b) => a.occurredAt - b.occurredAt);
        const closedThenOpen = ['A', 'B', 'C'].some((inv) => {
          const mine = sortedEvents.filter((e) => e.invoiceId === inv).map((e) => e.type);
          const k = mine.findIndex((t) => t === 'voided' || t === 'written_off');
          return k >= 0 && mine.slice(k + 1).some((t) => t !== 'voided' && t !== 'written_off');
        });
        if (closedThenOpen) seen.reopened++;
      }),
      { numRuns: 300, seed: 13 },
    );
    expect(seen.suspended).toBeGreaterThan(10);
    expect(seen.lifted).toBeGreaterThan(5);
    expect(seen.reopened).toBeGreaterThan(10);
  });
});
