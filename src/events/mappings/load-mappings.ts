// Loads the source mappings: every *.yaml / *.yml file in MAPPINGS_DIR holds one mapping (mapping-schema.ts).
// Problems name the file, the line and the field, in the same form as rule problems (`rules check` prints both).
// Owns: reading that directory and validating it. Never: applies a mapping (apply-mapping.ts).
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { formatPath, type RuleProblem } from '../../rules/rule-file.js';
import { mappingSchema, type Mapping } from './mapping-schema.js';

export type MappingProblem = RuleProblem;

function lineOf(doc: Document, lines: LineCounter, at: readonly (string | number)[]): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const step of at) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step]) {
      offset = (node.items[step] as Node).range?.[0] ?? offset;
      node = node.items[step];
    } else break;
  }
  return lines.linePos(offset).line;
}

/** Parses one mapping file's text. */
export function parseMappingFile(file: string, text: string): { mapping?: Mapping; problems: MappingProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((e) => ({ file, line: lines.linePos(e.pos[0]).line, field: '', message: `bad YAML: ${e.message.split('\n')[0]}` })) };
  }
  const parsed = mappingSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) {
    for (const f of parsed.data.filter ?? []) {
      if (f.matches === undefined) continue;
      try {
        new RegExp(f.matches);
      } catch (err) {
        return { problems: [{ file, line: lineOf(doc, lines, ['filter']), field: 'filter', message: `matches: ${(err as Error).message}` }] };
      }
    }
    if (parsed.data.input.format === 'csv' && !parsed.data.input.columns && !parsed.data.input.header) {
      return { problems: [{ file, line: lineOf(doc, lines, ['input']), field: 'input.columns', message: 'csv needs columns or header: true' }] };
    }
    return { mapping: parsed.data, problems: [] };
  }
  const problems = parsed.error.issues.flatMap((issue): MappingProblem[] => {
    const at = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ file, line: lineOf(doc, lines, [...at, k]), field: formatPath([...at, k]), message: `unknown field "${k}"` }));
    }
    return [{ file, line: lineOf(doc, lines, at), field: formatPath(at), message: issue.message }];
  });
  return { problems: problems.sort((a, b) => a.line - b.line) };
}

/** Every mapping in `dir` (none when it does not exist), and the problems; duplicate names are a problem. */
export async function loadMappings(dir: string): Promise<{ mappings: Map<string, Mapping>; problems: MappingProblem[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mappings: new Map(), problems: [] };
    throw err;
  }
  const mappings = new Map<string, Mapping>();
  const problems: MappingProblem[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const { mapping, problems: p } = parseMappingFile(file, await readFile(file, 'utf8'));
    problems.push(...p);
    if (!mapping) continue;
    if (mappings.has(mapping.name)) problems.push({ file, line: 1, field: 'name', message: `duplicate mapping name "${mapping.name}"` });
    else mappings.set(mapping.name, mapping);
  }
  return { mappings, problems };
}
