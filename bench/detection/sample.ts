// Prints a small NDJSON sample of the detection week (the committed sample.ndjson): the reseller and its channels,
// one customer of each honest profile with its calls on Monday 09:00-09:10, and one attacked customer of each attack
// type with its first 10 minutes of attack calls. `npx tsx bench/detection/sample.ts > bench/detection/sample.ndjson`
import { generateWeek } from './generate.js';
import { accountRecord, cdrRecord } from './records.js';
import type { Call, PlatformAccount } from './types.js';

const week = generateWeek();
const picked: PlatformAccount[] = [];
const seen = new Set<string>();
for (const a of week.accounts) {
  const key = a.type !== 'customer' ? a.id : a.attack ? `attack:${a.attack.type}` : `profile:${a.profile}`;
  if (seen.has(key)) continue;
  seen.add(key);
  picked.push(a);
}
const byId = new Map(picked.map((a) => [a.id, a]));
const mon9 = week.startMs + 9 * 3_600_000;
const keep = (c: Call) => {
  const a = byId.get(c.accountId);
  if (!a) return false;
  if (a.attack) return c.attack !== null && c.startMs < a.attack.startMs + 10 * 60_000;
  return c.startMs >= mon9 && c.startMs < mon9 + 10 * 60_000;
};
const out: string[] = picked.map((a) => JSON.stringify(accountRecord(a)));
for (const c of week.calls.filter(keep)) out.push(JSON.stringify(cdrRecord(c, 'end')));
process.stdout.write(`${out.join('\n')}\n`);
