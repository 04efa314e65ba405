// `suspensiond replay <file...> [--rules dir] [--json]` (CONTRACT §6): a backtest. NDJSON files of accounts, CDRs
// and invoice events run in event-time order through the SAME pipeline as live (decode, engine, rule hits, the one
// suspend transition, dunning evaluation) on a throwaway migrated PGlite store, with a ManualClock driven by event
// time and the dunning sweeps simulated at the schedule's fire times. Never touches the live database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ManualClock } from '../clock.js';
import { replaySweepTimes } from '../dunning/replay-sweeps.js';
import { createSweeper } from '../dunning/sweep.js';
import { createLogger, type Logger } from '../log.js';
import { Metrics } from '../metrics.js';
import { createEngineOf, ENGINE_KINDS, type EngineKind } from '../rules/engine-choice.js';
import { loadRules } from '../rules-dir.js';
import type { Database } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { createPgliteDatabase } from '../store/pglite-database.js';
import { createIngestEffects } from './effects.js';
import { createPipeline } from './pipeline.js';
import { compareReports, formatComparison } from './replay-compare.js';
import { SwitchBlock } from './replay-enforce.js';
import { readReplayFiles, type ReplayLine } from './replay-input.js';
import { formatTable, readFindings, type ReplayReport } from './replay-report.js';
import { filterReport, formatSummary, summarise } from './replay-summary.js';

export interface ReplayOptions {
  files: string[];
  /** Lines already read and ordered by event time (bench/detection); used instead of `files` when given. */
  input?: ReplayLine[];
  /** `--enforce`: drop an account's outbound calls after its hold, as the switch would (replay-enforce.ts). */
  dropAfterHold?: boolean;
  /** `--rule` / `--account`: which findings the printed report keeps (replay-summary.ts). */
  filter?: { rules?: string[]; accounts?: string[] };
  rulesDir: string;
  json?: boolean;
  out?: { write(text: string): unknown };
  enforce?: boolean;
  defaultTimezone?: string;
  allowedLatenessMs?: number;
  dunningSchedule?: string;
  log?: Logger;
  /** The fraud engine (engine-choice.ts; default classic): the daemon's FRAUD_ENGINE. */
  engine?: EngineKind;
  /** `--compare-engines`: replay on each engine and report what differs (replay-compare.ts) instead of the findings. */
  compareEngines?: boolean;
}

/** Records per pipeline call; a batch never spans a sweep time or more than this much event time. */
const BATCH = 500;
const BATCH_SPAN_MS = 60_000;

