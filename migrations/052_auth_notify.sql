-- 052_auth_notify: every change that can end or narrow a caller's access
-- tells each server instance at once, so that the sessions each instance
-- keeps in memory (server/http/authcache.c) are dropped when the revoking
-- transaction commits: NOTIFY leye_auth is delivered only on commit, to
-- every listener on the primary.  The cache's time to live (at most one
-- second) covers a notification missed while a listener reconnects.
--
-- The payload is empty: an instance drops its whole cache, and PostgreSQL
-- folds the identical notifications of one transaction into one.

CREATE FUNCTION auth_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('leye_auth', '');
    RETURN NULL;
END $$;

-- logout, password change, lock, expiry edits and purges end sessions here
CREATE TRIGGER staff_session_auth_changed
    AFTER UPDATE OR DELETE ON staff_session
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();

-- role, counties, sites, permissions, name, archive, password and lock; a
-- sign-in's bookkeeping (failed_logins) changes nothing a session carries
CREATE TRIGGER staff_account_auth_changed
    AFTER UPDATE ON staff_account
    FOR EACH ROW
    WHEN ((OLD.role, OLD.county_codes, OLD.site_ids, OLD.permissions, OLD.username,
           OLD.archived, OLD.password_hash, OLD.locked_until, OLD.locked_at)
          IS DISTINCT FROM
          (NEW.role, NEW.county_codes, NEW.site_ids, NEW.permissions, NEW.username,
           NEW.archived, NEW.password_hash, NEW.locked_until, NEW.locked_at))
    EXECUTE FUNCTION auth_changed();

CREATE TRIGGER staff_account_auth_deleted
    AFTER DELETE ON staff_account
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();

-- broker keys and brokers: looked up on every request today (the rate
-- window is kept in the database), told all the same
CREATE TRIGGER broker_key_auth_changed
    AFTER UPDATE OF revoked_at, scopes, rate_per_minute OR DELETE ON broker_key
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();

CREATE TRIGGER broker_auth_changed
    AFTER UPDATE OF archived, name OR DELETE ON broker
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();
