-- Call authorization (issue 15): LISTEN/NOTIFY for the in-memory status view, and the `authorize` token role.
-- The in-memory status view of every replica (src/status-view) follows effective statuses through LISTEN/NOTIFY.
-- A NOTIFY is delivered when its transaction commits, so a replica never sees a status that was rolled back.
-- `suspensiond_status`: the stored status message itself when it fits the 8000-byte payload limit, otherwise
-- `{"accountId": ..., "version": ...}` and the view reads that one row (off the request path).
-- `suspensiond_account`: the id of each account inserted, so the view knows which accounts exist.
CREATE FUNCTION suspensiond_notify_status() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  body text := NEW.status::text;
BEGIN
  IF octet_length(body) > 7900 THEN
    body := jsonb_build_object('accountId', NEW.account_id, 'version', NEW.version, 'truncated', true)::text;
  END IF;
  PERFORM pg_notify('suspensiond_status', body);
  RETURN NULL;
END
$$;

CREATE TRIGGER account_status_notify AFTER INSERT OR UPDATE ON account_status
  FOR EACH ROW EXECUTE FUNCTION suspensiond_notify_status();

CREATE FUNCTION suspensiond_notify_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('suspensiond_account', NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER accounts_notify AFTER INSERT ON accounts
  FOR EACH ROW EXECUTE FUNCTION suspensiond_notify_account();

-- The `authorize` token role (CONTRACT §1): may only call /v1/authorize.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check
  CHECK (role IN ('operator', 'reseller', 'channel', 'customer', 'ingest', 'authorize'));
