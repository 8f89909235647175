-- 053_import_speed: the per-row work behind a bulk import, done once per
-- statement.  Measured on a 100,000-worker CSV import (make bench-import)
-- with track_functions and auto_explain: the audit of the new workers was
-- about half of import_workers, most of it turning every row, ciphertexts
-- and blind indexes included, into JSON and taking those keys out again.

-- The select list of a row as the audit shows it, over alias x: the columns
-- in table order, hidden and bookkeeping ones left out, masked ones through
-- audit_value().  to_jsonb() of it is the row's audit JSON before empty
-- values are dropped, the same as removing and replacing keys in the JSON of
-- the whole row, without building the large values that are thrown away.
CREATE FUNCTION audit_row_select(p_table regclass, rules jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(
               CASE WHEN rules ? a.attname::text
                    THEN format('audit_value(%L, to_jsonb(x.%I)) AS %I', rules ->> a.attname::text,
                                a.attname, a.attname)
                    ELSE format('x.%I', a.attname) END,
               ', ' ORDER BY a.attnum), '')
    FROM pg_attribute a
    WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
      AND coalesce(rules ->> a.attname::text, 'clear') NOT IN ('hidden', 'skip');
$$;

-- The statement trigger of every audited table (TG_ARGV[0]: the expression
-- of the record key over alias x, as in 024).  A created or deleted row is
-- recorded as in 036: {"values", "hidden"}, empty values left out; a row
-- whose audit JSON is over 2 kB goes through audit_values(), which cuts long
-- values (the masks it applies again leave a masked value as it is).
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
            'WITH n AS MATERIALIZED (SELECT %s AS k, to_jsonb(v) AS r '
            '                        FROM %I x CROSS JOIN LATERAL (SELECT %s) v) '
            'INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, '
            '                       peer, request_id, detail) '
            'SELECT $1 ->> ''kind'', ($1 ->> ''id'')::bigint, coalesce($1 ->> ''name'', ''''), $2, $3, '
            '       n.k, coalesce($1 ->> ''peer'', ''''), coalesce($1 ->> ''request_id'', ''''), '
            '       CASE WHEN pg_column_size(n.r) <= 2048 '
            '            THEN jsonb_build_object(''values'', jsonb_strip_nulls(n.r), ''hidden'', $4) '
            '            ELSE audit_values(n.r, $5) END '
            'FROM n',
            k, CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END,
            audit_row_select(TG_RELID, rules))
        USING a, lower(TG_OP), TG_TABLE_NAME,
              coalesce((SELECT jsonb_agg(key ORDER BY key) FROM jsonb_each_text(rules)
                        WHERE value = 'hidden'), '[]'),
              rules;
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

DROP FUNCTION audit_values_expr(jsonb);

-- A worker's history row as it is created.  A new worker has no placement
-- yet: placement.worker_id references the worker and is checked at the end
-- of every statement, so no placement can name a row this statement made.
CREATE OR REPLACE FUNCTION report_history_worker_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO worker_history (worker_id, valid_from, household_id, employment_status, with_placement, archived)
    SELECT n.id, (n.created_at AT TIME ZONE 'Asia/Shanghai')::date, n.household_id, n.employment_status,
           false, n.archived
    FROM new_rows n;
    RETURN NULL;
END $$;

-- A household newly put under monitoring (from 'none', or created so by a
-- person) gets a visit within 7 days unless one is already open for that
-- reason, as in 035: one insert per statement, so that an import of many
-- monitored households writes its tasks and their audit rows in one go.
CREATE FUNCTION household_monitoring_task_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF nullif(current_setting('leye.actor', true), '') IS NULL THEN
            RETURN NULL; -- records loaded by the server's tools carry their own tasks
        END IF;
        INSERT INTO early_warning_task (household_id, reason, due_on)
        SELECT n.id, 'monitoring_started', placement_today() + 7
        FROM new_rows n
        WHERE n.monitoring_status <> 'none'
          AND NOT EXISTS (SELECT 1 FROM early_warning_task t
                          WHERE t.household_id = n.id AND t.status = 'open'
                            AND t.reason = 'monitoring_started')
        ORDER BY n.id;
    ELSE
        INSERT INTO early_warning_task (household_id, reason, due_on)
        SELECT n.id, 'monitoring_started', placement_today() + 7
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.monitoring_status = 'none' AND n.monitoring_status <> 'none'
          AND NOT EXISTS (SELECT 1 FROM early_warning_task t
                          WHERE t.household_id = n.id AND t.status = 'open'
                            AND t.reason = 'monitoring_started')
        ORDER BY n.id;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER household_monitoring_task_insert ON household;
DROP TRIGGER household_monitoring_task_update ON household;
DROP FUNCTION household_monitoring_task();
CREATE TRIGGER household_monitoring_task_insert AFTER INSERT ON household
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_monitoring_task_stmt();
CREATE TRIGGER household_monitoring_task_update AFTER UPDATE ON household
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_monitoring_task_stmt();

-- An import's sorts and the transition tables its triggers read hold every
-- row of the file (about 60 MB for 100,000 workers): in memory rather than
-- in temporary files, for the one call that needs it.
ALTER FUNCTION import_workers(integer[], bigint[], text[], text[], bytea[], bytea[], text[], date[],
                              text[], bytea[], bytea[], text[], text[], text[], text[], integer[],
                              boolean[], boolean[], boolean[], integer[], boolean[], integer[],
                              text[], smallint[], boolean, text)
    SET work_mem = '128MB';
ALTER FUNCTION import_households(integer[], text[], bigint[], integer[], text[], integer[], text[],
                                 text[], date[], boolean)
    SET work_mem = '128MB';
