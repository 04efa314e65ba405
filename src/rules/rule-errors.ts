// Errors thrown while one fraud rule judged one record (issue 12, CONTRACT §8 "a rule that throws"): the engine
// catches them per rule and per record, records them here and goes on with the record's other rules and the batch's
// other records. One log is shared by every engine (partition) of a process; the composition root reads it for the
// metric, the log line and /readyz details. Pure: the time of an error is the record's event time, never the clock.

export interface RuleError {
  ruleId: string;
  accountId: string;
  cdrId: string;
  phase: 'start' | 'end';
  /** Event time (epoch ms) of the record being judged. */
  at: number;
  message: string;
  /** The thrown value itself, for the log. */
  error: unknown;
}

export interface RuleErrorSummary {
  count: number;
  last: { accountId: string; cdrId: string; phase: 'start' | 'end'; at: string; message: string };
}

export class RuleErrors {
  private readonly byRule = new Map<string, { count: number; last: RuleError }>();
  private all = 0;

  /** `onError` runs for each error (log and metric); an exception it throws is swallowed so judging goes on. */
  constructor(private readonly onError: ((e: RuleError) => void) | null = null) {}

  record(e: RuleError): void {
    const entry = this.byRule.get(e.ruleId);
    if (entry) {
      entry.count++;
      entry.last = e;
    } else this.byRule.set(e.ruleId, { count: 1, last: e });
    this.all++;
    try {
      this.onError?.(e);
    } catch {
      // a failing listener must not turn a caught rule error into a lost batch
    }
  }

  /** Errors of one rule, or of every rule. */
  count(ruleId?: string): number {
    return ruleId === undefined ? this.all : (this.byRule.get(ruleId)?.count ?? 0);
  }

  /** Per rule: how many errors and the last one, for /readyz details. */
  summary(): Record<string, RuleErrorSummary> {
    const out: Record<string, RuleErrorSummary> = {};
    for (const [ruleId, { count, last }] of [...this.byRule].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out[ruleId] = { count, last: { accountId: last.accountId, cdrId: last.cdrId, phase: last.phase, at: isoOrNull(last.at), message: last.message } };
    }
    return out;
  }
}

function isoOrNull(t: number): string {
  return Number.isFinite(t) && Math.abs(t) < 8.64e15 ? new Date(t).toISOString() : String(t);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
