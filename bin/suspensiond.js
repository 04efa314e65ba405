#!/usr/bin/env node
// The installed command. A production install runs the compiled CLI (`npm run build` produces dist/, which the
// Docker image and scripts/prod-smoke.sh use). A development checkout after `npm ci && npm start` has no dist/: the
// README's walk-through (`npx suspensiond demo`, `replay`, `accounts history`) then runs the TypeScript source
// through tsx, as `npm start` does, instead of failing with ERR_MODULE_NOT_FOUND. Neither: a clear message, exit 1.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/index.js', import.meta.url);
const source = new URL('../src/cli/index.ts', import.meta.url);

if (existsSync(compiled)) {
  await import(compiled.href);
} else if (existsSync(source)) {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write('suspensiond: dist/ is missing and tsx is not installed: run `npm run build` (or `npm ci` for a development checkout)\n');
    process.exit(1);
  }
  tsx.register();
  await import(source.href);
} else {
  process.stderr.write('suspensiond: dist/cli/index.js is missing: run `npm run build`\n');
  process.exit(1);
}
