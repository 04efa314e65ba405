// Binds the pipeline's IngestEffects to the real stores and services: the store's account upsert and transition,
// the dunning ledger and ladder. The composition root calls this; tests may pass fakes instead.
import { evaluateAccounts } from '../dunning/evaluate.js';
import { recordInvoiceEvents } from '../dunning/ledger-store.js';
import type { Logger } from '../log.js';
import { syncAccounts } from '../store/account-moves.js';
import { executeTransitions } from '../store/transitions.js';
import type { IngestEffects } from './types.js';

export function createIngestEffects(o: { defaultTimezone: string; enforce?: boolean; log?: Logger }): IngestEffects {
  return {
    upsertAccounts: (q, accounts, now) => syncAccounts(q, accounts, now),
    recordInvoiceEvents: (q, events) => recordInvoiceEvents(q, events),
    evaluateAccounts: (q, ids, now, policies) =>
      evaluateAccounts(q, ids, now.getTime(), policies, {
        defaultTimezone: o.defaultTimezone,
        enforce: o.enforce ?? true,
        ...(o.log ? { logger: o.log } : {}),
      }),
    executeTransitions: (q, cmds, ctx) => executeTransitions(q, cmds, ctx),
  };
}
