// What a replay found, read back from its throwaway store: every hold placed, review decision opened, alert raised
// and hold lifted, in time order, with the rule (or dunning policy) and its evidence. Table or JSON.
import type { EngineKind } from '../rules/engine-kind.js';
import type { Queryable } from '../store/db.js';
import { evidenceText } from '../domain/evidence-text.js';

export interface ReplayFinding {
  at: string;
  accountId: string;
  action: 'suspend' | 'review' | 'alert' | 'lift' | 'dunning';
  source: string;
  reason: string | null;
  evidence: Record<string, unknown> | null;
}

export interface ReplayReport {
  records: Record<string, { accepted: number; duplicate: number; rejected: number }>;
  sweeps: number;
  /** Whether the input held invoice events (without them no dunning sweep is simulated or reported). */
  invoices?: boolean;
  /** `--enforce`: outbound CDRs dropped because their account was held when the call was set up. */
  droppedAfterHold?: number;
  findings: ReplayFinding[];
  /** Accounts holding at least one hold at the end, with their hold sources. */
  suspendedAtEnd: { accountId: string; sources: string[] }[];
  /** Issue 13: every account with an email, a hold or an inherited suspension: its effective status and its emails. */
  accounts: ReplayAccount[];
  /** Every record the pipeline rejected, with its file:line and the reason naming the field. */
  rejected: { origin: string; kind: string; reason: string }[];
  /** Lines that are not JSON (not counted as rejected records of any kind). */
  unreadable: { origin: string; reason: string }[];
  /** The fraud engine asked for (FRAUD_ENGINE or --engine). */
  engine?: EngineKind;
  /** Why the replay's lanes left the engine asked for (the fused engine's fallback to the classic one), if they did. */
  engineFallbacks?: string[];
}

export interface ReplayAccount {
  accountId: string;
  /** Effective status at the end: suspended when the account or an ancestor holds a hold. */
  status: string;
  inheritedFrom: string[];
  holds: string[];
  emails: { at: string; template: string; to: string | null }[];
}

const ACTIONS: Record<string, ReplayFinding['action']> = {
  hold_placed: 'suspend',
  decision_opened: 'review',
  alert: 'alert',
  hold_lifted: 'lift',
  dunning_stage: 'dunning',
};

export async function readFindings(q: Queryable): Promise<{ findings: ReplayFinding[]; suspendedAtEnd: ReplayReport['suspendedAtEnd']; accounts: ReplayAccount[] }> {
  const audit = await q.query<{ at: Date | string; account_id: string; kind: string; actor: string; reason: string | null; evidence: Record<string, unknown> | null }>(
    `SELECT at, account_id, kind, actor, reason, evidence FROM audit WHERE kind = ANY($1::text[]) ORDER BY at, id`,
    [Object.keys(ACTIONS)],
  );
  const holds = await q.query<{ account_id: string; sources: string[] }>(
    'SELECT account_id, array_agg(source ORDER BY source) AS sources FROM holds GROUP BY account_id ORDER BY account_id',
  );
  return {
    findings: audit.rows.map((r) => ({
      // A rule's decision time is the event time of the record that crossed the level, not the batch's clock.
      at: typeof r.evidence?.at === 'string' ? r.evidence.at : new Date(r.at).toISOString(),
      accountId: r.account_id,
      action: ACTIONS[r.kind]!,
      source: r.actor,
      reason: r.reason,
      evidence: r.evidence,
    })).map((f, i) => ({ f, i })).sort((x, y) => (x.f.at < y.f.at ? -1 : x.f.at > y.f.at ? 1 : x.i - y.i)).map((x) => x.f),
    suspendedAtEnd: holds.rows.map((r) => ({ accountId: r.account_id, sources: r.sources })),
    accounts: await readAccounts(q),
  };
}

