// Which fraud engine a lane runs (issue 17): `classic` (src/rules/fraud-engine.ts, the reference) or `fused`
// (src/rules/fused/fused-engine.ts: the same decisions, the rules' per-CDR work done together, faster). One place
// builds either, so the daemon's lanes, its ingest workers and replay make the same choice from the same setting
// (FRAUD_ENGINE, README). A rule set the fused engine cannot hold (more than 30 rules) runs on the classic engine,
// and `onFallback` is told why (the caller logs it and shows it on /readyz; a fallback never changes a decision, only
// the speed). Pure.
import type { FraudEngineOptions } from './fraud-engine.js';
import { createFraudEngine } from './fraud-engine.js';
import { createFusedEngine } from './fused/fused-engine.js';
import type { FraudEngine, FraudRule } from './types.js';

export type EngineKind = 'classic' | 'fused';
export const ENGINE_KINDS: readonly EngineKind[] = ['classic', 'fused'];

/** The most rules the fused engine holds (a rule's bit in a row's int32 mask, two bits kept for flags). */
export const FUSED_MAX_RULES = 30;

/** Why `kind` cannot run `rules` (null: it can). */
export function engineCannotHold(kind: EngineKind, rules: readonly FraudRule[]): string | null {
  if (kind === 'fused' && rules.length > FUSED_MAX_RULES) return `the fused engine holds at most ${FUSED_MAX_RULES} rules and the rule set has ${rules.length}`;
  return null;
}

export function createEngineOf(kind: EngineKind, rules: readonly FraudRule[], opts: FraudEngineOptions, onFallback?: (reason: string) => void): FraudEngine {
  const cannot = engineCannotHold(kind, rules);
  if (cannot !== null) onFallback?.(`${cannot}: running the classic engine`);
  if (kind === 'fused' && cannot === null) return createFusedEngine(rules, opts);
  return createFraudEngine(rules, opts);
}
