// `suspensiond replay <file...>`: the backtest, implemented by src/ingest/replay.ts (the one pipeline on a throwaway
// store). This file only hands the parsed arguments (replay-args.ts) on; `--help` needs no configuration.
// `--format NAME` maps files in a switch's own format (mappings/) into CONTRACT CDRs first (src/events/mappings).
import path from 'node:path';
import type { Config } from '../../config.js';
import { UsageError, type CliIo } from '../io.js';
import { parseReplayArgs, REPLAY_HELP } from './replay-args.js';

export async function replayCommand(argv: string[], io: CliIo, config: () => Config): Promise<number> {
  const args = parseReplayArgs(argv);
  if (args.help) {
    io.stdout.write(REPLAY_HELP);
    return 0;
  }
  const c = config();
  // Imported lazily: replay opens its own throwaway embedded store and loads the whole pipeline.
  const { runReplay } = await import('../../ingest/replay.js');
  let files = args.files;
  let cleanup = async () => {};
  if (args.format) {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { mapReplayFiles } = await import('../../events/mappings/replay-mapped.js');
    const work = await mkdtemp(path.join(tmpdir(), 'suspensiond-mapped-'));
    cleanup = () => rm(work, { recursive: true, force: true });
    files = (await mapReplayFiles(files, args.format, c.mappingsDir, work, io.stderr).catch(async (err: Error) => {
      await cleanup();
      throw new UsageError(err.message);
    })).files;
  }
  return runReplay({
    files,
    rulesDir: args.rulesDir ?? c.rulesDir,
    json: args.json,
    out: io.stdout,
    enforce: c.enforce,
    dropAfterHold: args.enforce,
    filter: { rules: args.rules, accounts: args.accounts },
    defaultTimezone: c.defaultTimezone,
    allowedLatenessMs: c.allowedLatenessMs,
    dunningSchedule: c.dunningSchedule,
    // the daemon's engine unless --engine says otherwise: replay decides as the daemon it stands for
    engine: args.engine ?? c.fraudEngine,
    compareEngines: args.compareEngines,
  }).finally(cleanup);
}
