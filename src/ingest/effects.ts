// Binds the pipeline's IngestEffects to the real stores and services: the store's account upsert and transition,
// the dunning ledger and ladder. The composition root calls this; tests may pass fakes instead.
import { evaluateAccounts } from '../dunning/evaluate.js';
import { recordInvoiceEvents } from '../dunning/ledger-store.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { upsertAccounts } from '../store/accounts-repo.js';
import { executeTransition } from '../store/transitions.js';
import type { IngestEffects } from './types.js';

export function createIngestEffects(o: { defaultTimezone: string; enforce?: boolean; metrics?: Metrics; log?: Logger }): IngestEffects {
  return {
    upsertAccounts: (q, accounts) => upsertAccounts(q, accounts),
    recordInvoiceEvents: (q, events) => recordInvoiceEvents(q, events),
    evaluateAccounts: (q, ids, now, policies) =>
      evaluateAccounts(q, ids, now.getTime(), policies, {
        defaultTimezone: o.defaultTimezone,
        enforce: o.enforce ?? true,
        ...(o.metrics ? { metrics: o.metrics } : {}),
        ...(o.log ? { logger: o.log } : {}),
      }),
    executeTransition: (q, cmd, ctx) => executeTransition(q, cmd, ctx),
  };
}
