-- 015_kiosk_broker_auth: one lookup for every kind of bearer token.
--   s: a staff session;  k: a kiosk session (ends after 120 s idle);
--   b: a labour broker's API key.

CREATE FUNCTION auth_lookup(p_kind text, p_hash bytea)
RETURNS TABLE (id bigint, name text, role text, county_codes integer[], site_ids bigint[],
               permissions text[], broker_id bigint, scopes text[], rate integer)
LANGUAGE plpgsql AS $$
BEGIN
    IF p_kind = 's' THEN
        RETURN QUERY
        SELECT a.id, a.username, a.role, a.county_codes, a.site_ids, a.permissions,
               NULL::bigint, NULL::text[], NULL::integer
        FROM staff_session s JOIN staff_account a ON a.id = s.account_id
        WHERE s.token_hash = p_hash AND s.revoked_at IS NULL AND s.expires_at > now()
          AND NOT a.archived;
    ELSIF p_kind = 'k' THEN
        RETURN QUERY
        UPDATE kiosk_session k SET last_seen = now()
        WHERE k.token_hash = p_hash AND k.ended_at IS NULL
          AND k.last_seen > now() - interval '120 seconds'
        RETURNING k.worker_id, ''::text, 'kiosk'::text, '{}'::integer[], '{}'::bigint[],
                  '{}'::text[], NULL::bigint, NULL::text[], NULL::integer;
    ELSIF p_kind = 'b' THEN
        RETURN QUERY
        UPDATE broker_key bk SET last_used_at = now()
        FROM broker b
        WHERE bk.key_hash = p_hash AND bk.revoked_at IS NULL AND b.id = bk.broker_id
          AND NOT b.archived
        RETURNING bk.id, b.name, 'broker'::text, '{}'::integer[], '{}'::bigint[], '{}'::text[],
                  bk.broker_id, bk.scopes, bk.rate_per_minute;
    END IF;
END $$;

-- Kiosk login, first step: the worker behind an ID number and their PIN.
CREATE FUNCTION kiosk_login_begin(p_hash bytea,
                                  OUT worker_id bigint, OUT pin_hash text, OUT locked boolean,
                                  OUT failures integer)
LANGUAGE sql STABLE AS $$
    SELECT w.id, p.pin_hash, coalesce(p.locked, false), coalesce(p.failures, 0)
    FROM worker w LEFT JOIN worker_pin p ON p.worker_id = w.id
    WHERE w.id_number_hash = p_hash AND NOT w.archived;
$$;

-- Kiosk login, second step: five wrong PINs in a row lock the PIN until
-- staff reset it.  Returns the failures so far (0 after a success).
CREATE FUNCTION kiosk_login_finish(p_worker bigint, p_ok boolean, p_token_hash bytea,
                                   p_peer text, p_request_id text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    f integer;
BEGIN
    IF p_ok THEN
        UPDATE worker_pin SET failures = 0 WHERE worker_id = p_worker;
        INSERT INTO kiosk_session (token_hash, worker_id) VALUES (p_token_hash, p_worker);
        f := 0;
    ELSE
        UPDATE worker_pin SET failures = failures + 1, locked = failures + 1 >= 5
        WHERE worker_id = p_worker RETURNING failures INTO f;
    END IF;
    INSERT INTO audit_log (actor_kind, actor_id, action, resource, resource_id, peer, request_id)
    VALUES ('kiosk', p_worker, CASE WHEN p_ok THEN 'login' ELSE 'login_failed' END, 'kiosk_session',
            p_worker::text, p_peer, p_request_id);
    RETURN coalesce(f, 0);
END $$;
