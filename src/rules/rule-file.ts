// Parses one rule file's text (YAML, CONTRACT §3) into fraud rules and dunning policies, keeping positions so that
// every problem names the file, the line and the field path (`fraud[1].measure`). Pure: the caller reads the file.
// Checks ids within this file only; load-rules.ts checks them across files.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { toDunningPolicy, toFraudRule, toNumberOverride } from './rule-map.js';
import { dunningPolicySchema, fraudRuleSchema, numberOverrideSchema, ruleFileSchema } from './rule-schema.js';
import type { DunningPolicy, FraudRule, NumberOverride } from './types.js';

export interface RuleProblem {
  file: string;
  line: number;
  /** `fraud[1].measure`; empty for the file as a whole. */
  field: string;
  message: string;
}

export interface ParsedRuleFile {
  fraud: FraudRule[];
  dunning: DunningPolicy[];
  problems: RuleProblem[];
}

type Path = readonly (string | number)[];

export function formatPath(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

/** `rules/fraud.yaml:12: fraud[1].measure: unknown measure "callz"` */
export function formatProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}: ${p.field === '' ? '' : `${p.field}: `}${p.message}`;
}

/** The line of the deepest node on `path` (the key's line for a field, the item's line for a list entry). */
function lineOf(doc: Document, lines: LineCounter, path: Path, unknownKey?: string): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  const steps = unknownKey === undefined ? path : [...path, unknownKey];
  for (const step of steps) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lines.linePos(offset).line;
}

function issuesToProblems(file: string, doc: Document, lines: LineCounter, base: Path, issues: z.core.$ZodIssue[]): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ file, line: lineOf(doc, lines, path, key), field: formatPath([...path, key]), message: `unknown field "${key}"` });
      }
      continue;
    }
    out.push({ file, line: lineOf(doc, lines, path), field: formatPath(path), message: issue.message });
  }
  return out;
}

export function parseRuleFile(file: string, text: string): ParsedRuleFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const result: ParsedRuleFile = { fraud: [], dunning: [], problems: [] };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      result.problems.push({ file, line: lines.linePos(e.pos[0]).line, field: '', message: `bad YAML: ${e.message.split('\n')[0]}` });
    }
    return result;
  }
  const top = ruleFileSchema.safeParse(doc.toJS() ?? {});
  if (!top.success) {
    result.problems.push(...issuesToProblems(file, doc, lines, [], top.error.issues));
    return result;
  }
  const seenIds = { fraud: new Map<string, number>(), dunning: new Map<string, number>() };
  const checkId = (id: string, path: Path) => {
    const seen = seenIds[path[0] as 'fraud' | 'dunning'];
    const line = lineOf(doc, lines, [...path, 'id']);
    const first = seen.get(id);
    if (first !== undefined) result.problems.push({ file, line, field: formatPath([...path, 'id']), message: `duplicate id "${id}" (first at line ${first})` });
    else seen.set(id, line);
  };
  // Number overrides travel with the file's fraud rules (the engine applies the union of every rule's).
  const overrides: NumberOverride[] = [];
  (top.data.numberOverrides ?? []).forEach((entry, i) => {
    const parsed = numberOverrideSchema.safeParse(entry);
    if (!parsed.success) return void result.problems.push(...issuesToProblems(file, doc, lines, ['numberOverrides', i], parsed.error.issues));
    overrides.push(toNumberOverride(parsed.data));
  });
  if (overrides.length > 0 && (top.data.fraud ?? []).length === 0) {
    result.problems.push({ file, line: lineOf(doc, lines, ['numberOverrides']), field: 'numberOverrides', message: 'number overrides apply through the fraud rules of their file: add them to a file with a fraud: list' });
  }
  (top.data.fraud ?? []).forEach((entry, i) => {
    const path = ['fraud', i];
    const parsed = fraudRuleSchema.safeParse(entry);
    if (!parsed.success) return void result.problems.push(...issuesToProblems(file, doc, lines, path, parsed.error.issues));
    checkId(parsed.data.id, path);
    result.fraud.push(toFraudRule(parsed.data, { file, line: lineOf(doc, lines, path) }, overrides));
  });
  (top.data.dunning ?? []).forEach((entry, i) => {
    const path = ['dunning', i];
    const parsed = dunningPolicySchema.safeParse(entry);
    if (!parsed.success) return void result.problems.push(...issuesToProblems(file, doc, lines, path, parsed.error.issues));
    checkId(parsed.data.id, path);
    result.dunning.push(toDunningPolicy(parsed.data, { file, line: lineOf(doc, lines, path) }));
  });
  result.problems.sort((a, b) => a.line - b.line || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  return result;
}
