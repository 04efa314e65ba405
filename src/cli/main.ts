// The `suspensiond` command line (CONTRACT §6): picks the subcommand, loads the configuration where one is needed
// and maps failures to exit codes (1 failure, 2 bad configuration, 64 usage). Runs in-process for tests: all
// output goes through `io`, and it returns the exit code instead of exiting.
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { RulesError } from '../rules/load-rules.js';
import { accountsCommand } from './commands/accounts.js';
import { demoCommand } from './commands/demo.js';
import { migrateCommand } from './commands/migrate.js';
import { replayCommand } from './commands/replay.js';
import { rulesCheckCommand } from './commands/rules-check.js';
import { runCommand } from './commands/run.js';
import { tokensCommand } from './commands/tokens.js';
import { EXIT, println, UsageError, type CliIo } from './io.js';
import { USAGE } from './usage.js';

export const defaultIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command = 'run', ...rest] = argv;
  const config = (): Config => loadConfig(io.env);
  try {
    switch (command) {
      case 'run':
        return await runCommand(io, config());
      case 'migrate':
        return await migrateCommand(io, config());
      case 'rules': {
        const [sub, dir, ...extra] = rest;
        if (sub !== 'check' || extra.length > 0) throw new UsageError('rules: use `rules check [dir]`');
        return await rulesCheckCommand(dir ? path.resolve(dir) : config().rulesDir, io, config().mappingsDir);
      }
      case 'replay':
        return await replayCommand(rest, io, config);
      case 'tokens':
        return await tokensCommand(rest, io, config());
      case 'accounts':
        return await accountsCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return EXIT.ok;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      println(io.stderr, 'invalid configuration:');
      for (const p of err.problems) println(io.stderr, `  ${p}`);
      return EXIT.config;
    }
    if (err instanceof RulesError) {
      // CONTRACT §3: invalid rules at start name file, line and field, and the daemon exits with status 2.
      println(io.stderr, err.message);
      return EXIT.config;
    }
    const code = (err as { code?: unknown }).code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      println(io.stderr, `error: ${(err as Error).message}`);
      io.stderr.write(USAGE);
      return EXIT.usage;
    }
    println(io.stderr, `error: ${(err as Error).message ?? String(err)}`);
    return EXIT.failure;
  }
}
