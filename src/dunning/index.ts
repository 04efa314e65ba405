// The dunning service's public surface (see README.md in this folder for the decisions behind it).
export { recordInvoiceEvents, type RecordOutcome } from './ledger-store.js';
export { evaluateAccounts, emailDedupeKey, type EvaluateOptions, type EvaluateSummary, type TransitionRunner } from './evaluate.js';
export { createSweeper, type Sweeper, type SweepDeps, type SweepReport } from './sweep.js';
export { createDunningScheduler, type DunningScheduler, type DunningSchedulerDeps } from './scheduler.js';
export { sweepTimesBetween } from './cron-times.js';
