// CPU time of each thread of this process (Linux /proc/self/task/<tid>/stat, utime + stime, in seconds), so a bench
// can say which threads burned a phase's CPU: the main thread (tid = pid), the ingest worker threads (the threads
// started during the phase: one OS thread per worker_threads Worker), and the rest (V8's platform threads: parallel
// and concurrent GC, concurrent compilation; libuv's pool). Resolution: one clock tick (10 ms). Linux only: elsewhere
// every figure is 0.
import { readFileSync, readdirSync } from 'node:fs';

const TICK_S = 0.01; // USER_HZ is 100 on Linux

export type ThreadCpu = Map<number, number>;

export function threadCpu(): ThreadCpu {
  const out: ThreadCpu = new Map();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const t of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at state, field 3; utime is 14, stime 15.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(t), (Number(f[11]) + Number(f[12])) * TICK_S);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * CPU seconds from `before` to `after`, split: the main thread, the threads that did not exist in `known` (taken
 * before the workers started; largest first), and the others.
 */
export function threadCpuSplit(known: ThreadCpu, before: ThreadCpu, after: ThreadCpu = threadCpu()): { main: number; started: number[]; others: number } {
  let main = 0;
  let others = 0;
  const started: number[] = [];
  for (const [tid, s] of after) {
    const d = s - (before.get(tid) ?? 0);
    if (tid === process.pid) main += d;
    else if (known.has(tid)) others += d;
    else started.push(d);
  }
  started.sort((a, b) => b - a);
  return { main, started, others };
}
