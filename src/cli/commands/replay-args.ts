// `suspensiond replay` arguments and help text (CONTRACT §6, issue 12): files, --rules, --json, --enforce (drop a
// held account's outbound calls as the switch would), --rule and --account filters (repeatable or comma-separated).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ENGINE_KINDS, isEngineKind, type EngineKind } from '../../rules/engine-kind.js';
import { UsageError } from '../io.js';

export const REPLAY_HELP = `usage: suspensiond replay <file...> [--rules dir] [--json] [--enforce] [--rule id]... [--account id]... [--format NAME]
                          [--engine classic|fused] [--compare-engines]

Backtest: runs NDJSON files of account snapshots, CDRs and invoice events through the same pipeline and rules as
the daemon, in event-time order, on a throwaway store. Prints every hold, review, alert and lift with the rule and
its evidence, then a summary per rule and per account.

options:
  --rules dir       rule directory (default RULES_DIR, else ./rules)
  --json            the report as JSON (findings, summary, accounts held at the end)
  --enforce         drop an account's outbound calls set up after its hold (or an ancestor's), as the switch
                    would, so later findings are what production would have seen; inbound and emergency calls go on
  --rule id         keep only findings of this rule (or dunning policy); repeat or comma-separate for several
  --account id      keep only findings of this account; repeat or comma-separate for several
  --format NAME     the files are in a switch's own CDR format, read through the source mapping NAME
                    (MAPPINGS_DIR, default ./mappings), e.g. asterisk-csv or freeswitch-json
  --engine NAME     the fraud engine: classic or fused (default FRAUD_ENGINE, else classic), as the daemon runs it
  --compare-engines replay on both engines and print what differs (findings with their evidence, holds at the end,
                    record counts, fallbacks) instead of the findings; exit status 1 when anything differs. The check
                    to run on your own traffic before setting FRAUD_ENGINE=fused
  -h, --help        this text

Times are event times: a rule's decision is timed by the record that crossed its level. Dunning sweeps are
simulated at DUNNING_SCHEDULE only when the files hold invoice events.
`;

export interface ReplayArgs {
  help: boolean;
  files: string[];
  rulesDir: string | null;
  json: boolean;
  enforce: boolean;
  rules: string[];
  accounts: string[];
  /** --format: a source mapping's name, or null for CONTRACT NDJSON. */
  format: string | null;
  /** --engine: the fraud engine, or null for the configuration's (FRAUD_ENGINE). */
  engine: EngineKind | null;
  compareEngines: boolean;
}

const list = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

export function parseReplayArgs(argv: string[]): ReplayArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rules: { type: 'string' },
      json: { type: 'boolean' },
      enforce: { type: 'boolean' },
      rule: { type: 'string', multiple: true },
      account: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      format: { type: 'string' },
      engine: { type: 'string' },
      'compare-engines': { type: 'boolean' },
    },
  });
  const engine = values.engine ?? null;
  if (engine !== null && !isEngineKind(engine)) throw new UsageError(`replay: --engine must be ${ENGINE_KINDS.join(' or ')} (got ${JSON.stringify(engine)})`);
  if (engine !== null && values['compare-engines']) throw new UsageError('replay: --engine and --compare-engines do not go together (the comparison runs both)');
  const help = values.help ?? false;
  if (!help && positionals.length === 0) throw new UsageError('replay: at least one NDJSON file is required (see replay --help)');
  return {
    help,
    files: positionals.map((f) => path.resolve(f)),
    rulesDir: values.rules ? path.resolve(values.rules) : null,
    json: values.json ?? false,
    enforce: values.enforce ?? false,
    rules: list(values.rule),
    accounts: list(values.account),
    format: values.format ?? null,
    engine: engine as EngineKind | null,
    compareEngines: values['compare-engines'] ?? false,
  };
}
