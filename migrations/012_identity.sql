-- 012_identity: staff accounts, sessions, labour brokers and their API keys,
-- kiosk PINs and sessions, login throttling, and the audit log.
-- Secrets are stored only as hashes: Argon2id for passwords and PINs,
-- keyed BLAKE2b for session tokens and API keys (computed by the server).

CREATE TABLE staff_account (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username            text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,40}$'),
    display_name        text NOT NULL DEFAULT '' CHECK (length(display_name) <= 50),
    role                text NOT NULL CHECK (role IN ('admin', 'county_staff', 'site_staff', 'viewer')),
    county_codes        integer[] NOT NULL DEFAULT '{}',
    site_ids            bigint[] NOT NULL DEFAULT '{}',
    permissions         text[] NOT NULL DEFAULT '{}',   -- extra grants, e.g. pii:reveal
    password_hash       text NOT NULL,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    failed_logins       integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    archived            boolean NOT NULL DEFAULT false,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'county_staff' OR cardinality(county_codes) > 0),
    CHECK (role <> 'site_staff' OR cardinality(site_ids) > 0)
);

CREATE TABLE staff_session (
    token_hash  bytea PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES staff_account (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    peer        text NOT NULL DEFAULT ''
);
CREATE INDEX staff_session_account ON staff_session (account_id) WHERE revoked_at IS NULL;

CREATE TABLE broker (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    contact_name text NOT NULL DEFAULT '',
    archived     boolean NOT NULL DEFAULT false,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE broker_key (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    broker_id      bigint NOT NULL REFERENCES broker (id),
    key_hash       bytea NOT NULL UNIQUE,
    prefix         text NOT NULL,              -- first characters, to tell keys apart
    scopes         text[] NOT NULL CHECK (scopes <@ ARRAY['vacancies:read', 'matches:read', 'applications:write']),
    rate_per_minute integer NOT NULL DEFAULT 120 CHECK (rate_per_minute BETWEEN 1 AND 100000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    last_used_at   timestamptz
);
CREATE INDEX broker_key_broker ON broker_key (broker_id);

ALTER TABLE application ADD COLUMN broker_id bigint REFERENCES broker (id);
ALTER TABLE application ADD COLUMN broker_key_id bigint REFERENCES broker_key (id);

CREATE TABLE worker_pin (
    worker_id  bigint PRIMARY KEY REFERENCES worker (id),
    pin_hash   text NOT NULL,
    failures   integer NOT NULL DEFAULT 0,
    locked     boolean NOT NULL DEFAULT false,
    set_at     timestamptz NOT NULL DEFAULT now(),
    set_by     text NOT NULL
);

CREATE TABLE kiosk_session (
    token_hash bytea PRIMARY KEY,
    worker_id  bigint NOT NULL REFERENCES worker (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    ended_at   timestamptz
);

-- Failed logins per account and per client address, for throttling.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,          -- 'user:<name>', 'addr:<ip>', 'pin:<worker id>'
    failures     integer NOT NULL DEFAULT 0,
    window_start timestamptz NOT NULL DEFAULT now(),
    blocked_until timestamptz
);

-- Who did what, to which record, when, from where.  Kept at least 180 days.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_kind  text NOT NULL CHECK (actor_kind IN ('staff', 'broker', 'kiosk', 'system')),
    actor_id    bigint,
    actor_name  text NOT NULL DEFAULT '',
    action      text NOT NULL,              -- create, update, transition, reveal, login, ...
    resource    text NOT NULL,
    resource_id text NOT NULL DEFAULT '',
    peer        text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_resource ON audit_log (resource, resource_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_kind, actor_id, at);

-- The audit log is append-only for everyone but its owner's maintenance
-- (retention beyond 180 days): no UPDATE, and DELETE only of old rows.
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
    END IF;
    IF OLD.at > now() - interval '180 days' THEN
        RAISE EXCEPTION 'audit_log rows are kept 180 days' USING ERRCODE = '42501';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();

-- Staff session lookup: the account behind a live token.
CREATE FUNCTION auth_staff_session(p_hash bytea)
RETURNS TABLE (id bigint, username text, role text, county_codes integer[], site_ids bigint[],
               permissions text[])
LANGUAGE sql STABLE AS $$
    SELECT a.id, a.username, a.role, a.county_codes, a.site_ids, a.permissions
    FROM staff_session s JOIN staff_account a ON a.id = s.account_id
    WHERE s.token_hash = p_hash AND s.revoked_at IS NULL AND s.expires_at > now()
      AND NOT a.archived;
$$;

-- One more failure for a throttle key: after `free` failures within 15
-- minutes each further attempt waits twice as long (1 s, 2 s, … 60 s).
CREATE FUNCTION auth_throttle_fail(p_key text, p_free integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    t login_throttle;
BEGIN
    INSERT INTO login_throttle AS l (key, failures, window_start) VALUES (p_key, 1, now())
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN l.window_start < now() - interval '15 minutes' THEN 1 ELSE l.failures + 1 END,
        window_start = CASE WHEN l.window_start < now() - interval '15 minutes' THEN now() ELSE l.window_start END
    RETURNING * INTO t;
    IF t.failures > p_free THEN
        UPDATE login_throttle SET blocked_until = now() + make_interval(secs => least(power(2, t.failures - p_free - 1), 60))
        WHERE key = p_key;
    END IF;
END $$;

-- Login, first step: how long the caller must wait, and the stored hash.
CREATE FUNCTION auth_login_begin(p_username text, p_addr text,
                                 OUT account_id bigint, OUT password_hash text, OUT wait_seconds integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    acc staff_account;
BEGIN
    SELECT coalesce(ceil(max(extract(epoch FROM (blocked_until - now())))), 0)::integer INTO wait_seconds
    FROM login_throttle WHERE key IN ('user:' || p_username, 'addr:' || p_addr) AND blocked_until > now();
    SELECT * INTO acc FROM staff_account WHERE username = p_username AND NOT archived;
    IF FOUND THEN
        account_id := acc.id;
        password_hash := acc.password_hash;
        IF acc.locked_until > now() THEN
            wait_seconds := greatest(wait_seconds, ceil(extract(epoch FROM (acc.locked_until - now())))::integer);
        END IF;
    END IF;
END $$;

-- Login, second step: records the outcome; on success opens a session.
-- The account locks for 15 minutes after 10 failures in a row.
CREATE FUNCTION auth_login_finish(p_username text, p_addr text, p_account bigint, p_ok boolean,
                                  p_token_hash bytea, p_ttl_seconds integer, p_request_id text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_ok THEN
        DELETE FROM login_throttle WHERE key = 'user:' || p_username;
        UPDATE staff_account SET failed_logins = 0, locked_until = NULL WHERE id = p_account;
        INSERT INTO staff_session (token_hash, account_id, expires_at, peer)
        VALUES (p_token_hash, p_account, now() + make_interval(secs => p_ttl_seconds), p_addr);
    ELSE
        PERFORM auth_throttle_fail('user:' || p_username, 3);
        PERFORM auth_throttle_fail('addr:' || p_addr, 10);
        UPDATE staff_account SET failed_logins = failed_logins + 1,
            locked_until = CASE WHEN failed_logins + 1 >= 10 THEN now() + interval '15 minutes' END
        WHERE id = p_account;
    END IF;
    INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, peer, request_id)
    VALUES ('staff', p_account, p_username, CASE WHEN p_ok THEN 'login' ELSE 'login_failed' END,
            'session', p_addr, p_request_id);
END $$;
