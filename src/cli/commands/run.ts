// `suspensiond run` (the default): starts the daemon from src/main.ts and stops it on SIGINT/SIGTERM. The first
// signal stops gracefully; a second one forces the exit. main.ts is imported lazily so other commands stay light.
import type { Config } from '../../config.js';
import { tuneGarbageCollector } from '../../gc-tuning.js';
import { EXIT, println, type CliIo } from '../io.js';

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    let count = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      count++;
      if (count === 1) {
        process.stderr.write(`${sig}: stopping (send again to force)\n`);
        resolve();
      } else process.exit(EXIT.failure);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export async function runCommand(io: CliIo, config: Config): Promise<number> {
  // Process-wide V8 settings first, while nothing of the daemon is allocated yet (gc-tuning.ts).
  tuneGarbageCollector();
  const { startDaemon } = await import('../../main.js');
  const daemon = await startDaemon(config);
  await (io.waitForStop ?? signalled)();
  try {
    await daemon.stop();
  } catch (err) {
    println(io.stderr, `error while stopping: ${(err as Error).message}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}
