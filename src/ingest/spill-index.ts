// One partition's spilled accounts (issue 17, engine-memory.ts): each spilled account's latest event time, grouped
// by the rule set its stored part is under, oldest first; the last group is the engine's current rules. A part
// under older rules is carried through each rule change since (engine-spill.ts CarryStep), as the engine carried
// the accounts it held. Groups come from a rule change of the engine (`rulesChanged`) or, at a restart, from the
// store's shared part when it names other rules than the engine's. Pure: no engine state, no I/O.
import type { CarryStep, SpillableEngine } from '../rules/engine-spill.js';
import type { FraudRule } from '../rules/types.js';

interface Generation {
  /** A shared part naming the rules of the group's parts (their fingerprints). */
  shared: Uint8Array;
  /** The rules (unused for parts found in the store at a restart), and whether the engine came to them by a rule change. */
  rules: readonly FraudRule[];
  byRuleChange: boolean;
  /** Spilled account id -> its latest event time. */
  ids: Map<string, number>;
}

/** The parts to rewrite under the current rules at a state write, and what to do once it commits. */
export interface IndexMigration {
  groups: { ids: string[]; steps: CarryStep[] }[];
  done(): void;
}

export class SpillIndex {
  private gens: Generation[];

  /** `stored`: every account the store holds, under the rules its shared part names (a restart). */
  constructor(private readonly spill: SpillableEngine, stored?: { shared: Uint8Array; accounts: readonly (readonly [string, number])[] }) {
    this.gens = [this.generation(false)];
    if (!stored) return;
    if (!spill.sameRules(stored.shared)) this.gens.unshift({ shared: stored.shared, rules: [], byRuleChange: false, ids: new Map() });
    for (const [id, maxT] of stored.accounts) this.gens[0]!.ids.set(id, maxT);
  }

  private generation(byRuleChange: boolean): Generation {
    return { shared: this.spill.shared(), rules: this.spill.rules(), byRuleChange, ids: new Map() };
  }

  get size(): number {
    let n = 0;
    for (const g of this.gens) n += g.ids.size;
    return n;
  }

  has(id: string): boolean {
    return this.genOf(id) >= 0;
  }

  /** Spilled now: its part is under the current rules. */
  add(id: string, maxT: number): void {
    this.gens[this.gens.length - 1]!.ids.set(id, maxT);
  }

  /** Removes the account; returns the rule changes its part goes through to the current rules (null: not spilled). */
  take(id: string): CarryStep[] | null {
    const g = this.genOf(id);
    if (g < 0) return null;
    this.gens[g]!.ids.delete(id);
    const steps = this.steps(g, this.gens.length - 1);
    this.dropEmpty();
    return steps;
  }

  /** The engine's rules changed: parts spilled from now on are under the new ones. */
  rulesChanged(): void {
    this.gens.push(this.generation(true));
  }

  /** Removes the accounts idle before `idleBefore` (the idle sweep forgot them), calling `onDrop` for each. */
  sweep(idleBefore: number, onDrop: (id: string) => void): void {
    for (const g of this.gens) {
      for (const [id, maxT] of g.ids) {
        if (maxT >= idleBefore) continue;
        g.ids.delete(id);
        onDrop(id);
      }
    }
    this.dropEmpty();
  }

  /** The spilled parts under older rules, to carry to the current rules; `done` (after the write's COMMIT) moves them. */
  migration(): IndexMigration | null {
    if (this.gens.length < 2) return null;
    const target = this.gens.length - 1;
    const into = this.gens[target]!;
    const old = this.gens.slice(0, target).map((gen, g) => ({ gen, ids: [...gen.ids.keys()], steps: this.steps(g, target) }));
    return {
      groups: old.map(({ ids, steps }) => ({ ids, steps })),
      done: () => {
        for (const { gen, ids } of old) {
          for (const id of ids) {
            const maxT = gen.ids.get(id);
            if (maxT === undefined) continue;
            gen.ids.delete(id);
            into.ids.set(id, maxT);
          }
        }
        this.dropEmpty();
      },
    };
  }

  /** The rule changes a part of generation `g` goes through to the rules of generation `to`. */
  private steps(g: number, to: number): CarryStep[] {
    const steps: CarryStep[] = [];
    for (let k = g + 1; k <= to; k++) steps.push({ from: this.gens[k - 1]!.shared, to: this.gens[k]!.rules, rulesChanged: this.gens[k]!.byRuleChange });
    return steps;
  }

  private genOf(id: string): number {
    for (let g = this.gens.length - 1; g >= 0; g--) if (this.gens[g]!.ids.has(id)) return g;
    return -1;
  }

  /** The oldest groups left empty go; the current one stays, and so does every group after a non-empty one. */
  private dropEmpty(): void {
    while (this.gens.length > 1 && this.gens[0]!.ids.size === 0) this.gens.shift();
  }
}
