-- Issue 17 (fast reads): bearer tokens are cached in memory by every replica (src/api/token-cache.ts). A revocation (or a
-- deleted token) sends the token's id on `suspensiond_token` when its transaction commits, and each replica's
-- status-view LISTEN connection evicts that token at once. `last_used_at` refreshes send nothing.
CREATE FUNCTION suspensiond_notify_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('suspensiond_token', OLD.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER api_tokens_revoke_notify AFTER UPDATE ON api_tokens
  FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.role IS DISTINCT FROM NEW.role
                     OR OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.hash IS DISTINCT FROM NEW.hash)
  EXECUTE FUNCTION suspensiond_notify_token();

CREATE TRIGGER api_tokens_delete_notify AFTER DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION suspensiond_notify_token();

-- The API's account cache (src/api/account-cache.ts) follows `suspensiond_account_change`: the id of each updated
-- account (a move, a rename) and of each account whose holds change, so a cached GET /v1/accounts/{id} answer is
-- evicted with it and with any change of its ancestors. (New accounts stay on `suspensiond_account`, 0009.)
CREATE FUNCTION suspensiond_notify_account_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'accounts' THEN
    PERFORM pg_notify('suspensiond_account_change', OLD.id);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('suspensiond_account_change', OLD.account_id);
  ELSE
    PERFORM pg_notify('suspensiond_account_change', NEW.account_id);
    IF TG_OP = 'UPDATE' AND OLD.account_id IS DISTINCT FROM NEW.account_id THEN
      PERFORM pg_notify('suspensiond_account_change', OLD.account_id);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER accounts_change_notify AFTER UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION suspensiond_notify_account_change();

CREATE TRIGGER holds_change_notify AFTER INSERT OR UPDATE OR DELETE ON holds
  FOR EACH ROW EXECUTE FUNCTION suspensiond_notify_account_change();
