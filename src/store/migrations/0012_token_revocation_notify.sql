-- Issue 17: bearer tokens are cached in memory by every replica (src/api/token-cache.ts). A revocation (or a
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
