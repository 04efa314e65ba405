-- 0011 (dunning, issue 13): the ladder follows its anchor invoice. An episode records which invoice it is anchored
-- on and every stage it fired as `<stage>@<invoiceId>`, so the stages re-arm when the anchor moves to another invoice
-- and no stage is sent twice for the same anchor. A fired stage's row names its anchor invoice ('' for rows from
-- before this migration), and the once-only guard becomes once per episode, stage and anchor.
-- Append-only: never edit this file once it has landed. Must run unchanged on PostgreSQL >= 14 and on PGlite.
ALTER TABLE dunning_episodes
  ADD COLUMN anchor_invoice_id text NULL,
  ADD COLUMN fired_log text[] NOT NULL DEFAULT '{}';

ALTER TABLE dunning_stages ADD COLUMN invoice_id text NOT NULL DEFAULT '';
ALTER TABLE dunning_stages DROP CONSTRAINT dunning_stages_pkey;
ALTER TABLE dunning_stages ADD PRIMARY KEY (account_id, episode_id, stage, invoice_id);
