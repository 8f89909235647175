-- 036_audit_values: the audit log says what changed, not only which fields.
--
-- In the same statement as the change (the statement triggers of 018/024,
-- so on every path, bulk imports included), each audit row's detail now
-- holds:
--   update   {"fields": [names], "changes": {name: {"old": v, "new": v}},
--             "hidden": [names]}
--   insert   {"values": {name: v}, "hidden": [names]}   the row created
--   delete   {"values": {name: v}, "hidden": [names]}   the row deleted
-- ("values" leaves out empty columns and the bookkeeping ones: version,
-- created_at, updated_at.)
--
-- Personal data is recorded as the answers show it, decided per column by
-- one function, audit_field_rule(), on the column's name, so that columns
-- added later are covered without a change here:
--   * a name ending in _masked holds a masked form already: recorded as is;
--   * phone: masked as the answers mask phones (138****5678);
--   * id_number, _enc, _hash, pin, password, token, secret, account, card:
--     never recorded, only named in "hidden" (the ID number's masked form is
--     in id_number_masked);
--   * birth dates: the year only;
--   * names of people (a person's "name", contact_name, display_name,
--     full_name, person_name, objector): as public notices show them, 张*明;
--   * other values as they are; a value larger than 2 kB (as JSON) is cut
--     to its first 200 characters.
-- The log stays append-only (012, 029): this only changes what is added.

CREATE FUNCTION audit_field_rule(p_table text, p_column text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_column IN ('version', 'created_at', 'updated_at') THEN 'skip'
        WHEN p_column LIKE '%\_masked' THEN 'clear'
        WHEN p_column ~ '(id_number|_enc|_hash|pin|password|token|secret|account|card)' THEN 'hidden'
        WHEN p_column LIKE '%phone%' THEN 'phone'
        WHEN p_column LIKE '%birth%' THEN 'year'
        WHEN p_column ~ '^(contact_name|display_name|full_name|person_name|objector)$'
             OR p_column ~ '_(contact|person|full)_name$'
             OR (p_column = 'name' AND p_table ~ '(^|_)(worker|member|person|contact|resident)$')
            THEN 'name'
        ELSE 'clear' END;
$$;

-- The rules of a table's columns that are not 'clear', as {column: rule}.
CREATE FUNCTION audit_rules(p_table regclass) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(r.col, r.rule), '{}')
    FROM (SELECT a.attname::text AS col, audit_field_rule(c.relname::text, a.attname::text) AS rule
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped) r
    WHERE r.rule <> 'clear';
$$;

