// `replay`'s summaries for the people who tune rules: findings filtered by `--rule` and `--account`, then counted
// per rule (holds, reviews, alerts, lifts, accounts) and per account (its first hold, and by which rule). Pure.
import type { ReplayFinding, ReplayReport } from './replay-report.js';

export interface ReplayFilter {
  /** Rule ids (or dunning policy ids); a finding matches when its source is `rule:<id>`/`dunning:<id>` or `<id>`. */
  rules?: readonly string[];
  accounts?: readonly string[];
}

export interface RuleSummary {
  source: string;
  suspend: number;
  review: number;
  alert: number;
  lift: number;
  dunning: number;
  accounts: number;
  first: string;
}

export interface AccountSummary {
  accountId: string;
  suspend: number;
  review: number;
  alert: number;
  /** The first hold's decision time and source, if any. */
  firstHold: { at: string; source: string } | null;
  sources: string[];
}

export interface ReplaySummary {
  rules: RuleSummary[];
  accounts: AccountSummary[];
}

const bareId = (source: string) => source.replace(/^(rule|dunning|operator):/, '');

export function filterFindings(findings: readonly ReplayFinding[], f: ReplayFilter | undefined): ReplayFinding[] {
  const rules = f?.rules?.length ? new Set(f.rules) : null;
  const accounts = f?.accounts?.length ? new Set(f.accounts) : null;
  return findings.filter((x) => (!rules || rules.has(x.source) || rules.has(bareId(x.source))) && (!accounts || accounts.has(x.accountId)));
}

/** The report with its findings and end state narrowed to the filter. */
export function filterReport(r: ReplayReport, f: ReplayFilter | undefined): ReplayReport {
  if (!f?.rules?.length && !f?.accounts?.length) return r;
  const accounts = f.accounts?.length ? new Set(f.accounts) : null;
  const rules = f.rules?.length ? new Set(f.rules) : null;
  const suspendedAtEnd = r.suspendedAtEnd
    .filter((s) => !accounts || accounts.has(s.accountId))
    .map((s) => ({ ...s, sources: s.sources.filter((src) => !rules || rules.has(src) || rules.has(bareId(src))) }))
    .filter((s) => s.sources.length > 0);
  const perAccount = accounts ? r.accounts.filter((a) => accounts.has(a.accountId)) : r.accounts;
  return { ...r, findings: filterFindings(r.findings, f), suspendedAtEnd, accounts: perAccount };
}

export function summarise(findings: readonly ReplayFinding[]): ReplaySummary {
  const rules = new Map<string, RuleSummary & { ids: Set<string> }>();
  const accounts = new Map<string, AccountSummary & { set: Set<string> }>();
  for (const x of findings) {
    const r = rules.get(x.source) ?? rules.set(x.source, { source: x.source, suspend: 0, review: 0, alert: 0, lift: 0, dunning: 0, accounts: 0, first: x.at, ids: new Set() }).get(x.source)!;
    r[x.action]++;
    r.ids.add(x.accountId);
    if (x.at < r.first) r.first = x.at;
    const a = accounts.get(x.accountId) ?? accounts.set(x.accountId, { accountId: x.accountId, suspend: 0, review: 0, alert: 0, firstHold: null, sources: [], set: new Set() }).get(x.accountId)!;
    if (x.action === 'suspend' || x.action === 'review' || x.action === 'alert') a[x.action]++;
    if (x.action === 'suspend' && (a.firstHold === null || x.at < a.firstHold.at)) a.firstHold = { at: x.at, source: x.source };
    a.set.add(x.source);
  }
  return {
    rules: [...rules.values()].map(({ ids, ...r }) => ({ ...r, accounts: ids.size })).sort((p, q) => q.suspend - p.suspend || q.review - p.review || q.alert - p.alert || (p.source < q.source ? -1 : 1)),
    accounts: [...accounts.values()].map(({ set, ...a }) => ({ ...a, sources: [...set].sort() })).sort((p, q) => (p.accountId < q.accountId ? -1 : p.accountId > q.accountId ? 1 : 0)),
  };
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

export function formatSummary(s: ReplaySummary): string {
  if (s.rules.length === 0) return '';
  const lines = ['', 'per rule:'];
  lines.push(...table(['rule', 'holds', 'reviews', 'alerts', 'lifts', 'accounts', 'first'], s.rules.map((r) => [r.source, String(r.suspend), String(r.review), String(r.alert), String(r.lift), String(r.accounts), r.first])));
  lines.push('', 'per account:');
  lines.push(...table(['account', 'holds', 'reviews', 'alerts', 'first hold', 'rules'], s.accounts.map((a) => [a.accountId, String(a.suspend), String(a.review), String(a.alert), a.firstHold ? `${a.firstHold.at} ${a.firstHold.source}` : '-', a.sources.join(', ')])));
  return `${lines.join('\n')}\n`;
}
