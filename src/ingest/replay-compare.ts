// `replay --compare-engines` (issue 17): the same input replayed once on each fraud engine (engine-choice.ts), and
// what differs between the two reports: findings (every hold, review, alert, lift and dunning stage, with its time,
// account, rule and evidence, values included), the accounts suspended at the end, the record counts, and any
// fallback of the fused run to the classic engine (after which the comparison would prove nothing). The operator's
// check, on their own traffic, before they switch FRAUD_ENGINE. Pure.
import type { EngineKind } from '../rules/engine-kind.js';
import type { ReplayFinding, ReplayReport } from './replay-report.js';

/** Differences listed per side, at most. */
const SHOWN = 20;

export interface EngineComparison {
  engines: readonly [EngineKind, EngineKind];
  /** Findings of each run. */
  findings: [number, number];
  /** Findings of one run the other has not (counted with multiplicity), the first SHOWN of each. */
  onlyIn: [ReplayFinding[], ReplayFinding[]];
  /** How many findings each run has that the other has not. */
  differing: [number, number];
  /** Accounts suspended at the end by one run and not by the other (or by other hold sources). */
  suspendedAtEnd: string[];
  /** Record kinds whose accepted / duplicate / rejected counts differ. */
  records: string[];
  /** Why either run left the engine it was asked for (a fallback), per run. */
  fallbacks: [string[], string[]];
  /** Nothing above differs, and neither run fell back. */
  agree: boolean;
}

const keyOf = (f: ReplayFinding) => JSON.stringify([f.at, f.accountId, f.action, f.source, f.reason, f.evidence]);

/** The findings of `a` that `b` lacks, with multiplicity. */
function missing(a: readonly ReplayFinding[], b: readonly ReplayFinding[]): ReplayFinding[] {
  const left = new Map<string, number>();
  for (const f of b) left.set(keyOf(f), (left.get(keyOf(f)) ?? 0) + 1);
  const out: ReplayFinding[] = [];
  for (const f of a) {
    const k = keyOf(f);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else out.push(f);
  }
  return out;
}

export function compareReports(engines: readonly [EngineKind, EngineKind], a: ReplayReport, b: ReplayReport): EngineComparison {
  const onlyA = missing(a.findings, b.findings);
  const onlyB = missing(b.findings, a.findings);
  const ends = (r: ReplayReport) => new Map(r.suspendedAtEnd.map((s) => [s.accountId, s.sources.join(',')]));
  const [ea, eb] = [ends(a), ends(b)];
  const suspendedAtEnd = [...new Set([...ea.keys(), ...eb.keys()])].filter((id) => ea.get(id) !== eb.get(id)).sort();
  const kinds = [...new Set([...Object.keys(a.records), ...Object.keys(b.records)])].sort();
  const records = kinds.filter((k) => JSON.stringify(a.records[k] ?? null) !== JSON.stringify(b.records[k] ?? null));
  const fallbacks: [string[], string[]] = [a.engineFallbacks ?? [], b.engineFallbacks ?? []];
  return {
    engines,
    findings: [a.findings.length, b.findings.length],
    onlyIn: [onlyA.slice(0, SHOWN), onlyB.slice(0, SHOWN)],
    differing: [onlyA.length, onlyB.length],
    suspendedAtEnd,
    records,
    fallbacks,
    agree: onlyA.length === 0 && onlyB.length === 0 && suspendedAtEnd.length === 0 && records.length === 0 && fallbacks.every((f) => f.length === 0),
  };
}

export function formatComparison(c: EngineComparison): string {
  const [x, y] = c.engines;
  const lines = [`fraud engines compared: ${x} and ${y}`, `findings: ${c.findings[0]} (${x}) and ${c.findings[1]} (${y})`];
  const finding = (f: ReplayFinding) => `  ${f.at}  ${f.accountId}  ${f.action}  ${f.source}  ${JSON.stringify(f.evidence)}`;
  for (const i of [0, 1] as const) {
    if (c.differing[i] === 0) continue;
    lines.push(`only in the ${c.engines[i]} run: ${c.differing[i]}${c.differing[i] > SHOWN ? ` (the first ${SHOWN})` : ''}`, ...c.onlyIn[i].map(finding));
  }
  if (c.suspendedAtEnd.length > 0) lines.push(`suspended at the end by one run only (or by other holds): ${c.suspendedAtEnd.join(', ')}`);
  if (c.records.length > 0) lines.push(`record counts differ: ${c.records.join(', ')}`);
  for (const i of [0, 1] as const) for (const why of c.fallbacks[i]) lines.push(`the ${c.engines[i]} run fell back to the classic engine: ${why}`);
  const differ = c.differing[0] + c.differing[1] > 0 || c.suspendedAtEnd.length > 0 || c.records.length > 0;
  if (c.agree) lines.push('the engines agree: every finding, with its evidence, and every hold at the end');
  else if (differ) lines.push('the engines DIFFER (exit status 1)');
  else lines.push('no difference found, but the comparison is incomplete: a run fell back, so the records after it ran on the classic engine twice (exit status 1)');
  return `${lines.join('\n')}\n`;
}
