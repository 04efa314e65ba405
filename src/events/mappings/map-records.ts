// Splits a body or file of a mapping's input format into records and maps each (apply-mapping.ts). Used by HTTP
// ingest (POST /v1/events/cdrs/{format}) and `replay --format NAME`. Pure: bytes in, results out.
import { applyMapping, type MappingResult } from './apply-mapping.js';
import type { Mapping } from './mapping-schema.js';
import { splitCsvLine } from './read-record.js';

export interface MappedRecord {
  /** 1-based line (csv, kv, NDJSON) or array index + 1 (a JSON array). */
  line: number;
  raw: Buffer;
  result: MappingResult;
}

function nonEmptyLines(text: string): { line: number; text: string }[] {
  return text
    .split('\n')
    .map((t, i) => ({ line: i + 1, text: t.replace(/\r$/, '') }))
    .filter((l) => l.text.trim() !== '');
}

/** JSON input: one object, a JSON array of objects, or NDJSON. Other formats: one record per line. */
export function mapRecords(mapping: Mapping, body: Buffer): MappedRecord[] {
  const text = body.toString('utf8');
  if (mapping.input.format === 'json') {
    const trimmed = text.trim();
    if (trimmed.startsWith('[')) {
      try {
        const items = JSON.parse(trimmed) as unknown[];
        return items.map((item, i) => {
          const raw = Buffer.from(JSON.stringify(item), 'utf8');
          return { line: i + 1, raw, result: applyMapping(mapping, raw) };
        });
      } catch {
        // not one JSON array: read it line by line below, so each bad line is named
      }
    }
    if (!trimmed.includes('\n')) return [{ line: 1, raw: Buffer.from(trimmed), result: applyMapping(mapping, trimmed) }];
  }
  let lines = nonEmptyLines(text);
  let columns: string[] | undefined;
  if (mapping.input.format === 'csv' && mapping.input.header && lines.length > 0) {
    columns = splitCsvLine(lines[0]!.text, mapping.input.separator ?? ',').map((c) => c.trim());
    lines = lines.slice(1);
  }
  return lines.map((l) => ({ line: l.line, raw: Buffer.from(l.text, 'utf8'), result: applyMapping(mapping, l.text, columns) }));
}
