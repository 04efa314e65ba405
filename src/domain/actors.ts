// Names for actors and hold sources: how an actor is written in audit entries and which kind a source is.
// Pure string handling; no authority decisions here (see authority.ts).
import type { Actor, HoldSource, SourceKind } from './types.js';

/** `operator:<id>` for every person (the person-placed hold source), else the system actor's source or `expiry`. */
export function actorLabel(actor: Actor): string {
  return actor.kind === 'person' ? `operator:${actor.id}` : actor.source;
}

/** The hold source a person's suspension carries. */
export function personSource(actor: Actor & { kind: 'person' }): HoldSource {
  return `operator:${actor.id}`;
}

export function sourceKind(source: string): SourceKind | null {
  const kind = source.slice(0, source.indexOf(':'));
  return kind === 'rule' || kind === 'dunning' || kind === 'operator' ? kind : null;
}

/** The rule id of a `rule:<id>` source, else null. */
export function ruleIdOf(source: string): string | null {
  return source.startsWith('rule:') ? source.slice('rule:'.length) : null;
}

export function isOperator(actor: Actor): boolean {
  return actor.kind === 'person' && actor.role === 'operator';
}
