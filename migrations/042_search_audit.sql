-- 042_search_audit: looking a person up by ID number or phone leaves an audit
-- row, as a reveal does.  The masked number with an age and sex leaves over
-- 10,000 candidates (docs/privacy.md); trying them one by one through
-- ?id_number= would find the full number without a reveal, so every such
-- search is recorded: who, when, from where, by which key and what it found.
-- The actor is the one the server sets for the request (leye.actor, 014).
CREATE FUNCTION api_worker_search(p_by text, p_hash bytea,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    a jsonb := nullif(current_setting('leye.actor', true), '')::jsonb;
    ids text;
    found integer;
BEGIN
    IF p_by = 'id_number' THEN
        SELECT f.status, f.version, f.body INTO status, version, body FROM api_worker_find(p_hash) f;
    ELSIF p_by = 'phone' THEN
        SELECT f.status, f.version, f.body INTO status, version, body FROM api_worker_find_phone(p_hash) f;
    ELSE
        RAISE EXCEPTION 'api_worker_search: search by id_number or phone, not %', p_by;
    END IF;
    SELECT string_agg(i ->> 'id', ',' ORDER BY (i ->> 'id')::bigint), count(*)
    INTO ids, found
    FROM jsonb_array_elements(body -> 'items') i;
    IF a IS NOT NULL THEN
        INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id,
                               peer, request_id, detail)
        VALUES (a ->> 'kind', (a ->> 'id')::bigint, coalesce(a ->> 'name', ''), 'search', 'worker',
                coalesce(ids, ''), coalesce(a ->> 'peer', ''), coalesce(a ->> 'request_id', ''),
                jsonb_build_object('by', p_by, 'found', found));
    END IF;
END $$;
