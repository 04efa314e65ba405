// An account part's encode and restore through the plain form (src/rules/account-part.ts, branch parts10) against
// the direct code before it (test/helpers/before-parts10/engine-snapshot.ts), in one process on the same engine
// state: bench/engine.ts's traffic (hour 1, hour 2) into one engine, then ROUNDS rounds over every account, in slices
// of 10,000 accounts whose order alternates (new first, then old first), so that drift and other load fall on both
// alike. Encode: encodeAccount of each account (what a state write does for its dirty accounts; the bytes are checked
// equal). Restore: restoreAccount of each part into an engine of the same rules (what a spilled account's reload and
// evaluateSetup's dry run do). Decode: decodeParts of every part (a partition's restore). CPU µs per account, each
// side, and new/old.
// `npx tsx bench/parts-ab.ts` (ACCOUNTS, default 100,000; ROUNDS, default 6).
import { readFileSync } from 'node:fs';
import * as now from '../src/rules/engine-snapshot.js';
import { EngineState } from '../src/rules/engine-state.js';
import { createFraudEngine } from '../src/rules/fraud-engine.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import type { AccountProfile } from '../src/rules/types.js';
import * as was from '../test/helpers/before-parts10/engine-snapshot.js';
import { profile, rng, ukNumber } from '../test/helpers/traffic.js';
import { batchOf, hourOfTraffic } from './engine-traffic.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const SLICE = 10_000;
/** `AA=1`: the old code on both sides (the harness's own bias). */
const AA = process.env.AA === "1";
const rulesFile = new URL('../rules/fraud.yaml', import.meta.url).pathname;
const rules = buildRuleSet([{ file: rulesFile, text: readFileSync(rulesFile, 'utf8') }], 'bench').rules.fraud;
const r = rng(1);
const favourites = Array.from({ length: ACCOUNTS }, () => Array.from({ length: 5 }, () => ukNumber(r)));
const profiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`acct-${a}`));
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'Europe/London' };
const engine = createFraudEngine(rules, opts);
for (let h = 0; h < 2; h++) {
  const hour = hourOfTraffic(h, r, favourites, ACCOUNTS, 5);
  const batch = batchOf(hour, 0, hour.account.length);
  for (let i = 0; i < batch.length; i++) engine.process(batch[i]!, profiles[hour.account[i]!]!);
}
const st = engine.state;
const ids = [...st.accounts.numbers()].map(([id]) => id);
const parts = ids.map((id) => {
  const p = was.encodeAccount(st, id)!;
  if (Buffer.compare(p, now.encodeAccount(st, id)!) !== 0) throw new Error(`${id}: the parts differ`);
  return p;
});
const shared = now.encodeShared(st);

const cpu = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
type Side = 'new' | 'old';
const totals = { encode: { new: 0, old: 0 }, restore: { new: 0, old: 0 }, decode: { new: 0, old: 0 } };
const targets = { new: new EngineState(rules, opts.allowedLatenessMs), old: new EngineState(rules, opts.allowedLatenessMs) };
let sink = 0;

function encodeSlice(side: Side, from: number, to: number): number {
  const t0 = cpu();
  const enc = side === "new" && !AA ? now.encodeAccount : was.encodeAccount;
  for (let i = from; i < to; i++) sink += enc(st, ids[i]!)!.byteLength;
  return cpu() - t0;
}

function restoreSlice(side: Side, from: number, to: number): number {
  const t0 = cpu();
  const restore = side === "new" && !AA ? now.restoreAccount : was.restoreAccount;
  const into = targets[side];
  for (let i = from; i < to; i++) restore(into, ids[i]!, parts[i]!);
  return cpu() - t0;
}

function decodeAll(side: Side): number {
  const t0 = cpu();
  const dec = side === "new" && !AA ? now.decodeParts : was.decodeParts;
  const s = dec(shared, ids.map((id, i) => [id, parts[i]!] as const), rules, opts.allowedLatenessMs);
  sink += s.accounts.size;
  return cpu() - t0;
}

for (let round = 0; round < ROUNDS; round++) {
  for (let from = 0, k = 0; from < ids.length; from += SLICE, k++) {
    const to = Math.min(ids.length, from + SLICE);
    const order: Side[] = (round + k) % 2 === 0 ? ['new', 'old'] : ['old', 'new'];
    for (const side of order) totals.encode[side] += encodeSlice(side, from, to);
    for (const side of order) totals.restore[side] += restoreSlice(side, from, to);
  }
  const order: Side[] = round % 2 === 0 ? ['new', 'old'] : ['old', 'new'];
  for (const side of order) totals.decode[side] += decodeAll(side);
}
for (const side of ['new', 'old'] as const) if (now.encodeAccount(targets[side], ids[0]!) === null) throw new Error('not restored');

const per = (us: number) => us / (ROUNDS * ids.length);
console.log(`accounts: ${ids.length}, rounds: ${ROUNDS}, part bytes per account: ${(parts.reduce((n, p) => n + p.byteLength, 0) / ids.length).toFixed(0)} (sink ${sink % 7})`);
for (const [what, t] of Object.entries(totals)) {
  console.log(`${what}: new ${per(t.new).toFixed(2)} µs, old ${per(t.old).toFixed(2)} µs of CPU per account, new/old ${(t.new / t.old).toFixed(3)}`);
}
