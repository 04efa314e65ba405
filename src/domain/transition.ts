// The entry point every caller uses (API, CLI, fraud engine, dunning, expiry): one suspend and one activate
// transition, pure, returning everything that must happen as a TransitionResult for the store to commit.
import { activate } from './activate.js';
import type { Subtree, TransitionCommand, TransitionContext } from './commands.js';
import { suspend } from './suspend.js';
import type { TransitionResult } from './types.js';

export { activate } from './activate.js';
export { suspend } from './suspend.js';

export function transition(subtree: Subtree, cmd: TransitionCommand, ctx: TransitionContext): TransitionResult {
  return cmd.kind === 'suspend' ? suspend(subtree, cmd, ctx) : activate(subtree, cmd, ctx);
}
