// Opaque paging cursors: base64url of a small JSON array of the last row's sort key. A cursor that does not decode
// to the expected shape is a 400 naming `cursor`, never a database error.
import { ApiError } from './problem.js';

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor into `arity` string parts; undefined in, undefined out. */
export function decodeCursor(cursor: string | undefined, arity: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== arity || !parsed.every((p) => typeof p === 'string' || typeof p === 'number')) {
    throw new ApiError(400, 'query.cursor: not a cursor returned by a previous page', 'query.cursor');
  }
  return parsed.map(String);
}

/** Given `limit + 1` rows, the page and the cursor of its last row when there is more. */
export function paginate<T>(rows: T[], limit: number, key: (row: T) => readonly (string | number)[]): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(key(items[items.length - 1]!)) };
}
