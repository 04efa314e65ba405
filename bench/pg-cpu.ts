// CPU seconds the PostgreSQL server spends for one database: its backends and the parallel workers they start,
// read from /proc (utime + stime) every `everyMs` while a phase runs. Only when the server runs on this machine and
// its processes are readable; otherwise the figure is null. A process that starts and
// ends between two samples is missed (parallel workers of short statements), so this is a floor, not an exact sum.
// Autovacuum and the checkpointer are not counted. Used by the benchmarks, never by the daemon.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

function cpuTicks(pid: string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return Number(f[11]) + Number(f[12]); // utime (14), stime (15)
  } catch {
    return null;
  }
}

/** The titles of PostgreSQL processes ("postgres: ..."), by pid; a pid is read once (`seen`), later only its stat. */
function postgresProcesses(seen: Map<string, string | null>): Array<{ pid: string; title: string }> {
  const out: Array<{ pid: string; title: string }> = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const pid of pids) {
    if (!seen.has(pid)) {
      try {
        const postgres = readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
        const title = postgres ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') : null;
        // A process just forked still has the postmaster's command line: read it again next time.
        if (title !== null && !title.startsWith('postgres: ')) continue;
        seen.set(pid, title);
      } catch {
        seen.set(pid, null); // gone, or not ours to read
      }
    }
    const title = seen.get(pid);
    if (title) out.push({ pid, title });
  }
  return out;
}

export interface PgCpuPhase {
  /** Server CPU seconds since start(); null when /proc shows no backend of the database. */
  stop(): number | null;
}

/** Starts sampling the server processes working for `dbName` (their titles name it: "postgres: ... <user> <db> ..."). */
export function pgCpu(dbName: string, everyMs = 200): PgCpuPhase {
  const base = new Map<string, number>();
  const last = new Map<string, number>();
  const seen = new Map<string, string | null>();
  const ours = (title: string, backends: Set<string>) => {
    if (title.includes(` ${dbName} `)) return true;
    const m = /parallel worker for PID (\d+)/.exec(title);
    return m !== null && backends.has(m[1]!);
  };
  const sample = (first: boolean) => {
    const procs = postgresProcesses(seen);
    const backends = new Set(procs.filter((p) => p.title.includes(` ${dbName} `)).map((p) => p.pid));
    for (const p of procs) {
      if (!ours(p.title, backends)) continue;
      const t = cpuTicks(p.pid);
      if (t === null) continue;
      // A process first seen after start began during the phase: all its CPU is the phase's.
      if (!base.has(p.pid)) base.set(p.pid, first ? t : 0);
      last.set(p.pid, t);
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample(false);
      if (last.size === 0) return null;
      let ticks = 0;
      for (const [pid, t] of last) ticks += t - (base.get(pid) ?? 0);
      return ticks / TICKS_PER_S;
    },
  };
}
