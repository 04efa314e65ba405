// `suspensiond replay <file...> [--rules dir] [--json]`: the backtest, implemented by src/ingest/replay.ts (the
// ingest engineer's) and imported lazily. This file only parses the arguments and hands them on.
import { parseArgs } from 'node:util';
import type { Config } from '../../config.js';
import { EXIT, println, UsageError, type CliIo } from '../io.js';

/** The contract this command expects from src/ingest/replay.ts: print the report, resolve to the exit code. */
export interface ReplayOptions {
  files: string[];
  rulesDir: string;
  json: boolean;
  config: Config;
  stdout: CliIo['stdout'];
  stderr: CliIo['stderr'];
}
type RunReplay = (opts: ReplayOptions) => Promise<number>;

// A variable specifier keeps the CLI compiling while replay.ts is written in parallel; switch to a static
// `import('../../ingest/replay.js')` once it has landed, so the signature is checked.
const REPLAY_MODULE = '../../ingest/replay.js';

export async function replayCommand(argv: string[], io: CliIo, config: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { rules: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length === 0) throw new UsageError('replay: at least one NDJSON file is required');
  let runReplay: RunReplay | undefined;
  try {
    runReplay = ((await import(REPLAY_MODULE)) as { runReplay?: RunReplay }).runReplay;
  } catch (err) {
    println(io.stderr, `error: replay is not available in this build (${(err as Error).message})`);
    return EXIT.failure;
  }
  if (typeof runReplay !== 'function') {
    println(io.stderr, 'error: replay is not available in this build');
    return EXIT.failure;
  }
  return runReplay({ files: positionals, rulesDir: values.rules ?? config.rulesDir, json: values.json ?? false, config, stdout: io.stdout, stderr: io.stderr });
}
