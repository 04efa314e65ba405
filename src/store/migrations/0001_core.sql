-- 0001_core: the store's core tables (accounts tree, holds, exemptions, decisions, audit, status versions, outbox).
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- Accounts. parent_id has NO foreign key: a child's snapshot may arrive on the stream before its parent's.
CREATE TABLE accounts (
  id           text PRIMARY KEY,
  type         text NOT NULL CHECK (type IN ('reseller', 'channel', 'customer')),
  parent_id    text NULL,
  name         text NULL,
  main_contact jsonb NULL,
  timezone     text NULL,
  currency     text NULL,
  tags         text[] NOT NULL DEFAULT '{}',
  closed       boolean NOT NULL DEFAULT false,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX accounts_parent_id_idx ON accounts (parent_id, id);
CREATE INDEX accounts_type_id_idx ON accounts (type, id);
CREATE INDEX accounts_lower_name_idx ON accounts (lower(name) text_pattern_ops);

-- Substring search for `q`: a trigram index where pg_trgm is available (PostgreSQL contrib, PGlite with the
-- extension loaded). Without it the search still works, by scan; the schema is otherwise identical.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXECUTE 'CREATE INDEX accounts_search_trgm_idx ON accounts USING gin ((lower(id || '' '' || coalesce(name, ''''))) gin_trgm_ops)';
    EXCEPTION WHEN insufficient_privilege OR feature_not_supported OR undefined_file THEN
      RAISE NOTICE 'pg_trgm unavailable (%): account search runs without a trigram index', SQLERRM;
    END;
  END IF;
END
$$;

-- Holds: an account is suspended while it has at least one. The unique key is what makes a repeated
-- suspension idempotent under concurrency (CONTRACT §1 Idempotence).
CREATE TABLE holds (
  id          text PRIMARY KEY,
  account_id  text NOT NULL,
  reason      text NOT NULL CHECK (reason IN ('fraud', 'non_payment')),
  source      text NOT NULL,
  evidence    jsonb NOT NULL DEFAULT '{}',
  note        text NULL,
  placed_at   timestamptz NOT NULL,
  expires_at  timestamptz NULL,
  CONSTRAINT holds_account_reason_source_key UNIQUE (account_id, reason, source)
);
CREATE INDEX holds_expires_at_idx ON holds (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX holds_reason_idx ON holds (reason);

-- Exemptions (overrides): until `until`, automatic rules of `reason` (all when null; only `rules` when set)
-- open a review decision instead of suspending.
CREATE TABLE exemptions (
  id          text PRIMARY KEY,
  account_id  text NOT NULL,
  reason      text NULL CHECK (reason IS NULL OR reason IN ('fraud', 'non_payment')),
  rules       text[] NULL,
  until       timestamptz NOT NULL,
  note        text NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX exemptions_account_id_idx ON exemptions (account_id, until);

-- Review decisions. At most one pending decision per (account, reason, source).
CREATE TABLE decisions (
  id          text PRIMARY KEY,
  account_id  text NOT NULL,
  reason      text NOT NULL CHECK (reason IN ('fraud', 'non_payment')),
  source      text NOT NULL,
  evidence    jsonb NOT NULL DEFAULT '{}',
  note        text NULL,
  state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
  created_at  timestamptz NOT NULL,
  decided_at  timestamptz NULL,
  decided_by  text NULL
);
CREATE UNIQUE INDEX decisions_pending_key ON decisions (account_id, reason, source) WHERE state = 'pending';
CREATE INDEX decisions_state_created_idx ON decisions (state, created_at, id);
CREATE INDEX decisions_account_id_idx ON decisions (account_id);

-- The audit trail: append-only.
CREATE TABLE audit (
  id           bigserial PRIMARY KEY,
  account_id   text NOT NULL,
  kind         text NOT NULL,
  actor        text NOT NULL,
  at           timestamptz NOT NULL,
  hold_id      text NULL,
  decision_id  text NULL,
  reason       text NULL,
  note         text NULL,
  evidence     jsonb NULL
);
CREATE INDEX audit_account_id_idx ON audit (account_id, id);

-- The last published effective status per account; `version` only increases.
CREATE TABLE account_status (
  account_id  text PRIMARY KEY,
  version     bigint NOT NULL,
  status      jsonb NOT NULL,
  changed_at  timestamptz NOT NULL
);

-- The transactional outbox: effects (status events, emails) written in the same transaction as the change.
CREATE TABLE outbox (
  id               bigserial PRIMARY KEY,
  account_id       text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('status', 'email')),
  payload          jsonb NOT NULL,
  dedupe_key       text NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'parked', 'skipped')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  done_at          timestamptz NULL,
  CONSTRAINT outbox_dedupe_key_key UNIQUE (dedupe_key)
);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX outbox_account_id_idx ON outbox (account_id, id);
