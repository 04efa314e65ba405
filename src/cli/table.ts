// Plain-text tables for the CLI: left-aligned columns, two spaces apart, a header row. No colours, no truncation.
// Every cell is made printable first, so a control character in a name can never break the columns.
import { printable } from './printable.js';

export function table(headers: string[], rows: Array<Array<string | null | undefined>>): string {
  const cells = rows.map((r) => headers.map((_, i) => printable(r[i] ?? '-')));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}
