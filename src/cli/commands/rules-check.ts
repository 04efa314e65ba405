// `suspensiond rules check [dir]`: validate rule files; print file:line:field: message per problem, exit 1 on any.
import { checkRules } from '../../rules-dir.js';
import { EXIT, println, type CliIo } from '../io.js';

export async function rulesCheckCommand(dir: string, io: CliIo): Promise<number> {
  const problems = await checkRules(dir);
  for (const p of problems) println(io.stderr, `${p.file}:${p.line}:${p.field || '-'}: ${p.message}`);
  if (problems.length > 0) {
    println(io.stderr, `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${dir}`);
    return EXIT.failure;
  }
  println(io.stdout, `rules in ${dir} are valid`);
  return EXIT.ok;
}
