// The fraud engine's whole state, kept apart from the logic so that it snapshots as one value: per-account rule
// states, the dedupe horizon, the partition's latest event time, and the periodic sweep that forgets idle accounts
// and expired dedupe keys (so memory stays bounded by the active accounts). Pure.
import { DedupeTable } from './dedupe-table.js';
import type { FraudRule } from './types.js';
import { LIVE_MAX_MS } from './concurrency-state.js';
import type { RuleState } from './rule-state.js';

/** How far an account may lag the partition's latest event before its old events count as late (see fraud-engine.ts). */
export const GLOBAL_SKEW_MS = 3_600_000;
const SWEEP_EVERY_MS = 15 * 60_000;
const RING = 8;
const DAY = 86_400_000;

export interface AccountState {
  /** Latest event time seen for the account. */
  maxT: number;
  /** Per rule index; only rules that matched one of its CDRs. */
  rs: (RuleState | undefined)[];
  /** The last few matched CDRs (id, event time, mask of rule indices < 30), for evidence samples. */
  ringIds: string[] | null;
  ringTimes: number[] | null;
  ringMasks: number[] | null;
  ringNext: number;
}

/** What a rule's state depends on: a changed rule with the same id starts afresh. */
export function ruleFingerprint(r: FraudRule): string {
  return JSON.stringify([r.match, r.measure, r.windowMs, r.rangeDigits, r.baseline]);
}

export class EngineState {
  readonly accounts = new Map<string, AccountState>();
  /** hash(id, phase) -> event time. */
  readonly dedupe = new DedupeTable();
  globalMax = Number.NEGATIVE_INFINITY;
  nextSweep = Number.NEGATIVE_INFINITY;
  readonly maxWindowMs: number;
  /** An account idle this long (behind the partition's latest event) is forgotten. */
  readonly idleMs: number;
  private readonly index = new Map<string, number>();

  constructor(readonly rules: readonly FraudRule[], readonly latenessMs: number) {
    this.maxWindowMs = Math.max(0, ...rules.map((r) => r.windowMs ?? 0));
    const maxCooldown = Math.max(0, ...rules.map((r) => r.cooldownMs ?? r.windowMs ?? 3_600_000));
    this.idleMs = Math.max(2 * DAY, 2 * this.maxWindowMs + latenessMs + GLOBAL_SKEW_MS + Math.max(maxCooldown, LIVE_MAX_MS));
    rules.forEach((r, i) => this.index.set(r.id, i));
  }

  indexOf(ruleId: string): number {
    return this.index.get(ruleId)!;
  }

  globalLateBefore(): number {
    return this.globalMax - this.latenessMs - this.maxWindowMs - GLOBAL_SKEW_MS;
  }

  newAccount(): AccountState {
    return { maxT: Number.NEGATIVE_INFINITY, rs: [], ringIds: null, ringTimes: null, ringMasks: null, ringNext: 0 };
  }

  remember(acct: AccountState, id: string, t: number, mask: number): void {
    if (!acct.ringIds) {
      acct.ringIds = new Array<string>(RING).fill('');
      acct.ringTimes = new Array<number>(RING).fill(0);
      acct.ringMasks = new Array<number>(RING).fill(0);
    }
    const j = acct.ringNext;
    acct.ringIds[j] = id;
    acct.ringTimes![j] = t;
    acct.ringMasks![j] = mask;
    acct.ringNext = (j + 1) % RING;
  }

  /** Moves the partition's clock; every SWEEP_EVERY_MS of event time, forgets what can no longer matter. */
  advance(t: number): void {
    if (t <= this.globalMax) return;
    this.globalMax = t;
    if (t < this.nextSweep) return;
    if (this.nextSweep !== Number.NEGATIVE_INFINITY) this.sweep();
    this.nextSweep = t + SWEEP_EVERY_MS;
  }

  sweep(): void {
    const lateBefore = this.globalLateBefore();
    this.dedupe.sweep(lateBefore);
    const idleBefore = this.globalMax - this.idleMs;
    for (const [id, acct] of this.accounts) if (acct.maxT < idleBefore) this.accounts.delete(id);
  }

  /** The same state under a new rule set: rule states move by id when the rule's fingerprint is unchanged. */
  withRules(rules: readonly FraudRule[]): EngineState {
    const next = new EngineState(rules, this.latenessMs);
    const map = this.rules.map((old) => {
      const i = rules.findIndex((r) => r.id === old.id);
      return i >= 0 && ruleFingerprint(rules[i]!) === ruleFingerprint(old) ? i : -1;
    });
    next.globalMax = this.globalMax;
    next.nextSweep = this.nextSweep;
    const dd = this.dedupe.entries();
    for (let i = 0; i < dd.length; i += 2) next.dedupe.add(dd[i]!, dd[i + 1]!);
    for (const [id, acct] of this.accounts) {
      const rs: (RuleState | undefined)[] = [];
      acct.rs.forEach((s, i) => {
        if (s && map[i]! >= 0) rs[map[i]!] = s;
      });
      next.accounts.set(id, { maxT: acct.maxT, rs, ringIds: null, ringTimes: null, ringMasks: null, ringNext: 0 });
    }
    return next;
  }
}