/** The emails the replay would have sent (the outbox: no dispatcher runs) and each account's last published status. */
async function readAccounts(q: Queryable): Promise<ReplayAccount[]> {
  const res = await q.query<{ account_id: string; status: { status?: string; inheritedFrom?: string[]; holds?: { source: string }[] } | null; emails: { at: string; template: string; to: string | null }[] | null }>(
    `WITH mail AS (
       SELECT o.account_id, jsonb_agg(jsonb_build_object('at', o.created_at, 'template', o.payload->>'template',
                'to', coalesce(o.payload->'to'->>'email', a.main_contact->>'email')) ORDER BY o.id) AS emails
         FROM outbox o LEFT JOIN accounts a ON a.id = o.account_id
        WHERE o.kind = 'email' GROUP BY o.account_id
     )
     SELECT coalesce(s.account_id, m.account_id) AS account_id, s.status, m.emails
       FROM (SELECT * FROM account_status WHERE status->>'status' <> 'active' OR jsonb_array_length(coalesce(status->'holds', '[]')) > 0) s
       FULL JOIN mail m ON m.account_id = s.account_id
      ORDER BY 1`,
  );
  return res.rows.map((r) => ({
    accountId: r.account_id,
    status: r.status?.status ?? 'active',
    inheritedFrom: r.status?.inheritedFrom ?? [],
    holds: (r.status?.holds ?? []).map((h) => h.source),
    emails: (r.emails ?? []).map((e) => ({ at: new Date(e.at).toISOString(), template: e.template, to: e.to })),
  }));
}

export function formatTable(r: ReplayReport): string {
  const lines: string[] = [];
  const counts = Object.entries(r.records).map(([k, c]) => `${k}: ${c.accepted} accepted, ${c.duplicate} duplicate, ${c.rejected} rejected`);
  lines.push(`records  ${counts.join('; ') || 'none'}${r.unreadable.length > 0 ? `; ${r.unreadable.length} unreadable (not JSON)` : ''}`);
  if (r.invoices !== false) lines.push(`dunning sweeps simulated: ${r.sweeps}`);
  if (r.droppedAfterHold !== undefined) lines.push(`outbound calls refused after a hold (--enforce): ${r.droppedAfterHold}`);
  if (r.engine !== undefined && r.engine !== 'classic') lines.push(`fraud engine: ${r.engine}`);
  for (const why of r.engineFallbacks ?? []) lines.push(`fraud engine fallback: ${why}`);
  lines.push('');
  const rows = r.findings.map((f) => [f.at, f.accountId, f.action, f.source, evidenceText(f.evidence)]);
  const head = ['time', 'account', 'action', 'by', 'evidence'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  if (rows.length === 0) lines.push('no account would have been suspended or flagged');
  else lines.push(fmt(head), ...rows.map(fmt));
  lines.push('', `suspended at the end: ${r.suspendedAtEnd.length === 0 ? 'none' : r.suspendedAtEnd.map((s) => `${s.accountId} (${s.sources.join(', ')})`).join(', ')}`);
  lines.push(...accountLines(r), ...inputLines(r));
  return `${lines.join('\n')}\n`;
}

function accountLines(r: ReplayReport): string[] {
  if (r.accounts.length === 0) return [];
  const out = ['', 'accounts (effective status at the end, and the emails that would have gone out):'];
  for (const a of r.accounts) {
    const inherited = a.inheritedFrom.length > 0 ? ` inheritedFrom=${a.inheritedFrom.join(',')}` : '';
    const holds = a.holds.length > 0 ? ` holds=${a.holds.join(',')}` : '';
    out.push(`  ${a.accountId}  ${a.status}${inherited}${holds}`);
    for (const e of a.emails) out.push(`    ${e.at}  ${e.template}  to ${e.to ?? '(no recipient)'}`);
  }
  return out;
}

function inputLines(r: ReplayReport): string[] {
  const out: string[] = [];
  if (r.unreadable.length > 0) {
    out.push('', `unreadable lines (not JSON): ${r.unreadable.length}`, ...r.unreadable.map((u) => `  ${u.origin}  ${u.reason}`));
  }
  if (r.rejected.length > 0) out.push('', `rejected records: ${r.rejected.length}`, ...r.rejected.map((x) => `  ${x.origin}  ${x.kind}  ${x.reason}`));
  return out;
}
