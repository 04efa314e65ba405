// Splits an ingest request body (a JSON object, a JSON array or NDJSON) into the raw bytes of each record, so the
// pipeline decodes every record exactly as it decodes a Kafka value: invalid UTF-8 or deep nesting in one array
// element is that record's dead letter, never a U+FFFD accepted in silence or a 500. Array elements are cut out
// of the body by a byte scanner, never re-serialised. A body of more than `maxRecords` records is a 413 before
// anything is processed. Never validates a record itself.
import { ApiError } from './problem.js';

export const JSON_TYPES = ['application/json'];
export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl'];
/** Records per ingest request unless the server is configured otherwise. */
export const DEFAULT_MAX_RECORDS = 10_000;

const tooMany = (max: number) => new ApiError(413, `body: more than ${max} records; send at most ${max} per request`, 'body');

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function splitNdjson(body: Buffer, maxRecords: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 0x0a) {
      let from = start;
      let end = i;
      while (from < end && isSpace(body[from]!)) from++;
      while (end > from && isSpace(body[end - 1]!)) end--;
      if (end > from) {
        if (out.length >= maxRecords) throw tooMany(maxRecords);
        out.push(Buffer.from(body.subarray(from, end)));
      }
      start = i + 1;
    }
  }
  return out;
}

/** The elements of a JSON array whose `[` is at `from`, as byte slices. The body's syntax is checked separately. */
function splitJsonArray(body: Buffer, from: number, maxRecords: number): Buffer[] {
  const out: Buffer[] = [];
  let depth = 0;
  let start = -1;
  let end = -1;
  const push = () => {
    if (start >= 0) {
      if (out.length >= maxRecords) throw tooMany(maxRecords);
      out.push(Buffer.from(body.subarray(start, end + 1)));
    }
    start = -1;
  };
  for (let i = from; i < body.length; i++) {
    const c = body[i]!;
    if (isSpace(c)) continue;
    if (depth === 1 && start < 0 && c !== 0x2c && c !== 0x5d) start = i;
    if (c === 0x22) {
      for (i++; i < body.length && body[i] !== 0x22; i++) if (body[i] === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
    } else if (c === 0x5d || c === 0x7d) {
      if (--depth === 0) {
        push();
        break;
      }
    } else if (c === 0x2c && depth === 1) {
      push();
      continue;
    }
    end = i;
  }
  return out;
}

/** Splits a request body into record byte strings. Throws a 400 naming `body` when it is not JSON, a 413 when too many. */
export function splitRecords(body: Buffer, contentType: string, maxRecords = DEFAULT_MAX_RECORDS): Buffer[] {
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (NDJSON_TYPES.includes(mediaType)) return splitNdjson(body, maxRecords);
  let first = 0;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) first = 3; // a UTF-8 byte order mark
  while (first < body.length && isSpace(body[first]!)) first++;
  // Split (and count, so too many records is a 413 before any parsing) first, then check the whole body's syntax.
  const records = body[first] === 0x5b ? splitJsonArray(body, first, maxRecords) : [first === 0 ? body : Buffer.from(body.subarray(first))];
  // Syntax only: the text may hold U+FFFD where a record's bytes are not UTF-8; that record's decoder rejects it.
  try {
    JSON.parse(body.toString('utf8', first));
  } catch (err) {
    throw new ApiError(400, `body: malformed JSON (${(err as Error).message})`, 'body');
  }
  return records;
}
