// LiveCalls alone (concurrency-state.ts) on the bench's end-only traffic, against another tree's: 100,000 accounts,
// 5 calls/h, three concurrent_calls rules' states each, driven as measure() drives them (open, evict, end unless the
// account has no live calls, interval). `BASE=/tmp/base-x` (an archive of main with node_modules) runs its LiveCalls
// interleaved with this tree's in batches of 10,000 records, so both see the same load; without BASE this tree's
// runs twice. Prints CPU ns per record per rule for each hour and whether both answered the same.
// Run: `BASE=/tmp/base-x npx tsx bench/live-calls-ab.ts` (`A=` accounts, `H=` hours; default 100,000 and 4).
import { hash53 } from '../src/rules/hash.js';

interface Calls {
  grow(n: number): void;
  open(ix: number): void;
  evict(ix: number, wm: number): void;
  hasLive?(ix: number): boolean;
  end(ix: number, id: number): boolean;
  interval(ix: number, s: number, e: number): number;
}
type Module = { LiveCalls: new () => Calls };

const here = (await import('../src/rules/concurrency-state.js')) as unknown as Module;
const base = process.env.BASE ? ((await import(`${process.env.BASE}/src/rules/concurrency-state.ts`)) as Module) : here;
const A = Number(process.env.A ?? 100_000);
const H = Number(process.env.H ?? 4);
const C = 5;
const HOUR = 3_600_000;
const START = Date.parse('2026-11-24T09:00:00Z');
let seed = 1;
const r = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

/** One hour of end-only records, in end order (as bench/engine.ts makes them: start in the hour, 5-245 s long). */
function hour(h: number): { acct: Int32Array; s: Float64Array; e: Float64Array; ids: string[] } {
  const n = A * C;
  const acct = new Int32Array(n);
  const s = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    acct[i] = (i / C) | 0;
    s[i] = START + h * HOUR + Math.floor(r() * (HOUR - 300_000));
    e[i] = s[i]! + 5000 + Math.floor(r() * 240) * 1000;
  }
  const o = Array.from({ length: n }, (_, j) => j).sort((p, q) => e[p]! - e[q]!);
  return {
    acct: Int32Array.from(o, (j) => acct[j]!), s: Float64Array.from(o, (j) => s[j]!), e: Float64Array.from(o, (j) => e[j]!),
    ids: o.map((j) => `b${h}-${acct[j]}-${j % C}`),
  };
}

// Two copies of one driver, one for each tree, so that neither's calls see the other's class (a call site that
// sees two classes inlines neither).
function make(M: Module) {
  const ls = Array.from({ length: 3 }, () => {
    const c = new M.LiveCalls();
    c.grow(A);
    return c;
  });
  const maxT = new Float64Array(A);
  const out = { sink: 0, run };
  function run(h: ReturnType<typeof hour>, from: number, to: number): number {
    const c0 = process.cpuUsage();
    for (let i = from; i < to; i++) {
      const ix = h.acct[i]!;
      const t = h.e[i]!;
      if (t > maxT[ix]!) maxT[ix] = t;
      const wm = maxT[ix]! - 300_000;
      for (const conc of ls) {
        conc.open(ix);
        conc.evict(ix, wm);
        if ((conc.hasLive === undefined || conc.hasLive(ix)) && conc.end(ix, hash53(h.ids[i]!, 1))) continue;
        out.sink += conc.interval(ix, h.s[i]!, t);
      }
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) * 1000;
  }
  return out;
}

function make2(M: Module) {
  const ls = Array.from({ length: 3 }, () => {
    const c = new M.LiveCalls();
    c.grow(A);
    return c;
  });
  const maxT = new Float64Array(A);
  const out = { sink: 0, run };
  function run(h: ReturnType<typeof hour>, from: number, to: number): number {
    const c0 = process.cpuUsage();
    for (let i = from; i < to; i++) {
      const ix = h.acct[i]!;
      const t = h.e[i]!;
      if (t > maxT[ix]!) maxT[ix] = t;
      const wm = maxT[ix]! - 300_000;
      for (const conc of ls) {
        conc.open(ix);
        conc.evict(ix, wm);
        if ((conc.hasLive === undefined || conc.hasLive(ix)) && conc.end(ix, hash53(h.ids[i]!, 1))) continue;
        out.sink += conc.interval(ix, h.s[i]!, t);
      }
    }
    const c = process.cpuUsage(c0);
    return (c.user + c.system) * 1000;
  }
  return out;
}

const runs = { here: make(here), base: make2(base) };
for (let i = 0; i < H; i++) {
  const h = hour(i);
  const ns = { here: 0, base: 0 };
  const n = h.acct.length;
  for (let f = 0, b = 0; f < n; f += 10_000, b++) {
    const order = b % 2 === 0 ? (['here', 'base'] as const) : (['base', 'here'] as const);
    for (const k of order) ns[k] += runs[k].run(h, f, Math.min(n, f + 10_000));
  }
  console.log(`hour ${i + 1}: this tree ${(ns.here / (3 * n)).toFixed(0)} ns, base ${(ns.base / (3 * n)).toFixed(0)} ns per record per rule`);
}
console.log(`same answers: ${runs.here.sink === runs.base.sink} (sum ${runs.here.sink})`);
