// `suspensiond replay <file...> [--rules dir] [--json] [--format NAME]`: the backtest, implemented by src/ingest/replay.ts (the
// one pipeline on a throwaway store). This file only parses the arguments and hands them on.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config.js';
import { UsageError, type CliIo } from '../io.js';

export async function replayCommand(argv: string[], io: CliIo, config: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { rules: { type: 'string' }, json: { type: 'boolean' }, format: { type: 'string' } },
  });
  if (positionals.length === 0) throw new UsageError('replay: at least one NDJSON file is required');
  // Imported lazily: replay opens its own throwaway embedded store and loads the whole pipeline.
  const { runReplay } = await import('../../ingest/replay.js');
  let files = positionals.map((f) => path.resolve(f));
  // --format NAME: files in a mapped format (mappings/), turned into CONTRACT CDRs first (src/events/mappings).
  let cleanup = async () => {};
  if (values.format) {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { mapReplayFiles } = await import('../../events/mappings/replay-mapped.js');
    const work = await mkdtemp(path.join(tmpdir(), 'suspensiond-mapped-'));
    cleanup = () => rm(work, { recursive: true, force: true });
    files = (await mapReplayFiles(files, values.format, config.mappingsDir, work, io.stderr).catch(async (err: Error) => {
      await cleanup();
      throw new UsageError(err.message);
    })).files;
  }
  return runReplay({
    files,
    rulesDir: values.rules ? path.resolve(values.rules) : config.rulesDir,
    json: values.json ?? false,
    out: io.stdout,
    enforce: config.enforce,
    defaultTimezone: config.defaultTimezone,
    allowedLatenessMs: config.allowedLatenessMs,
    dunningSchedule: config.dunningSchedule,
  }).finally(cleanup);
}
