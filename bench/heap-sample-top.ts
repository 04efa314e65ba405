// Summarises a V8 sampling heap profile (`HEAP_SAMPLE=file` of bench/ingest.ts): sampled bytes by allocating
// function (self) and by the first frame of ours (src/ or bench/) on the stack, top entries first.
// `npx tsx bench/heap-sample-top.ts file [N]`.
import { readFileSync } from 'node:fs';

interface Frame { functionName: string; url: string; lineNumber: number }
interface Node { id: number; callFrame: Frame; selfSize: number; children: Node[] }
const { head } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { head: Node };
const top = Number(process.argv[3] ?? 30);
const where = (f: Frame) => `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(src|bench|test|node_modules)\//, '$1/').replace(/\?.*$/, '') || '(native)'}:${f.lineNumber + 1}`;
const ours = (f: Frame) => /\/(src|bench)\//.test(f.url) && !f.url.includes('/node_modules/');
const self = new Map<string, number>();
const byOurs = new Map<string, number>();
let total = 0;
const walk = (n: Node, firstOurs: string | null) => {
  const mine = ours(n.callFrame) ? where(n.callFrame) : firstOurs;
  if (n.selfSize > 0) {
    total += n.selfSize;
    self.set(where(n.callFrame), (self.get(where(n.callFrame)) ?? 0) + n.selfSize);
    byOurs.set(mine ?? '(no frame of ours)', (byOurs.get(mine ?? '(no frame of ours)') ?? 0) + n.selfSize);
  }
  for (const c of n.children) walk(c, mine);
};
walk(head, null);
const line = (k: string, v: number) => `${(v / 2 ** 20).toFixed(1).padStart(7)} MB ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`;
console.log(`sampled ${(total / 2 ** 20).toFixed(1)} MB`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(line(k, v));
console.log('--- by the innermost frame of ours (src/, bench/) above the allocation');
for (const [k, v] of [...byOurs].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(line(k, v));