/** Replays into a fresh store and returns it open (the caller closes it), for tests and for runReplay. */
export async function replayToStore(o: ReplayOptions): Promise<{ db: Database; report: ReplayReport; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'suspensiond-replay-'));
  const db = await createPgliteDatabase(dir);
  const close = async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await migrate(db);
    const rules = await loadRules(o.rulesDir);
    const all = o.input ?? (await readReplayFiles(o.files));
    const lines = all.filter((l) => l.unreadable === undefined);
    const tz = o.defaultTimezone ?? 'UTC';
    const enforce = o.enforce ?? true;
    const log = o.log ?? createLogger('silent');
    const metrics = new Metrics({ defaultMetrics: false });
    const firstMs = lines.find((l) => l.timeMs >= 0)?.timeMs ?? Date.now();
    const fallbacks: string[] = [];
    const clock = new ManualClock(new Date(firstMs));
    const pipeline = createPipeline({
      db,
      effects: createIngestEffects({ defaultTimezone: tz, enforce, log }),
      dlq: null,
      createEngine: (fraud) =>
        createEngineOf(o.engine ?? 'classic', fraud, { allowedLatenessMs: o.allowedLatenessMs ?? 300_000, defaultTimezone: tz }, (why) => {
          log.warn({ why }, 'fraud engine fallback');
          fallbacks.push(why);
        }),
      rules,
      enforce,
      defaultTimezone: tz,
      clock,
      metrics,
      log,
    });
    const sweeper = createSweeper({ db, logger: log, metrics, getPolicies: () => rules.dunning, defaultTimezone: tz, enforce });
    const lastMs = lines.reduce((m, l) => Math.max(m, l.timeMs), firstMs);
    // Without invoice events no dunning policy can find anything overdue: no sweeps are simulated or reported.
    // With them, only at the times a stage can fall due: the first fire time after each local midnight of each zone.
    const invoices = lines.some((l) => l.kind === 'invoices');
    const zones = [tz, ...lines.flatMap((l) => (l.timezone ? [l.timezone] : []))];
    const sweeps = invoices ? replaySweepTimes(o.dunningSchedule ?? '*/15 * * * *', firstMs, lastMs, zones) : [];
    const report: ReplayReport = {
      records: {}, sweeps: 0, findings: [], suspendedAtEnd: [], accounts: [], rejected: [], invoices,
      unreadable: all.filter((l) => l.unreadable !== undefined).map((l) => ({ origin: l.origin, reason: l.unreadable! })),
      engine: o.engine ?? 'classic',
      engineFallbacks: fallbacks,
    };
    const block = o.dropAfterHold ? new SwitchBlock() : null;
    let s = 0;
    for (let i = 0; i < lines.length; ) {
      const first = lines[i]!;
      while (s < sweeps.length && sweeps[s]! <= first.timeMs) {
        clock.set(new Date(sweeps[s]!));
        await sweeper.sweepOnce(sweeps[s]!);
        report.sweeps++;
        s++;
      }
      const limit = Math.min(first.timeMs + BATCH_SPAN_MS, s < sweeps.length ? sweeps[s]! - 1 : Infinity);
      const batch: ReplayLine[] = [];
      while (i < lines.length && batch.length < BATCH && lines[i]!.kind === first.kind && lines[i]!.timeMs <= limit) {
        const line = lines[i++]!;
        if (!block?.drops(line)) batch.push(line);
      }
      if (batch.length === 0) continue;
      const at = Math.max(batch[batch.length - 1]!.timeMs, 0);
      if (at > 0) clock.set(new Date(at));
      const res = await pipeline.processBatch(
        { kind: first.kind, topicName: first.kind, partition: 'replay' },
        batch.map((l) => ({ key: null, value: l.value, arrivedAtMs: l.timeMs >= 0 ? l.timeMs : clock.now().getTime() })),
      );
      const c = (report.records[first.kind] ??= { accepted: 0, duplicate: 0, rejected: 0 });
      res.results.forEach((r) => {
        c[r.outcome]++;
        if (r.error) {
          report.rejected.push({ origin: batch[r.index]!.origin, kind: first.kind, reason: r.error });
          log.warn({ origin: batch[r.index]!.origin, error: r.error }, 'replay: record rejected');
        }
      });
      if (block) await block.refresh(db);
    }
    if (block) report.droppedAfterHold = block.dropped;
    Object.assign(report, await readFindings(db));
    return { db, report, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The CLI command: prints the report (table, or JSON with --json). Returns the exit status. */
export async function runReplay(o: ReplayOptions): Promise<number> {
  const out = o.out ?? process.stdout;
  if (o.compareEngines) {
    // read once, replayed twice (each run on its own throwaway store)
    const input = o.input ?? (await readReplayFiles(o.files));
    const reports: ReplayReport[] = [];
    for (const engine of ENGINE_KINDS) {
      const run = await replayToStore({ ...o, input, engine });
      reports.push(run.report);
      await run.close();
    }
    const c = compareReports(ENGINE_KINDS, reports[0]!, reports[1]!);
    out.write(o.json ? `${JSON.stringify(c, null, 2)}\n` : formatComparison(c));
    return c.agree ? 0 : 1;
  }
  const { report: full, close } = await replayToStore(o);
  try {
    const report = filterReport(full, o.filter);
    const summary = summarise(report.findings);
    out.write(o.json ? `${JSON.stringify({ ...report, summary }, null, 2)}\n` : formatTable(report) + formatSummary(summary));
    return 0;
  } finally {
    await close();
  }
}
