// Entry of an ingest worker thread (worker-pipeline.ts starts it): a worker does not inherit the main thread's
// loader, so when the module to run is TypeScript (npm start and the tests run src/ under tsx) tsx is registered
// first; from the build (dist/, plain .js) nothing is. Then the module named in workerData.entry is imported.
// Kept as .mjs so it runs as it is in both (scripts/copy-assets.mjs copies it to dist/).
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
