// The rules-folder adapter: reads the rule files of `RULES_DIR` (every `*.yaml`/`*.yml`) and watches it for hot
// reload, handing the texts to the pure src/rules/load-rules.ts. The only place rule files are read; it reads the
// clock only for `loadedAt` and the reload debounce. A failed reload never replaces the caller's rules: watchRules
// reports the error instead. Never: parses or validates a rule itself.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildRuleSet, isRuleFile, ruleSetOf, RulesError, type RuleProblem } from './rules/load-rules.js';
import type { RuleSet } from './rules/types.js';

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

/** Loads and validates every rule file in `dir`; throws RulesError listing every problem. */
export async function loadRules(dir: string): Promise<RuleSet> {
  return ruleSetOf(await readRuleFiles(dir), new Date().toISOString());
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
