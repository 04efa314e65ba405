-- 0003_dunning: the invoice ledger, invoice-event dedupe, dunning episodes and fired stages, the sweep lease.
-- Append-only: never edit this file once it has landed; add a new numbered migration instead.
-- Must run unchanged on PostgreSQL >= 14 and on PGlite.

-- Every accepted invoice event, keyed by its id: a repeated id is a duplicate (ON CONFLICT DO NOTHING).
CREATE TABLE invoice_events (
  id                  text PRIMARY KEY,
  account_id          text NOT NULL,
  invoice_id          text NOT NULL,
  type                text NOT NULL,
  currency            text NOT NULL,
  total_micros        bigint NULL,
  outstanding_micros  bigint NOT NULL,
  due_at              date NULL,
  occurred_at         timestamptz NOT NULL,
  received_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoice_events_invoice_idx ON invoice_events (account_id, invoice_id, occurred_at);

-- One snapshot per invoice (src/rules/dunning/ledger.ts is the reference fold): the latest event (occurred_at, then
-- event id in C collation) sets amount, currency and type; the due date comes from the latest event carrying one;
-- the overdue mark, dispute times and closure are order-independent extremes.
CREATE TABLE invoices (
  account_id           text NOT NULL,
  invoice_id           text NOT NULL,
  currency             text NOT NULL,
  outstanding_micros   bigint NOT NULL,
  total_micros         bigint NULL,
  due_at               date NULL,
  due_set_at           timestamptz NULL,
  last_type            text NOT NULL,
  last_event_id        text NOT NULL,
  last_occurred_at     timestamptz NOT NULL,
  overdue_marked_at    timestamptz NULL,
  disputed_at          timestamptz NULL,
  dispute_resolved_at  timestamptz NULL,
  closed_at            timestamptz NULL,
  PRIMARY KEY (account_id, invoice_id)
);
-- The sweep reads only open invoices: unpaid and neither voided nor written off.
CREATE INDEX invoices_open_idx ON invoices (account_id, currency)
  INCLUDE (outstanding_micros, due_at, overdue_marked_at, disputed_at, dispute_resolved_at)
  WHERE closed_at IS NULL AND outstanding_micros > 0;

-- A dunning episode per account and currency: open while the overdue balance is at or above the policy minimum.
CREATE TABLE dunning_episodes (
  account_id     text NOT NULL,
  id             text NOT NULL,
  currency       text NOT NULL,
  policy_id      text NOT NULL,
  opened_at      timestamptz NOT NULL,
  anchor_due_at  date NOT NULL,
  fired_stages   text[] NOT NULL DEFAULT '{}',
  suspended      boolean NOT NULL DEFAULT false,
  closed_at      timestamptz NULL,
  PRIMARY KEY (account_id, id)
);
CREATE UNIQUE INDEX dunning_episodes_open_key ON dunning_episodes (account_id, currency) WHERE closed_at IS NULL;

-- Each stage fires once per episode: this key is the guard, whatever else races.
CREATE TABLE dunning_stages (
  account_id  text NOT NULL,
  episode_id  text NOT NULL,
  stage       text NOT NULL,
  policy_id   text NOT NULL,
  fired_at    timestamptz NOT NULL,
  email       text NULL,
  suspend     boolean NOT NULL,
  evidence    jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (account_id, episode_id, stage)
);

-- The sweep lease: one replica sweeps at a time. `until` is server time (now()), never the injected clock.
CREATE TABLE dunning_lease (
  name        text PRIMARY KEY,
  holder      text NULL,
  until       timestamptz NOT NULL DEFAULT '-infinity',
  last_sweep  timestamptz NULL
);
INSERT INTO dunning_lease (name) VALUES ('sweep');
