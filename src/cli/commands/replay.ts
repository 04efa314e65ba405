// `suspensiond replay <file...>`: the backtest, implemented by src/ingest/replay.ts (the one pipeline on a throwaway
// store). This file only hands the parsed arguments (replay-args.ts) on; `--help` needs no configuration.
import type { Config } from '../../config.js';
import type { CliIo } from '../io.js';
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
  return runReplay({
    files: args.files,
    rulesDir: args.rulesDir ?? c.rulesDir,
    json: args.json,
    out: io.stdout,
    enforce: c.enforce,
    dropAfterHold: args.enforce,
    filter: { rules: args.rules, accounts: args.accounts },
    defaultTimezone: c.defaultTimezone,
    allowedLatenessMs: c.allowedLatenessMs,
    dunningSchedule: c.dunningSchedule,
  });
}
