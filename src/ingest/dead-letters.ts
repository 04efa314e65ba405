// Dead letters (CONTRACT §2, §8): a rejected record keeps its original key and value bytes and gains the x-source-*
// and x-error headers. Stored in dead_letters in the batch's transaction and produced to the DLQ topic BEFORE that
// transaction commits: a crash in between re-delivers the batch and produces the letter again (a duplicate on the
// DLQ topic, never a loss); the table keeps one row per Kafka record through its unique key. The reason and the
// headers are stored with NUL and lone surrogates escaped (PostgreSQL text and jsonb refuse them), so a letter about
// such a record can always be written; the DLQ topic gets them as they are.
import type { Queryable } from '../store/db.js';
import type { DeadLetter, Headers, RawRecord, Source } from './types.js';

export function toDeadLetter(source: Source, rec: RawRecord, error: string): DeadLetter {
  const partition = typeof source.partition === 'number' ? source.partition : null;
  const offset = rec.offset ?? null;
  const headers: Headers = {
    ...(rec.headers ?? {}),
    'x-source-topic': source.topicName,
    'x-source-partition': partition === null ? String(source.partition) : String(partition),
    'x-source-offset': offset === null ? '' : String(offset),
    'x-error': error,
  };
  return { topic: source.topicName, partition, offset, key: rec.key, value: rec.value, headers, error };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text PostgreSQL accepts: NUL written as the six characters `\u0000`, lone surrogates as U+FFFD. */
export function storableText(s: string): string {
  return s.replace(/\u0000/g, '\\u0000').replace(LONE_SURROGATE, '\ufffd');
}

function storableHeaders(h: Headers): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(h)) out[storableText(k)] = storableText(v);
  return out;
}

/** One statement for the batch's letters; a letter already stored for the same Kafka record is skipped. */
export async function insertDeadLetters(q: Queryable, letters: readonly DeadLetter[], receivedAtMs: number): Promise<void> {
  if (letters.length === 0) return;
  // One jsonb parameter (bytes as base64): portable across node-postgres and PGlite parameter encodings.
  const doc = letters.map((l) => ({
    topic: l.topic,
    partition: l.partition,
    offset: l.offset,
    key: l.key === null ? null : l.key.toString('base64'),
    value: l.value === null ? null : l.value.toString('base64'),
    headers: storableHeaders(l.headers),
    error: storableText(l.error),
  }));
  await q.query(
    `INSERT INTO dead_letters (topic, partition, "offset", key, value, headers, error, received_at)
     SELECT r.topic, r.partition, r."offset", decode(r.key, 'base64'), decode(r.value, 'base64'), r.headers, r.error, $2
       FROM jsonb_to_recordset($1::jsonb) AS r(topic text, partition int, "offset" bigint, key text, value text,
            headers jsonb, error text)
     ON CONFLICT (topic, partition, "offset") WHERE "offset" IS NOT NULL DO NOTHING`,
    [JSON.stringify(doc), new Date(receivedAtMs).toISOString()],
  );
}
