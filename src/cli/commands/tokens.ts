// `suspensiond tokens create|list|revoke`: API tokens straight in the database (DATABASE_URL or the embedded
// store). `create` prints the token once; nothing else ever prints a secret.
import { parseArgs } from 'node:util';
import type { Config } from '../../config.js';
import type { Role } from '../../domain/types.js';
import { createToken, listTokens, revokeToken, ROLES, TokenError } from '../../api/tokens.js';
import { migrate } from '../../store/migrate.js';
import { openDatabase } from '../../store/open-database.js';
import { EXIT, println, UsageError, type CliIo } from '../io.js';
import { table } from '../table.js';

export async function tokensCommand(argv: string[], io: CliIo, config: Config): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, account: { type: 'string' }, label: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [sub, ...rest] = positionals;
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
    throw new UsageError(`tokens: unknown subcommand ${sub ?? '(none)'}; use create, list or revoke`);
  }
  if (sub === 'create' && (!values.role || !ROLES.includes(values.role as Role))) {
    throw new UsageError(`tokens create: --role must be one of ${ROLES.join(', ')}`);
  }
  if (sub === 'revoke' && !rest[0]) throw new UsageError('tokens revoke: a token id is required');
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(db);
    if (sub === 'create') {
      const t = await createToken(db, { role: values.role as Role, accountId: values.account ?? null, label: values.label ?? null });
      if (values.json) println(io.stdout, JSON.stringify({ id: t.id, role: t.role, accountId: t.accountId, label: t.label, token: t.token }));
      else {
        println(io.stdout, t.token);
        println(io.stderr, `token ${t.id} (${t.role}${t.accountId ? ` of ${t.accountId}` : ''}) created; it is shown only once`);
      }
      return EXIT.ok;
    }
    if (sub === 'list') {
      const tokens = await listTokens(db);
      if (values.json) println(io.stdout, JSON.stringify(tokens, null, 2));
      else {
        println(
          io.stdout,
          table(
            ['ID', 'ROLE', 'ACCOUNT', 'LABEL', 'CREATED', 'LAST USED', 'REVOKED'],
            tokens.map((t) => [t.id, t.role, t.accountId, t.label, t.createdAt, t.lastUsedAt, t.revokedAt]),
          ),
        );
      }
      return EXIT.ok;
    }
    const revoked = await revokeToken(db, rest[0]!);
    if (!revoked) {
      println(io.stderr, `error: no live token ${rest[0]}`);
      return EXIT.failure;
    }
    println(io.stdout, `revoked ${rest[0]}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof TokenError) {
      println(io.stderr, `error: ${err.message}`);
      return EXIT.failure;
    }
    throw err;
  } finally {
    await db.close();
  }
}
