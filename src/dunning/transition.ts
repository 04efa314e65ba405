// The dunning's door to the one domain transition (the store's executeTransition). Never builds holds or emails.
import type { Queryable } from '../store/db.js';
import type { TransitionCommand } from '../domain/commands.js';
import type { TransitionResult } from '../domain/types.js';
import { executeTransition } from '../store/transitions.js';

export async function runTransition(tx: Queryable, cmd: TransitionCommand, now: string): Promise<TransitionResult> {
  return executeTransition(tx, cmd, { now });
}
