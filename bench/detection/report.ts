// The printed tables of bench:detection: one block per run (rule set x feed) and the side-by-side acceptance figures.
import { median, type WeekScore } from './score.js';
import { ATTACK_TYPES, type DetectionWeek } from './types.js';

const gbp = (micros: number) => `£${(micros / 1e6).toLocaleString('en-GB', { maximumFractionDigits: 0 })}`;
const mins = (m: number | null) => (m === null ? '-' : m < 10 ? `${m.toFixed(1)} min` : `${m.toFixed(0)} min`);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

export function formatRun(title: string, s: WeekScore, week: DetectionWeek): string {
  const out = [`== ${title}`];
  const attackRows = ATTACK_TYPES.map((type) => {
    const xs = s.attacks.filter((a) => a.type === type);
    const held = xs.filter((a) => a.holdMs !== null);
    const times = held.map((a) => Math.max(0, a.holdMs! - a.firstCallMs) / 60_000);
    const rules = [...new Set(held.map((a) => a.holdRule!))].join(',');
    return [type, `${held.length}/${xs.length}`, mins(median(times)), times.length ? mins(Math.max(...times)) : '-', gbp(xs.reduce((t, a) => t + a.costBeforeHoldMicros, 0)), rules || '-', xs.some((a) => a.heldBeforeAttack) ? 'yes' : ''];
  });
  out.push(table(['attack', 'held', 'median to hold', 'slowest', 'fraud cost before hold', 'held by', 'victim held before'], attackRows), '');
  if (process.env.DETAIL) {
    const rows = s.attacks.map((a) => [a.type, a.accountId, new Date(a.firstCallMs).toISOString().slice(5, 16), a.holdMs === null ? '-' : mins(Math.max(0, a.holdMs - a.firstCallMs) / 60_000), gbp(a.costBeforeHoldMicros), a.holdRule ?? '-']);
    out.push(table(['attack', 'account', 'first call (UTC)', 'to hold', 'cost before hold', 'rule'], rows), '');
  }
  const profRows = s.profiles.map((p) => [
    p.profile, String(p.accounts), String(p.suspended.length), String(p.warned.length),
    [...p.rules].sort((a, b) => b[1].size - a[1].size).map(([r, set]) => `${r}(${set.size})`).join(' ') || '-',
  ]);
  out.push(table(['honest profile', 'accounts', 'suspended', 'warned', 'rules fired (accounts)'], profRows), '');
  const suspended = s.profiles.flatMap((p) => p.suspended);
  if (suspended.length > 0) out.push(`honest accounts suspended: ${suspended.map((id) => `${id} (${week.accounts.find((a) => a.id === id)?.name})`).join(', ')}`);
  out.push(
    `total fraud cost before holds ${gbp(s.totalCostMicros)} (${gbp(s.totalStartedCostMicros)} counting the calls in progress at the hold to their end); median time to hold ${mins(s.medianHoldMin)}; honest: ${s.honestSuspended}/${s.honestAccounts} suspended, ${s.honestWarned} warned (${((100 * s.honestWarned) / s.honestAccounts).toFixed(1)}%)`,
    '',
  );
  return `${out.join('\n')}\n`;
}

export function formatSideBySide(results: { set: string; feed: string; score: WeekScore }[]): string {
  const out = ['== side by side'];
  const rows = results.map(({ set, feed, score: s }) => {
    const types = ATTACK_TYPES.filter((t) => s.attacks.filter((a) => a.type === t).every((a) => a.holdMs !== null)).length;
    return [set, feed === 'start' ? 'start+end' : 'end only', `${types}/${ATTACK_TYPES.length}`, `${s.attacks.filter((a) => a.holdMs !== null).length}/${s.attacks.length}`, mins(s.medianHoldMin), gbp(s.totalCostMicros), gbp(s.totalStartedCostMicros), `${s.honestSuspended}`, `${s.honestWarned} (${((100 * s.honestWarned) / s.honestAccounts).toFixed(1)}%)`];
  });
  out.push(table(['rules', 'feed', 'types fully held', 'attacks held', 'median to hold', 'fraud cost before holds', 'incl. calls in progress', 'honest suspended', 'honest warned'], rows), '');
  for (const feed of ['end', 'start']) {
    const shipped = results.find((r) => r.set === 'shipped' && r.feed === feed)?.score;
    const base = results.find((r) => r.set === 'baseline' && r.feed === feed)?.score;
    if (!shipped) continue;
    const goal = feed === 'start' ? 2 : 10;
    const checks = [
      ['every attack type detected', ATTACK_TYPES.every((t) => shipped.attacks.some((a) => a.type === t && a.holdMs !== null))],
      ['no honest account suspended', shipped.honestSuspended === 0],
      ['<= 5% of honest accounts warned', shipped.honestWarned <= 0.05 * shipped.honestAccounts],
      [`median time to hold <= ${goal} min`, shipped.medianHoldMin !== null && shipped.medianHoldMin <= goal],
      ...(base ? [[`fraud cost >= 4x lower than today's rules (${(base.totalCostMicros / Math.max(1, shipped.totalCostMicros)).toFixed(1)}x)`, base.totalCostMicros >= 4 * shipped.totalCostMicros] as const] : []),
    ] as const;
    out.push(`acceptance, ${feed === 'start' ? 'phase:start + end' : 'end records only'}: ${checks.map(([what, ok]) => `${ok ? 'PASS' : 'FAIL'} ${what}`).join('; ')}`);
  }
  return `${out.join('\n')}\n`;
}
