// Reads one raw record of a mapping's input format into a plain object: JSON (an object), CSV (a line, by the
// mapping's column names) or key=value pairs (e.g. a Kamailio acc line). Pure. Throws MappingReadError, whose
// message names the part that could not be read.
import type { Mapping } from './mapping-schema.js';

export class MappingReadError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'MappingReadError';
  }
}

/** One CSV line into its fields: quotes with "" escapes, the separator inside quotes kept. */
export function splitCsvLine(line: string, separator = ','): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur === '' && !wasQuoted) {
      quoted = wasQuoted = true;
    } else if (line.startsWith(separator, i)) {
      out.push(cur);
      cur = '';
      wasQuoted = false;
      i += separator.length - 1;
    } else cur += ch;
  }
  if (quoted) throw new MappingReadError('record', 'unterminated quoted field');
  out.push(cur);
  return out;
}

function readKv(text: string, mapping: Mapping): Record<string, string> {
  let body = text.trim();
  if (mapping.input.prefix) {
    const m = new RegExp(mapping.input.prefix).exec(body);
    if (m) body = body.slice(m.index + m[0].length);
  }
  const out: Record<string, string> = {};
  for (const pair of body.split(mapping.input.separator ?? ';')) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      if (pair.trim() === '') continue;
      throw new MappingReadError('record', `"${pair.slice(0, 40)}" is not a key=value pair`);
    }
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

/** `columns` for csv: the mapping's, or (header: true) the caller passes the first line's. */
export function readRecord(raw: Buffer | string, mapping: Mapping, columns?: readonly string[]): Record<string, unknown> {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  switch (mapping.input.format) {
    case 'json': {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (err) {
        throw new MappingReadError('record', `malformed JSON (${(err as Error).message})`);
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new MappingReadError('record', 'must be a JSON object');
      return v as Record<string, unknown>;
    }
    case 'csv': {
      const names = columns ?? mapping.input.columns ?? [];
      const values = splitCsvLine(text.replace(/\r?\n$/, ''), mapping.input.separator ?? ',');
      if (values.length < names.length) {
        throw new MappingReadError(names[values.length] ?? 'record', `missing: the line has ${values.length} of ${names.length} columns`);
      }
      return Object.fromEntries(names.map((n, i) => [n, values[i]]));
    }
    case 'kv':
      return readKv(text, mapping);
  }
}

/** `a.b[0].c` or `a.b.0.c`; undefined when any step is missing. */
export function getPath(obj: unknown, path: string): unknown {
  if (obj !== null && typeof obj === 'object' && path in (obj as object)) return (obj as Record<string, unknown>)[path];
  let cur: unknown = obj;
  for (const step of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}
