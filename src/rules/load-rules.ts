// Loads the rule files of a folder (CONTRACT §3): every `*.yaml`/`*.yml`, ids unique across files, a content-hash
// version. The only module of src/rules that does I/O (fs); it never reads the clock except for `loadedAt` and the
// reload debounce. A failed reload never replaces the caller's rules: watchRules reports the error instead.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
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

const isRuleFile = (name: string) => name.endsWith('.yaml') || name.endsWith('.yml');

async function readRuleFiles(dir: string): Promise<{ file: string; text: string }[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter(isRuleFile).sort();
  } catch (cause) {
    throw new RulesError([{ file: dir, line: 0, field: '', message: `cannot read the rules folder: ${(cause as Error).message}` }]);
  }
  return Promise.all(names.map(async (name) => {
    const file = path.join(dir, name);
    return { file, text: await readFile(file, 'utf8') };
  }));
}

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

/** Loads and validates every rule file in `dir`; throws RulesError listing every problem. */
export async function loadRules(dir: string): Promise<RuleSet> {
  const { rules, problems } = buildRuleSet(await readRuleFiles(dir), new Date().toISOString());
  if (problems.length > 0) throw new RulesError(problems);
  return rules;
}

/** For `suspensiond rules check [dir]`: the problems, empty when the rules are valid. */
export async function checkRules(dir: string): Promise<RuleProblem[]> {
  try {
    return buildRuleSet(await readRuleFiles(dir), new Date(0).toISOString()).problems;
  } catch (err) {
    if (err instanceof RulesError) return err.problems;
    throw err;
  }
}

export type RulesChange = { ok: true; rules: RuleSet } | { ok: false; error: RulesError };

/**
 * Watches `dir` and calls `onChange` after a change settles (debounced). On a bad change it passes the error and the
 * caller keeps its old rules (and counts `suspensiond_rules_reloads_total{outcome="failure"}`). Returns a stop
 * function; the timer is unref'd so it never keeps the process alive.
 */
export function watchRules(dir: string, onChange: (change: RulesChange) => void, debounceMs = 250): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const reload = () => {
    timer = null;
    loadRules(dir).then(
      (rules) => !stopped && onChange({ ok: true, rules }),
      (err: unknown) => !stopped && onChange({ ok: false, error: err instanceof RulesError ? err : new RulesError([{ file: dir, line: 0, field: '', message: String(err) }]) }),
    );
  };
  const watcher: FSWatcher = watch(dir, (_event, name) => {
    if (name !== null && !isRuleFile(String(name))) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
    timer.unref();
  });
  watcher.on('error', (err) => {
    if (!stopped) onChange({ ok: false, error: new RulesError([{ file: dir, line: 0, field: '', message: `watching failed: ${err.message}` }]) });
  });
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
