// Writes the demo's sample set into examples/ from the detection evaluation's generator (bench/detection), so the
// demo stays true as the rules improve: `npx tsx scripts/make-examples.ts`. Deterministic for a seed.
// - the platform: 2 resellers, 5 channels and ~200 customers (every attacked customer whose attack starts in the
//   demo day, two outbound call centres, one inbound, and up to four customers of each other rarer honest profile, and offices and sole traders to make up the number);
// - a day of their CDRs (end records), chosen as the 24 h of the week in which the most kinds of attack begin,
//   a PBX hack among them;
// - a month of invoice events: each customer's October invoice, paid before it falls due, except one customer's,
//   which goes through the dunning ladder and is paid during the demo day;
// - demo.json: the day, the operator's scripted action (a channel suspended in the afternoon), and the storyline
//   accounts, read back from a replay of the files with the shipped rules (the fraud, review and dunning cases).
// Never: run at install time or in tests; the files it writes are committed.
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { generateWeek } from '../bench/detection/generate.js';
import { accountRecord, cdrRecord } from '../bench/detection/records.js';
import type { Call, PlatformAccount } from '../bench/detection/types.js';
import { replayToStore } from '../src/ingest/replay.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'examples');
const WEEK_START = '2026-11-16T00:00:00Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TARGET_CUSTOMERS = 200;

const iso = (ms: number): string => new Date(ms).toISOString();
const ndjson = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function chooseDay(accounts: readonly PlatformAccount[], weekStart: number): number {
  // Whole hours of the week: the 24 h window in which the most kinds of attack begin (early enough to be caught
  // before the day ends), a PBX hack among them.
  let best = weekStart;
  let bestScore = -1;
  for (let h = 0; h + 24 <= 7 * 24; h++) {
    const from = weekStart + h * HOUR;
    const kinds = new Set(accounts.filter((a) => a.attack && a.attack.startMs >= from && a.attack.startMs < from + 20 * HOUR).map((a) => a.attack!.type));
    const score = kinds.has('pbx-hack-after-hours') ? kinds.size : -1;
    if (score > bestScore) [best, bestScore] = [from, score];
  }
  return best;
}

function selectCustomers(accounts: readonly PlatformAccount[], dayStart: number): PlatformAccount[] {
  const customers = accounts.filter((a) => a.type === 'customer');
  const attacked = customers.filter((a) => a.attack && a.attack.startMs >= dayStart && a.attack.startMs < dayStart + 20 * HOUR);
  const honest = customers.filter((a) => !a.attack);
  // At most four of each rarer profile: enough to show them, few enough that the day stays quick to play.
  const seen = new Map<string, number>();
  // The largest call centres first: a 40-seat predictive dialler is what a newcomer should see judged.
  const bySize = [...honest].sort((x, y) => y.lines - x.lines);
  const rare = bySize.filter((a) => {
    if (a.profile === 'sme-office' || a.profile === 'sole-trader') return false;
    const n = (seen.get(a.profile!) ?? 0) + 1;
    seen.set(a.profile!, n);
    // A call centre makes thousands of calls a day: a few keep the sample files small.
    return n <= (a.profile === 'outbound-call-centre' ? 2 : a.profile === 'inbound-call-centre' ? 1 : 4);
  });
  const common = honest.filter((a) => a.profile === 'sme-office' || a.profile === 'sole-trader');
  const fill = Math.max(0, TARGET_CUSTOMERS - attacked.length - rare.length);
  return [...attacked, ...rare, ...common.slice(0, fill)];
}

/** Two resellers and five channels: the generator's reseller keeps three channels; the fourth moves to a second
 *  reseller, which gets a new channel of its own with half of the fourth's customers. */
function reshapeTree(accounts: readonly PlatformAccount[], customers: PlatformAccount[]): PlatformAccount[] {
  const resellers = accounts.filter((a) => a.type === 'reseller');
  const channels = accounts.filter((a) => a.type === 'channel');
  const first = resellers[0]!;
  const moved = channels[channels.length - 1]!;
  const harbour: PlatformAccount = {
    ...first, id: 'res-harbour', name: 'Harbour Networks plc', mainContact: { name: 'Risk Team', email: 'risk@harbour-networks.example' },
  };
  const direct: PlatformAccount = {
    ...moved, id: 'chan-harbour-direct', parentId: harbour.id, name: 'Harbour Direct', mainContact: { name: 'Direct Sales', email: 'direct@harbour-networks.example' },
  };
  let flip = false;
  const reparented = customers.map((c) => {
    if (c.parentId !== moved.id) return c;
    flip = !flip;
    return flip ? { ...c, parentId: direct.id } : c;
  });
  return [first, harbour, ...channels.slice(0, -1), { ...moved, parentId: harbour.id }, direct, ...reparented];
}

