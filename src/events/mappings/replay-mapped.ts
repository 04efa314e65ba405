// `replay --format NAME`: turns files of a mapped format into NDJSON files of CONTRACT CDRs (in `workDir`) that
// replay then reads as usual. Records the mapping drops are skipped; records it cannot read are reported on
// `err` as file:line: mapping NAME: field: reason, and skipped. Owns: that conversion only.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadMappings } from './load-mappings.js';
import { mapRecords } from './map-records.js';

export async function mapReplayFiles(
  files: readonly string[],
  format: string,
  mappingsDir: string,
  workDir: string,
  err: { write(text: string): unknown },
): Promise<{ files: string[]; mapped: number; dropped: number; failed: number }> {
  const { mappings, problems } = await loadMappings(mappingsDir);
  if (problems.length > 0) throw new Error(`mappings in ${mappingsDir} are invalid: run suspensiond rules check`);
  const mapping = mappings.get(format);
  if (!mapping) throw new Error(`--format: no mapping named "${format}" in ${mappingsDir} (have: ${[...mappings.keys()].join(', ') || 'none'})`);
  const out: string[] = [];
  let mapped = 0;
  let dropped = 0;
  let failed = 0;
  for (const [i, file] of files.entries()) {
    const lines: string[] = [];
    for (const r of mapRecords(mapping, await readFile(file))) {
      if (r.result.kind === 'cdr') {
        lines.push(r.result.bytes.toString('utf8'));
        mapped++;
      } else if (r.result.kind === 'drop') dropped++;
      else {
        failed++;
        err.write(`${file}:${r.line}: ${r.result.error}\n`);
      }
    }
    const target = path.join(workDir, `mapped-${i}.ndjson`);
    await writeFile(target, lines.join('\n') + '\n');
    out.push(target);
  }
  return { files: out, mapped, dropped, failed };
}
