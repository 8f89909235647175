-- 046_idem_actions: an Idempotency-Key on action POSTs (transitions, ends,
-- follow-ups, payments, confirms, objections, results, check-ins, ...), kept
-- as idem_call keeps it for creates: under the caller's scope and key, the
-- first answer is stored in the same transaction as the action's work, a
-- retry with the same method, path and body gets it back, and the same key
-- with anything else is refused (LY422 idempotency_mismatch).
--
-- p_sql is the action's statement as a format() string whose arguments are
-- p_args, each quoted as a literal (%1$L, %2$L, ...): the server passes its
-- own statements, never text from a request.  The statement returns
-- (status, version, body) as the api_* functions do.
CREATE FUNCTION idem_run(p_scope text, p_key text, p_hash bytea, p_path text, p_sql text,
                         p_args text[],
                         OUT res_status integer, OUT res_version integer, OUT res_body jsonb,
                         OUT res_replayed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    claimed integer;
    stored record;
BEGIN
    res_replayed := false;
    INSERT INTO idempotency_key (scope, key, method, path, request_sha, status, body)
    VALUES (p_scope, p_key, 'POST', p_path, p_hash, 0, '')
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS claimed = ROW_COUNT;
    IF claimed = 0 THEN
        SELECT i.request_sha, i.status, i.body INTO stored
        FROM idempotency_key i WHERE i.scope = p_scope AND i.key = p_key;
        IF stored.request_sha <> p_hash OR stored.status = 0 THEN
            PERFORM api_fail('LY422', 'Idempotency-Key', 'idempotency_mismatch');
        END IF;
        res_status := stored.status;
        res_body := nullif(stored.body, '')::jsonb;
        res_version := (res_body ->> 'version')::integer;
        res_replayed := true;
        RETURN;
    END IF;
    EXECUTE format(p_sql, VARIADIC p_args) INTO res_status, res_version, res_body;
    UPDATE idempotency_key i SET status = res_status, body = coalesce(res_body::text, '')
    WHERE i.scope = p_scope AND i.key = p_key;
END $$;
