// Entry of a benchmark's worker thread: workers do not inherit tsx's loader, so register it and then import the
// TypeScript module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
