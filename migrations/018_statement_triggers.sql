-- 018_statement_triggers: the audit log and the matching notifications per
-- statement rather than per row, so that bulk writes (imports, allocations)
-- cost one INSERT and a few notifications instead of one per row.
-- Notification payloads become lists: "w:<id>,<id>,…" (at most ~7,000 bytes each).

CREATE FUNCTION audit_key(r jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(r ->> 'id',
                    concat_ws('/', r ->> 'worker_id', r ->> 'vacancy_id', r ->> 'application_id',
                              r ->> 'placement_id', r ->> 'skill_id', r ->> 'certificate_type_id'));
$$;

CREATE FUNCTION audit_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a jsonb := nullif(current_setting('leye.actor', true), '')::jsonb;
BEGIN
    IF a IS NULL THEN
        RETURN NULL; -- the server's own work, migrations and command-line tools
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, peer, request_id)
        SELECT a ->> 'kind', (a ->> 'id')::bigint, coalesce(a ->> 'name', ''), 'insert', TG_TABLE_NAME,
               audit_key(to_jsonb(n)), coalesce(a ->> 'peer', ''), coalesce(a ->> 'request_id', '')
        FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, peer, request_id)
        SELECT a ->> 'kind', (a ->> 'id')::bigint, coalesce(a ->> 'name', ''), 'delete', TG_TABLE_NAME,
               audit_key(to_jsonb(o)), coalesce(a ->> 'peer', ''), coalesce(a ->> 'request_id', '')
        FROM old_rows o;
    ELSE
        INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, peer,
                               request_id, detail)
        SELECT a ->> 'kind', (a ->> 'id')::bigint, coalesce(a ->> 'name', ''), 'update', TG_TABLE_NAME,
               audit_key(nn.r), coalesce(a ->> 'peer', ''), coalesce(a ->> 'request_id', ''),
               jsonb_build_object('fields', f.fields)
        FROM (SELECT to_jsonb(n) r FROM new_rows n) nn
        JOIN (SELECT to_jsonb(o) r FROM old_rows o) oo ON audit_key(oo.r) = audit_key(nn.r)
        CROSS JOIN LATERAL (
            SELECT jsonb_agg(k ORDER BY k) AS fields FROM jsonb_object_keys(nn.r) k
            WHERE nn.r -> k IS DISTINCT FROM oo.r -> k AND k NOT IN ('version', 'updated_at')) f
        WHERE f.fields IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;

-- pg_notify for each chunk of distinct ids: p_prefix 'w', 'v' or 'h'.
CREATE FUNCTION match_notify_ids(p_prefix text, p_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    chunk text := '';
    id bigint;
BEGIN
    FOREACH id IN ARRAY p_ids LOOP
        IF length(chunk) > 7000 THEN
            PERFORM pg_notify('leye_match', p_prefix || ':' || chunk);
            chunk := '';
        END IF;
        chunk := chunk || CASE WHEN chunk = '' THEN '' ELSE ',' END || id;
    END LOOP;
    IF chunk <> '' THEN
        PERFORM pg_notify('leye_match', p_prefix || ':' || chunk);
    END IF;
END $$;

-- TG_ARGV[0]: the prefix; TG_ARGV[1]: the column holding the id.
CREATE FUNCTION match_notify_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows', TG_ARGV[1]) INTO ids;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows', TG_ARGV[1]) INTO ids;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT x) FROM (SELECT %I AS x FROM new_rows UNION SELECT %I FROM old_rows) s',
                       TG_ARGV[1], TG_ARGV[1]) INTO ids;
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM match_notify_ids(TG_ARGV[0], ids);
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
    spec text[];
BEGIN
    -- audit: three statement triggers per table
    FOREACH t IN ARRAY ARRAY['site', 'household', 'worker', 'worker_skill', 'worker_training',
                             'worker_certificate', 'worker_consent_event', 'employer', 'vacancy',
                             'vacancy_skill', 'vacancy_certificate', 'work_relief_project',
                             'remuneration_payment', 'application', 'placement', 'followup',
                             'early_warning_task', 'staff_account', 'broker', 'broker_key',
                             'worker_pin', 'skill', 'certificate_type'] LOOP
        EXECUTE format('DROP TRIGGER audit ON %I', t);
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt()', t);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt()', t);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt()', t);
    END LOOP;
    -- matching notifications: {table, prefix, id column}
    FOREACH spec SLICE 1 IN ARRAY ARRAY[['worker', 'w', 'id'], ['worker_skill', 'w', 'worker_id'],
                                        ['worker_certificate', 'w', 'worker_id'],
                                        ['vacancy', 'v', 'id'], ['vacancy_skill', 'v', 'vacancy_id'],
                                        ['vacancy_certificate', 'v', 'vacancy_id']] LOOP
        EXECUTE format('DROP TRIGGER match_notify ON %I', spec[1]);
        EXECUTE format('CREATE TRIGGER match_notify_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION match_notify_stmt(%L, %L)', spec[1], spec[2], spec[3]);
        EXECUTE format('CREATE TRIGGER match_notify_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION match_notify_stmt(%L, %L)',
                       spec[1], spec[2], spec[3]);
        EXECUTE format('CREATE TRIGGER match_notify_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION match_notify_stmt(%L, %L)', spec[1], spec[2], spec[3]);
    END LOOP;
END $$;
