-- 004_api_core: conventions shared by the API functions.
--
-- Each resource has SQL functions api_<resource>_<verb> that do one request's
-- work in one statement (so atomically) and return (status, version, body):
-- the HTTP status, the row's version (its ETag) and the JSON answer.
-- Faults are raised with SQLSTATEs the server maps to problem answers:
--   LY404 not found; LY409 conflict; LY412 stale version; LY422 invalid field.
-- For LY409 and LY422 the MESSAGE is the field and the DETAIL the error code.

CREATE FUNCTION api_fail(state text, field text, code text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = state, MESSAGE = field, DETAIL = code;
END $$;

-- Runs api_<resource>_create(payload, actor) at most once per idempotency key:
-- a retried request with the same key and body gets the first answer back;
-- concurrent retries wait on the key's row and then read that answer.
CREATE FUNCTION idem_call(p_fn text, p_payload jsonb, p_actor text, p_scope text, p_key text,
                          p_hash bytea,
                          OUT res_status integer, OUT res_version integer, OUT res_body jsonb,
                          OUT res_replayed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    claimed integer;
    stored record;
BEGIN
    IF p_fn !~ '^api_[a-z_]+$' THEN
        RAISE EXCEPTION 'idem_call: bad function name %', p_fn;
    END IF;
    res_replayed := false;
    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_key (scope, key, method, path, request_sha, status, body)
        VALUES (p_scope, p_key, 'POST', p_fn, p_hash, 0, '')
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS claimed = ROW_COUNT;
        IF claimed = 0 THEN
            SELECT i.request_sha, i.status, i.body INTO stored
            FROM idempotency_key i WHERE i.scope = p_scope AND i.key = p_key;
            IF stored.request_sha <> p_hash OR stored.status = 0 THEN
                PERFORM api_fail('LY422', 'Idempotency-Key', 'idempotency_mismatch');
            END IF;
            res_status := stored.status;
            res_body := stored.body::jsonb;
            res_version := (res_body ->> 'version')::integer;
            res_replayed := true;
            RETURN;
        END IF;
    END IF;
    EXECUTE format('SELECT * FROM %I($1, $2)', p_fn)
        INTO res_status, res_version, res_body USING p_payload, p_actor;
    IF p_key IS NOT NULL THEN
        UPDATE idempotency_key i SET status = res_status, body = res_body::text
        WHERE i.scope = p_scope AND i.key = p_key;
    END IF;
END $$;

-- Idempotency records are kept for a day.
CREATE FUNCTION idem_expire() RETURNS integer LANGUAGE sql AS $$
    WITH d AS (DELETE FROM idempotency_key WHERE created_at < now() - interval '24 hours' RETURNING 1)
    SELECT count(*)::integer FROM d;
$$;

-- Keyset cursors: the position after the last row of a page.
CREATE FUNCTION api_page_limit(p_limit integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT least(greatest(coalesce(p_limit, 50), 1), 200);
$$;
