// `suspensiond accounts list|show|suspend|activate|history`: the API from the shell (--url/--token or
// SUSPENSIOND_URL/SUSPENSIOND_TOKEN), as readable tables or --json. Never prints the token.
import { parseArgs } from 'node:util';
import { ApiCallError, createApiClient, type ApiClient } from '../api-client.js';
import { EXIT, println, UsageError, type CliIo } from '../io.js';
import { table } from '../table.js';
import { printable } from '../printable.js';
import { idProblem } from '../../events/validate.js';
import { evidenceText } from '../../domain/evidence-text.js';

interface AccountSummary {
  id: string;
  type: string;
  parentId: string | null;
  name: string | null;
  status: string;
}
interface Hold {
  id: string;
  reason: string;
  source: string;
  since: string;
  note: string | null;
}
interface AccountDetail extends AccountSummary {
  holds: Hold[];
  inheritedFrom: string[];
  outboundCalls: string;
  portalAccess: string;
  changed?: boolean;
  decisionsOpened?: string[];
}
interface AuditItem {
  at: string;
  kind: string;
  actor: string;
  reason: string | null;
  note: string | null;
  holdId: string | null;
  decisionId: string | null;
  evidence?: Record<string, unknown> | null;
}

/** One path segment: every id is addressable, even `100%`, `a/b` or `O'Brien & Sons/7` (dots are the server's). */
const enc = (id: string) => encodeURIComponent(id);

function printDetail(io: CliIo, a: AccountDetail): void {
  println(io.stdout, printable(`${a.id}  ${a.type}  ${a.status.toUpperCase()}${a.name ? `  ${a.name}` : ''}`));
  println(io.stdout, `parent: ${printable(a.parentId ?? '-')}`);
  if (a.inheritedFrom.length > 0) println(io.stdout, `suspended through: ${printable(a.inheritedFrom.join(', '))}`);
  println(io.stdout, `outbound calls: ${a.outboundCalls}, portal: ${a.portalAccess}, inbound calls: allowed, billing: continues`);
  if (a.holds.length === 0) println(io.stdout, 'holds: none');
  else println(io.stdout, table(['HOLD', 'REASON', 'SOURCE', 'SINCE', 'NOTE'], a.holds.map((h) => [h.id, h.reason, h.source, h.since, h.note])));
  if (a.changed === false) println(io.stdout, '(no change)');
  if (a.decisionsOpened && a.decisionsOpened.length > 0) println(io.stdout, `review decisions opened: ${printable(a.decisionsOpened.join(', '))}`);
}

async function dispatch(client: ApiClient, io: CliIo, sub: string, args: string[], json: boolean): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      status: { type: 'string' },
      parent: { type: 'string' },
      q: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      reason: { type: 'string' },
      note: { type: 'string' },
      'exempt-for': { type: 'string' },
    },
  });
  const out = (value: unknown, text: () => void) => (json ? println(io.stdout, JSON.stringify(value, null, 2)) : text());
  const id = () => {
    const v = positionals[0]?.trim();
    if (!v) throw new UsageError(`accounts ${sub}: an account id is required`);
    // The same id grammar as the topics and the API (CONTRACT §2), checked before anything is sent.
    const why = idProblem(v);
    if (why !== null) throw new UsageError(`accounts ${sub}: the account id ${why}`);
    return v;
  };
  switch (sub) {
    case 'list': {
      const page = (await client.get('/v1/accounts', {
        type: values.type, status: values.status, parent: values.parent, q: values.q, limit: values.limit, cursor: values.cursor,
      })) as { items: AccountSummary[]; nextCursor: string | null };
      out(page, () => {
        println(io.stdout, table(['ID', 'TYPE', 'STATUS', 'PARENT', 'NAME'], page.items.map((a) => [a.id, a.type, a.status, a.parentId, a.name])));
        if (page.nextCursor) println(io.stdout, `more: --cursor ${printable(page.nextCursor)}`);
      });
      return EXIT.ok;
    }
    case 'show': {
      const a = (await client.get(`/v1/accounts/${enc(id())}`)) as AccountDetail;
      out(a, () => printDetail(io, a));
      return EXIT.ok;
    }
    case 'suspend': {
      if (!values.reason) throw new UsageError('accounts suspend: --reason fraud|non_payment is required');
      const a = (await client.post(`/v1/accounts/${enc(id())}/suspend`, { reason: values.reason, ...(values.note ? { note: values.note } : {}) })) as AccountDetail;
      out(a, () => printDetail(io, a));
      return EXIT.ok;
    }
    case 'activate': {
      const body = {
        ...(values.reason ? { reason: values.reason } : {}),
        ...(values.note ? { note: values.note } : {}),
        ...(values['exempt-for'] ? { exemptFor: values['exempt-for'] } : {}),
      };
      const a = (await client.post(`/v1/accounts/${enc(id())}/activate`, body)) as AccountDetail;
      out(a, () => printDetail(io, a));
      return EXIT.ok;
    }
    case 'history': {
      const page = (await client.get(`/v1/accounts/${enc(id())}/history`, { limit: values.limit, cursor: values.cursor })) as {
        items: AuditItem[];
        nextCursor: string | null;
      };
      out(page, () => {
        println(io.stdout, table(['AT', 'KIND', 'ACTOR', 'REASON', 'NOTE', 'EVIDENCE'], page.items.map((e) => [e.at, e.kind, e.actor, e.reason, e.note, evidenceText(e.evidence ?? null) || null])));
        if (page.nextCursor) println(io.stdout, `more: --cursor ${page.nextCursor}`);
      });
      return EXIT.ok;
    }
    default:
      throw new UsageError(`accounts: unknown subcommand ${sub || '(none)'}; use list, show, suspend, activate or history`);
  }
}

export async function accountsCommand(argv: string[], io: CliIo): Promise<number> {
  // Connection options may appear anywhere; pull them out first so subcommand parsing stays strict.
  const rest: string[] = [];
  let url = io.env.SUSPENSIOND_URL;
  let token = io.env.SUSPENSIOND_TOKEN;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--url' || a === '--token') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      if (a === '--url') url = v;
      else token = v;
    } else if (a.startsWith('--url=')) url = a.slice(6);
    else if (a.startsWith('--token=')) token = a.slice(8);
    else rest.push(a);
  }
  const [sub = '', ...args] = rest;
  if (!url) throw new UsageError('accounts: --url or SUSPENSIOND_URL is required');
  if (!token) throw new UsageError('accounts: --token or SUSPENSIOND_TOKEN is required');
  try {
    return await dispatch(createApiClient(url, token), io, sub, args, json);
  } catch (err) {
    if (err instanceof ApiCallError) {
      println(io.stderr, `error: ${err.status === 0 ? '' : `${err.status} `}${printable(err.detail)}`);
      return EXIT.failure;
    }
    throw err;
  }
}
