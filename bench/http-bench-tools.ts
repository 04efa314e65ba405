// What the HTTP benchmarks (api-get.ts, authorize.ts) share: running a child process for its stdout, whether
// wrk is installed, and the throwaway database each one creates on the bench server (BENCH_DATABASE_URL).
import { execFileSync, spawn } from 'node:child_process';

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

/** True when wrk is on the PATH (`wrk --version` exits 1 after printing its version). */
export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return (err as { status?: number }).status === 1;
  }
}

/** The bench server and a database named `name` on it (created and dropped by the bench). */
export function benchDatabase(name: string): { serverUrl: string; dbUrl: string } {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  return { serverUrl, dbUrl: Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString() };
}
