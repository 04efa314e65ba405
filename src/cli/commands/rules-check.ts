// `suspensiond rules check [dir]`: validate rule files and the source mappings of MAPPINGS_DIR; print file:line:field: message per problem, exit 1 on any.
import { loadMappings } from '../../events/mappings/load-mappings.js';
import { checkRules } from '../../rules/load-rules.js';
import { EXIT, println, type CliIo } from '../io.js';

export async function rulesCheckCommand(dir: string, io: CliIo, mappingsDir?: string): Promise<number> {
  // Source mappings (MAPPINGS_DIR) are checked with the rules: a bad mapping is a bad deployment too.
  const problems = [...(await checkRules(dir)), ...(mappingsDir ? (await loadMappings(mappingsDir)).problems : [])];
  for (const p of problems) println(io.stderr, `${p.file}:${p.line}:${p.field || '-'}: ${p.message}`);
  if (problems.length > 0) {
    println(io.stderr, `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${dir}`);
    return EXIT.failure;
  }
  println(io.stdout, `rules in ${dir}${mappingsDir ? ` and mappings in ${mappingsDir}` : ''} are valid`);
  return EXIT.ok;
}
