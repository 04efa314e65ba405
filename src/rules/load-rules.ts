// Builds a rule set from the rule files' texts (CONTRACT §3): every file parsed, ids unique across files, a
// content-hash version. Pure: the files are read and watched by the rules-folder adapter (src/rules-dir.ts), so
// src/rules imports no I/O and no clock (`loadedAt` is the caller's).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { formatProblem, parseRuleFile, type RuleProblem } from './rule-file.js';
import type { DunningPolicy, FraudRule, RuleSet } from './types.js';

export type { RuleProblem } from './rule-file.js';

export class RulesError extends Error {
  constructor(readonly problems: RuleProblem[]) {
    super(`invalid rules:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'RulesError';
  }
}

/** The files a rules folder contributes: `*.yaml` and `*.yml`. */
export const isRuleFile = (name: string): boolean => name.endsWith('.yaml') || name.endsWith('.yml');

/** Parses already-read files; exported for tests and for replay with in-memory rules. */
export function buildRuleSet(files: { file: string; text: string }[], loadedAt: string): { rules: RuleSet; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const fraud: FraudRule[] = [];
  const dunning: DunningPolicy[] = [];
  const fraudIds = new Map<string, FraudRule['origin']>();
  const dunningIds = new Map<string, DunningPolicy['origin']>();
  for (const { file, text } of files) {
    const parsed = parseRuleFile(file, text);
    problems.push(...parsed.problems);
    for (const [list, ids, kind] of [[parsed.fraud, fraudIds, 'fraud'], [parsed.dunning, dunningIds, 'dunning']] as const) {
      list.forEach((rule, i) => {
        const first = ids.get(rule.id);
        if (first && first.file !== rule.origin.file) {
          problems.push({ file, line: rule.origin.line, field: `${kind}[${i}].id`, message: `duplicate id "${rule.id}" (first in ${first.file}:${first.line})` });
        } else if (!first) ids.set(rule.id, rule.origin);
      });
    }
    fraud.push(...parsed.fraud);
    dunning.push(...parsed.dunning);
  }
  const hash = createHash('sha256');
  for (const { file, text } of [...files].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))) {
    hash.update(path.basename(file)).update('\0').update(text).update('\0');
  }
  problems.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1)); // stable: keeps field order
  return { rules: { fraud, dunning, version: hash.digest('hex').slice(0, 12), loadedAt }, problems };
}

/** The rule set of already-read files; throws RulesError listing every problem. */
export function ruleSetOf(files: { file: string; text: string }[], loadedAt: string): RuleSet {
  const { rules, problems } = buildRuleSet(files, loadedAt);
  if (problems.length > 0) throw new RulesError(problems);
  return rules;
}
