// The help text of the `suspensiond` command (CONTRACT §6).
export const USAGE = `usage: suspensiond <command> [options]

commands:
  run                                   the daemon (the default)
  migrate                               apply database migrations, then exit
  rules check [dir]                     validate rule files (default RULES_DIR); exit 1 on error
  replay <file...> [--rules dir] [--json] [--enforce] [--rule id] [--account id] [--format NAME]
                                        backtest NDJSON files of accounts, CDRs and invoice events
                                        (replay --help for the options)
  tokens create --role R [--account id] [--label text]
                                        print a new API token (shown once); R: operator, reseller, channel,
                                        customer, ingest, authorize
  tokens list                           list tokens (never their secrets)
  tokens revoke <id>                    revoke a token
  accounts list [--type T] [--status active|suspended] [--parent id] [--q text] [--limit n] [--cursor c]
  accounts show <id>
  accounts suspend <id> --reason fraud|non_payment [--note text]
  accounts activate <id> [--reason R] [--note text] [--exempt-for 24h]
  accounts history <id>
                                        the API from the shell: --url and --token, or SUSPENSIOND_URL and
                                        SUSPENSIOND_TOKEN; --json for machine-readable output
  demo [--url URL] [--token T] [--speed N|max] [--kafka]
                                        load the sample platform of examples/ into a running daemon and
                                        play a day of its traffic (see: suspensiond demo --help)

configuration comes from the environment (see the README); bad configuration exits with status 2.
`;
