// The CLI's view of the outside world, injectable so commands run in-process in tests with captured output.
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `run` waits on it. */
  waitForStop?: () => Promise<void>;
}

export const EXIT = { ok: 0, failure: 1, config: 2, usage: 64 } as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function println(stream: CliIo['stdout'], text = ''): void {
  stream.write(`${text}\n`);
}
