// A CPU profile of one synchronous piece of a bench (the in-process inspector), shared by bench/engine.ts and
// bench/fused-ceiling.ts. Open the file in Chrome's DevTools or summarise it with `npx tsx bench/profile-top.ts FILE`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/** Runs `fn` under the sampling profiler (PROFILE_US, default 200 µs) and writes the profile to `file`. */
export function profiled<T>(file: string, fn: () => T): T {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): unknown => {
    let out: unknown;
    session.post(method, params, (err, res) => {
      if (err) throw err;
      out = res;
    });
    return out;
  };
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_US ?? 200) });
  post('Profiler.start');
  const out = fn();
  const { profile: p } = post('Profiler.stop') as { profile: object };
  writeFileSync(file, JSON.stringify(p));
  session.disconnect();
  return out;
}