-- One value as the audit log records it under a rule (never 'hidden' or 'skip').
CREATE FUNCTION audit_value(p_rule text, v jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN v IS NULL OR jsonb_typeof(v) = 'null' THEN v
        WHEN p_rule = 'name' THEN to_jsonb(allocation_mask_name(v #>> '{}'))
        WHEN p_rule = 'phone' THEN to_jsonb(CASE WHEN length(v #>> '{}') >= 7
                                                 THEN employer_phone_mask(v #>> '{}') ELSE '****' END)
        WHEN p_rule = 'year' THEN to_jsonb(substring(v #>> '{}' FROM '^\d{4}')::integer)
        WHEN pg_column_size(v) > 2048
            THEN to_jsonb(left(CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' ELSE v::text END, 200) || '…')
        ELSE v END;
$$;

-- A row created or deleted (r: to_jsonb of it), as {"values", "hidden"}:
-- every value through audit_value(), empty ones left out.
CREATE FUNCTION audit_values(r jsonb, rules jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'values', coalesce(jsonb_object_agg(c.key, audit_value(c.rule, c.value))
                           FILTER (WHERE c.rule <> 'hidden'), '{}'),
        'hidden', coalesce((SELECT jsonb_agg(key ORDER BY key) FROM jsonb_each_text(rules)
                            WHERE value = 'hidden'), '[]'))
    FROM (SELECT e.key, e.value, coalesce(rules ->> e.key, 'clear') AS rule
          FROM jsonb_each(r) e WHERE jsonb_typeof(e.value) <> 'null') c
    WHERE c.rule <> 'skip';
$$;

-- The same as an expression over n.r for the trigger's query, built once per
-- statement: for a row of up to 2 kB (no value in it needs cutting), the
-- row's JSON without hidden and bookkeeping columns, the masked ones
-- replaced; larger rows go through audit_values().  Whole-row JSON
-- operators rather than a walk over every column keep a bulk import's audit
-- at set speed.
CREATE FUNCTION audit_values_expr(rules jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format('CASE WHEN pg_column_size(n.r) <= 2048 THEN jsonb_build_object('
                  '''values'', jsonb_strip_nulls((n.r - %L::text[])%s), ''hidden'', %L::jsonb) '
                  'ELSE audit_values(n.r, %L::jsonb) END',
                  coalesce((SELECT array_agg(key ORDER BY key)::text FROM jsonb_each_text(rules)
                            WHERE value IN ('hidden', 'skip')), '{}'),
                  coalesce(' || jsonb_build_object(' || (
                      SELECT string_agg(format('%L, audit_value(%L, n.r -> %L)', key, value, key), ', '
                                        ORDER BY key)
                      FROM jsonb_each_text(rules) WHERE value NOT IN ('hidden', 'skip')) || ')', ''),
                  coalesce((SELECT jsonb_agg(key ORDER BY key) FROM jsonb_each_text(rules)
                            WHERE value = 'hidden'), '[]'),
                  rules);
$$;

-- A row changed from o to n, as {"fields", "changes", "hidden"}; NULL when
-- nothing but bookkeeping changed (no row).  Set-returning so that the
-- planner inlines it into the trigger's query.
CREATE FUNCTION audit_changes(o jsonb, n jsonb, rules jsonb) RETURNS TABLE (detail jsonb)
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'fields', jsonb_agg(c.key ORDER BY c.key),
        'changes', coalesce(jsonb_object_agg(c.key, jsonb_build_object(
                                'old', audit_value(c.rule, o -> c.key),
                                'new', audit_value(c.rule, c.value)))
                            FILTER (WHERE c.rule <> 'hidden'), '{}'),
        'hidden', coalesce(jsonb_agg(c.key ORDER BY c.key) FILTER (WHERE c.rule = 'hidden'), '[]'))
    FROM (SELECT e.key, e.value, coalesce(rules ->> e.key, 'clear') AS rule
          FROM jsonb_each(n) e WHERE e.value IS DISTINCT FROM o -> e.key) c
    WHERE c.rule <> 'skip'
    HAVING count(*) > 0;
$$;

-- The statement trigger of every audited table (TG_ARGV[0]: the expression
-- of the record key over alias x, as in 024).
CREATE OR REPLACE FUNCTION audit_stmt() RETURNS trigger LANGUAGE plpgsql
SET enable_nestloop = off AS $$
DECLARE
    a jsonb := nullif(current_setting('leye.actor', true), '')::jsonb;
    k text := coalesce(TG_ARGV[0], 'audit_key(to_jsonb(x))');
    rules jsonb;
BEGIN
    IF a IS NULL OR current_setting('leye.audit_derived', true) = 'on' THEN
        RETURN NULL; -- the server's own work, migrations, tools; derived rollups
    END IF;
    rules := audit_rules(TG_RELID);
    IF TG_OP IN ('INSERT', 'DELETE') THEN
        EXECUTE format(
            'WITH n AS MATERIALIZED (SELECT %s AS k, to_jsonb(x) AS r FROM %I x) '
            'INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, '
            '                       peer, request_id, detail) '
            'SELECT $1 ->> ''kind'', ($1 ->> ''id'')::bigint, coalesce($1 ->> ''name'', ''''), $2, $3, '
            '       n.k, coalesce($1 ->> ''peer'', ''''), coalesce($1 ->> ''request_id'', ''''), %s '
            'FROM n',
            k, CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END, audit_values_expr(rules))
        USING a, lower(TG_OP), TG_TABLE_NAME;
    ELSE
        EXECUTE format(
            'WITH n AS MATERIALIZED (SELECT %1$s AS k, to_jsonb(x) AS r FROM new_rows x), '
            '     o AS MATERIALIZED (SELECT %1$s AS k, to_jsonb(x) AS r FROM old_rows x) '
            'INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, '
            '                       peer, request_id, detail) '
            'SELECT $1 ->> ''kind'', ($1 ->> ''id'')::bigint, coalesce($1 ->> ''name'', ''''), ''update'', '
            '       $2, n.k, coalesce($1 ->> ''peer'', ''''), coalesce($1 ->> ''request_id'', ''''), c.detail '
            'FROM n JOIN o USING (k) CROSS JOIN LATERAL audit_changes(o.r, n.r, $3) c', k)
        USING a, TG_TABLE_NAME, rules;
    END IF;
    RETURN NULL;
END $$;

-- A record's history: the audit rows of the record and of the rows that
-- belong to it, newest first.  Composite keys ("<parent>/<child>", e.g. a
-- worker's skill) are found by their parent through this index, also after
-- the child row is gone.
CREATE INDEX audit_log_parent ON audit_log (resource, (split_part(resource_id, '/', 1)), id)
    WHERE resource_id LIKE '%/%';

CREATE FUNCTION history_json(a audit_log) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'at', a.at, 'actor_kind', a.actor_kind, 'actor_name', a.actor_name,
        'action', a.action, 'resource', a.resource, 'resource_id', a.resource_id,
        'detail', a.detail);
$$;

-- GET /v1/{workers|households|vacancies}/{id}/history: f ->> 'id' is the
-- record.  A record the caller may not see (row-level security) is 404, as
-- its GET is.  What belongs to a record:
--   worker     its skills, PIN, certificates, trainings, consent events,
--              applications and placements
--   household  its early-warning tasks
--   vacancy    its skills and certificates
-- (rows of a certificate, training or task are found through the rows on
-- record now).  The cursor is {"id"} of the last row shown.
CREATE FUNCTION api_record_history(p_resource text, f jsonb, cur jsonb, lim integer, sort text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rid bigint := (f ->> 'id')::bigint;
    ids text := rid::text;
    own_res text[];
    own_id text[];
    parts text[];
    rows audit_log[];
BEGIN
    IF p_resource = 'worker' THEN
        PERFORM 1 FROM worker WHERE id = rid;
    ELSIF p_resource = 'household' THEN
        PERFORM 1 FROM household WHERE id = rid;
    ELSIF p_resource = 'vacancy' THEN
        PERFORM 1 FROM vacancy WHERE id = rid;
    END IF;
    IF rid IS NULL OR NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    -- (resource, resource_id) pairs of the record and what belongs to it
    SELECT array_agg(x.res), array_agg(x.id) INTO own_res, own_id FROM (
        SELECT p_resource AS res, ids AS id
        UNION ALL SELECT 'worker_pin', ids WHERE p_resource = 'worker'
        UNION ALL SELECT 'worker_certificate', c.id::text FROM worker_certificate c
                  WHERE p_resource = 'worker' AND c.worker_id = rid
        UNION ALL SELECT 'worker_training', t.id::text FROM worker_training t
                  WHERE p_resource = 'worker' AND t.worker_id = rid
        UNION ALL SELECT 'worker_consent_event', e.id::text FROM worker_consent_event e
                  WHERE p_resource = 'worker' AND e.worker_id = rid
        UNION ALL SELECT 'application', a.id::text FROM application a
                  WHERE p_resource = 'worker' AND a.worker_id = rid
        UNION ALL SELECT 'placement', p.id::text FROM placement p
                  WHERE p_resource = 'worker' AND p.worker_id = rid
        UNION ALL SELECT 'early_warning_task', t.id::text FROM early_warning_task t
                  WHERE p_resource = 'household' AND t.household_id = rid) x;
    parts := CASE p_resource WHEN 'worker' THEN ARRAY['worker_skill']
                             WHEN 'vacancy' THEN ARRAY['vacancy_skill', 'vacancy_certificate']
                             ELSE '{}' END;
    SELECT array_agg(a ORDER BY a.id DESC) INTO rows
    FROM (SELECT * FROM (SELECT a.* FROM unnest(own_res, own_id) u(res, id)
                         JOIN audit_log a ON a.resource = u.res AND a.resource_id = u.id
                         UNION ALL
                         SELECT a.* FROM audit_log a
                         WHERE a.resource = ANY (parts) AND a.resource_id LIKE '%/%'
                           AND split_part(a.resource_id, '/', 1) = ids) a
          WHERE cur IS NULL OR a.id < (cur ->> 'id')::bigint
          ORDER BY a.id DESC LIMIT n + 1) a;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(history_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', (rows[n]).id));
    END IF;
END $$;