function invoices(customers: readonly PlatformAccount[], dunning: PlatformAccount, dayStart: number): Record<string, unknown>[] {
  const issued = Date.parse('2026-10-15T06:00:00Z');
  const due = '2026-10-29';
  const out: Record<string, unknown>[] = [];
  customers.forEach((c, i) => {
    // Line rental plus usage, as a small business's monthly bill: £15-£25 a line (Ofcom pricing trends, 2024).
    const total = (c.lines * (15 + (i % 11)) + 12.5).toFixed(2);
    const base = { invoiceId: `INV-2026-10-${String(1000 + i)}`, accountId: c.id, currency: 'GBP', total, dueAt: due };
    out.push({ ...base, id: `evt-${c.id}-issued`, type: 'issued', outstanding: total, occurredAt: iso(issued + i * 60_000) });
    if (c.id === dunning.id) {
      out.push({ ...base, id: `evt-${c.id}-overdue`, type: 'overdue', outstanding: total, occurredAt: '2026-10-30T06:00:00Z' });
      out.push({ ...base, id: `evt-${c.id}-paid`, type: 'paid', outstanding: '0.00', occurredAt: iso(dayStart + 15 * HOUR + 7 * 60_000) });
    } else {
      out.push({ ...base, id: `evt-${c.id}-paid`, type: 'paid', outstanding: '0.00', occurredAt: iso(Date.parse('2026-10-20T09:00:00Z') + i * 3_600_000) });
    }
  });
  return out;
}

async function main(): Promise<void> {
  const week = generateWeek({ startIso: WEEK_START });
  const dayStart = chooseDay(week.accounts, week.startMs);
  const customers = selectCustomers(week.accounts, dayStart);
  const ids = new Set(customers.map((c) => c.id));
  const platform = reshapeTree(week.accounts, customers);
  const calls = week.calls.filter((c: Call) => ids.has(c.accountId) && c.endMs >= dayStart && c.endMs < dayStart + DAY);
  const dunning = customers.find((c) => !c.attack && c.profile === 'sme-office')!;
  const channel = platform.find((a) => a.id === 'chan-harbour-direct')!;

  await mkdir(OUT, { recursive: true });
  await writeFile(path.join(OUT, 'accounts.ndjson'), ndjson(platform.map(accountRecord)));
  await writeFile(path.join(OUT, 'cdrs-day.ndjson'), ndjson(calls.map((c) => cdrRecord(c, 'end'))));
  await writeFile(path.join(OUT, 'invoices-month.ndjson'), ndjson(invoices(customers, dunning, dayStart)));

  // The storyline is what the shipped rules make of these files, read back from a replay.
  const files = ['accounts.ndjson', 'invoices-month.ndjson', 'cdrs-day.ndjson'].map((f) => path.join(OUT, f));
  const { report, close } = await replayToStore({ files, rulesDir: path.join(ROOT, 'rules'), defaultTimezone: 'Europe/London' });
  await close();
  const attackOf = new Map(customers.map((c) => [c.id, c.attack?.type ?? null]));
  const holds = report.findings.filter((f) => f.action === 'suspend' && f.source.startsWith('rule:'));
  const reviews = report.findings.filter((f) => f.action === 'review');
  const pbx = holds.find((f) => attackOf.get(f.accountId) === 'pbx-hack-after-hours') ?? holds[0];
  const review = reviews.find((f) => !holds.some((h) => h.accountId === f.accountId)) ?? reviews[0];
  const wrongful = holds.filter((f) => !attackOf.get(f.accountId));
  if (!pbx) throw new Error('the shipped rules suspend nobody for fraud on the demo day: the demo would show nothing');
  if (!review) throw new Error('the shipped rules open no review decision on the demo day');
  const plan = {
    day: iso(dayStart),
    operatorActions: [
      { at: iso(dayStart + 14 * HOUR), account: channel.id, action: 'suspend', reason: 'non_payment', note: 'Partner agreement lapsed: wholesale invoices 60 days unpaid' },
    ],
    storyline: { fraud: pbx.accountId, review: review.accountId, dunning: dunning.id, operatorChannel: channel.id },
    generatedBy: `scripts/make-examples.ts from bench/detection (seed ${week.seed}, week of ${WEEK_START.slice(0, 10)})`,
  };
  await writeFile(path.join(OUT, 'demo.json'), JSON.stringify(plan, null, 2) + '\n');
  const kinds = [...new Set(holds.map((h) => attackOf.get(h.accountId) ?? 'honest'))];
  process.stdout.write(
    `examples/: ${platform.length} accounts (${customers.length} customers), ${calls.length} CDRs on ${plan.day.slice(0, 16)}+24h\n` +
      `replay: ${holds.length} fraud holds (${kinds.join(', ')}), ${reviews.length} review decisions, ${wrongful.length} honest accounts held\n` +
      `storyline: ${JSON.stringify(plan.storyline)}\n`,
  );
}

await main();
