// Applies a source mapping to one raw record: read it (read-record.ts), drop it when a filter says it is not a call,
// build the CONTRACT §2 CDR, and check that CDR with the wire schema. Pure: no I/O, no clock.
// Every failure names the mapping and the field: `mapping asterisk-csv: start (startedAt): must be a local time ...`.
import { cdrSchema } from '../cdr-schema.js';
import { toMoney, toSeconds, toTime } from './convert.js';
import { CDR_FIELDS, type CdrField, type FieldSpec, type FilterSpec, type Mapping } from './mapping-schema.js';
import { getPath, MappingReadError, readRecord } from './read-record.js';

export type MappingResult =
  | { kind: 'cdr'; cdr: Record<string, unknown>; bytes: Buffer }
  | { kind: 'drop'; reason: string }
  | { kind: 'error'; error: string; field: string };

const isEmpty = (v: unknown, spec?: FieldSpec): boolean =>
  v === undefined ||
  v === null ||
  ((typeof v === 'string' || typeof v === 'number') && (spec?.emptyValues ?? ['']).includes(String(v).trim()));

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function source(spec: FieldSpec): string {
  if (spec.join) return spec.join.join('+');
  if (spec.path) return Array.isArray(spec.path) ? spec.path.join('|') : spec.path;
  return 'value';
}

function pick(rec: Record<string, unknown>, spec: FieldSpec): unknown {
  if (spec.value !== undefined) return spec.value;
  if (spec.join) {
    const parts = spec.join.map((p) => getPath(rec, p));
    if (parts.some((v) => isEmpty(v, spec))) return undefined;
    return parts.map(String).join(spec.separator ?? ':');
  }
  const paths = Array.isArray(spec.path) ? spec.path : [spec.path!];
  for (const p of paths) {
    const v = getPath(rec, p);
    if (!isEmpty(v, spec)) return v;
  }
  return undefined;
}

function convert(field: CdrField, spec: FieldSpec, raw: unknown): unknown {
  const fail = (message: string): never => {
    throw new FieldError(`${source(spec)} (${field})`, `${message}, got ${JSON.stringify(raw)?.slice(0, 60)}`);
  };
  if (spec.map) {
    const key = String(raw);
    const mapped = spec.map[key] ?? spec.default;
    if (mapped === undefined) fail(`must be one of ${Object.keys(spec.map).join(', ')}`);
    return mapped;
  }
  if (spec.time) {
    const t = toTime(raw, spec);
    if (typeof t === 'string' && t.startsWith('must')) fail(t);
    return t;
  }
  if (spec.unit) {
    const s = toSeconds(raw, spec.unit);
    if (typeof s === 'string') fail(s);
    return s;
  }
  if (spec.money) {
    const m = toMoney(raw, spec);
    if (m.startsWith('must')) fail(m);
    return m;
  }
  if (typeof raw === 'object') fail('must be a string or a number');
  return typeof raw === 'number' && field !== 'durationSec' ? String(raw) : raw;
}

function passes(rec: Record<string, unknown>, f: FilterSpec): boolean {
  const v = getPath(rec, f.field);
  const text = v === undefined || v === null ? undefined : String(v);
  if (f.present !== undefined) return f.present === !isEmpty(v);
  if (f.in) return text !== undefined && f.in.includes(text);
  if (f.notIn) return text === undefined || !f.notIn.includes(text);
  return text !== undefined && new RegExp(f.matches!).test(text);
}

/** Maps one record. `columns`: a CSV header line's names, when the mapping reads them from the file. */
export function applyMapping(mapping: Mapping, raw: Buffer | string, columns?: readonly string[]): MappingResult {
  const err = (field: string, message: string): MappingResult => ({ kind: 'error', field, error: `mapping ${mapping.name}: ${field}: ${message}` });
  let rec: Record<string, unknown>;
  try {
    rec = readRecord(raw, mapping, columns);
  } catch (e) {
    if (e instanceof MappingReadError) return err(e.field, e.message);
    throw e;
  }
  for (const f of mapping.filter ?? []) {
    if (!passes(rec, f)) return { kind: 'drop', reason: `mapping ${mapping.name}: filter on ${f.field}` };
  }
  const cdr: Record<string, unknown> = { direction: 'outbound', phase: 'end' };
  try {
    for (const field of CDR_FIELDS) {
      const spec = mapping.fields[field];
      if (!spec) continue;
      const v = pick(rec, spec);
      if (isEmpty(v, spec)) {
        if (['id', 'accountId', 'callee', 'startedAt'].includes(field)) throw new FieldError(`${source(spec)} (${field})`, 'required');
        continue;
      }
      const out = convert(field, spec, v);
      if (out !== null) cdr[field] = out;
      else if (field === 'startedAt') throw new FieldError(`${source(spec)} (${field})`, 'required');
    }
  } catch (e) {
    if (e instanceof FieldError) return err(e.field, e.message);
    throw e;
  }
  const checked = cdrSchema.safeParse(cdr);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const field = String(issue.path[0] ?? 'record') as CdrField;
    const spec = mapping.fields[field];
    return err(spec ? `${source(spec)} (${field})` : field, issue.message);
  }
  return { kind: 'cdr', cdr, bytes: Buffer.from(JSON.stringify(cdr), 'utf8') };
}
