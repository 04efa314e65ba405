#!/usr/bin/env node
// The bin entry of `suspensiond`: runs the CLI with the process's argv and sets the exit code. Nothing else.
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fatal: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
