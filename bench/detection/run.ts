// `npm run bench:detection`: the labelled week (generate.ts) through replay's pipeline (the same engine, rule hits
// and suspend transition as live, on a throwaway store, with --enforce so a held account's later calls are refused),
// once per rule set (the shipped rules/ and today's rules copied in baseline-rules/) and per feed (end records only,
// and phase:start + end). Prints per attack type and per honest profile, then the acceptance figures.
// Env: SEED (default 12), FEEDS=end,start, RULESETS=shipped,baseline, ENGINE=classic|fused|compare (compare: each
// run on both engines, and what differs between their findings, as `replay --compare-engines` prints it; exit 1 if
// anything does).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplayLine } from '../../src/ingest/replay-input.js';
import { replayToStore } from '../../src/ingest/replay.js';
import { compareReports, formatComparison } from '../../src/ingest/replay-compare.js';
import { ENGINE_KINDS, type EngineKind } from '../../src/rules/engine-kind.js';
import { generateWeek } from './generate.js';
import { weekRecords } from './records.js';
import { formatRun, formatSideBySide } from './report.js';
import { scoreWeek, type WeekScore } from './score.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RULESETS: Record<string, string> = { shipped: path.join(here, '../../rules'), baseline: path.join(here, 'baseline-rules') };

async function main(): Promise<void> {
  const seed = Number(process.env.SEED ?? 12);
  const feeds = (process.env.FEEDS ?? 'end,start').split(',');
  const sets = (process.env.RULESETS ?? 'shipped,baseline').split(',');
  const t0 = Date.now();
  const week = generateWeek({ seed });
  const attacked = week.accounts.filter((a) => a.attack).length;
  process.stdout.write(`detection week: seed ${seed}, ${week.accounts.length} accounts (${attacked} attacked), ${week.calls.length} calls, generated in ${Date.now() - t0} ms\n\n`);
  const results: { set: string; feed: string; score: WeekScore }[] = [];
  for (const feed of feeds) {
    const input: ReplayLine[] = weekRecords(week, { phaseStart: feed === 'start' }).map((r, i) => ({ kind: r.kind, timeMs: r.timeMs, value: Buffer.from(JSON.stringify(r.value)), origin: `week:${i + 1}` }));
    for (const set of sets) {
      const t1 = Date.now();
      const replay = async (engine: EngineKind) => {
        const { report, close } = await replayToStore({ files: [], input, rulesDir: RULESETS[set]!, dropAfterHold: true, defaultTimezone: 'Europe/London', engine });
        await close();
        return report;
      };
      const report = await replay(process.env.ENGINE === 'fused' ? 'fused' : 'classic');
      if (process.env.ENGINE === 'compare') {
        const c = compareReports(ENGINE_KINDS, report, await replay('fused'));
        process.stdout.write(`${set} rules, ${feed === 'start' ? 'phase:start + end records' : 'end records only'}: ${formatComparison(c)}\n`);
        if (!c.agree) process.exitCode = 1;
      }
      const score = scoreWeek(week, report.findings);
      const secs = (Date.now() - t1) / 1000;
      process.stdout.write(formatRun(`${set} rules, ${feed === 'start' ? 'phase:start + end records' : 'end records only'} (${input.length} records, ${report.droppedAfterHold ?? 0} refused after holds, ${secs.toFixed(0)} s, ${Math.round(input.length / secs)} records/s)`, score, week));
      results.push({ set, feed, score });
    }
  }
  process.stdout.write(formatSideBySide(results));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
