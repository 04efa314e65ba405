// Summarises a V8 CPU profile (`PROFILE=file` of bench/engine.ts, or node --cpu-prof): self time by function and by
// file, top entries first. `npx tsx bench/profile-top.ts file.cpuprofile [N]`.
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
const prof = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(process.argv[3] ?? 40);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i]!, (self.get(prof.samples[i]!) ?? 0) + (prof.timeDeltas[i] ?? 0));
let total = 0;
const fns = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const file = n.callFrame.url.replace(/^.*\/(src|bench|test|node_modules)\//, '$1/').replace(/\?.*$/, '') || '(native)';
  const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  files.set(file, (files.get(file) ?? 0) + us);
  total += us;
}
const pct = (x: number) => ((100 * x) / total).toFixed(1).padStart(5);
console.log(`total ${(total / 1000).toFixed(0)} ms`);
for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)}%  ${k}`);
console.log('--- by file');
for (const [k, v] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)}%  ${k}`);
