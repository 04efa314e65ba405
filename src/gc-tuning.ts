// The daemon's garbage-collector settings, set by the process that runs it (`suspensiond run`) and by the ingest
// benches, before anything is built.
// - No allocation-site pretenuring. Once most instances of an object literal survived a scavenge, V8 allocates its
//   later instances straight in the old space, for good. The ingest path makes its records a chunk at a time (kafkajs
//   decodes a whole fetch; the pipeline decodes, then evaluates, 2,000 records), so scavenges find chunks alive, and
//   V8 tenured the decoded CDRs, the step results and the profiles: a sampling heap profile of 300,000 CDRs without
//   rules had 71 MB of decoded CDRs reach the old space with it and 7 MB without. Every CDR's objects then went to
//   the old space, the young strings they point at were kept by each scavenge until the next Mark-Compact, and the
//   heap grew by several MB per scavenge (bench/README.md, branch `lat4`: turned off, -10% CPU per CDR in a profile A/B with
//   the rules, -22% without; in the decision-latency run more, not shorter, Mark-Compacts).
// Never: overrides a pretenuring flag the process was started with (node --allocation-site-pretenuring keeps it).
import { setFlagsFromString } from 'node:v8';

export function tuneGarbageCollector(): void {
  if (process.execArgv.some((a) => a.includes('allocation-site-pretenuring'))) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
}
