// The fused ceiling's evaluator (bench/fused/fused-evaluator.ts) makes the engine's decisions: every outcome and
// every hit (level, value, threshold, time, window, samples) on the bench's traffic with duplicates, held-back and
// old records, with the shipped rules and with levels lowered so that thousands of hits are compared.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lowered, parityOf } from '../../../bench/fused/parity.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';

const file = new URL('../../../rules/fraud.yaml', import.meta.url).pathname;
const shipped = buildRuleSet([{ file, text: readFileSync(file, 'utf8') }], 'test').rules.fraud;

describe('the fused ceiling evaluator', () => {
  it('decides as the engine does with the shipped rules', () => {
    const p = parityOf(shipped, 2_000, 5, 1_000);
    expect(p.outcomes.duplicate).toBeGreaterThan(0);
    expect(p.outcomes.late).toBeGreaterThan(0);
    expect(p.beyond).toBeGreaterThan(0);
    expect(p.mismatches).toBe(0);
  });

  it('decides as the engine does on thousands of hits of every rule ordinary calls reach', () => {
    const p = parityOf(lowered(shipped), 2_000, 5, 1_000);
    expect(p.hits).toBeGreaterThan(5_000);
    for (const id of ['long-call', 'expensive-call', 'call-burst', 'concurrent-calls', 'spend-1h', 'spend-24h', 'range-scan', 'repeated-callee']) {
      expect(p.byRule[id] ?? 0).toBeGreaterThan(50);
    }
    expect(p.mismatches).toBe(0);
  });
});
