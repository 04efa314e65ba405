-- 0005_api: API bearer tokens (CONTRACT §4). Only the sha256 of the secret is stored; the token itself is shown
-- once by `suspensiond tokens create`. `account_id` is the actor's account for scoped roles (reseller, channel,
-- customer); it is not a foreign key because tokens may be issued before the account snapshot arrives.
CREATE TABLE api_tokens (
  id            text PRIMARY KEY,
  role          text NOT NULL CHECK (role IN ('operator', 'reseller', 'channel', 'customer', 'ingest')),
  account_id    text,
  hash          bytea NOT NULL,
  label         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  CONSTRAINT api_tokens_scoped_role_has_account
    CHECK ((role IN ('reseller', 'channel', 'customer')) = (account_id IS NOT NULL))
);

CREATE INDEX api_tokens_account_idx ON api_tokens (account_id) WHERE account_id IS NOT NULL;
