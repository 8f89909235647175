-- 024_bulk_speed: bulk writes (CSV imports, allocations, rollups) at set speed.
--
-- * The audit trigger takes the record key as a column expression (no
--   to_jsonb of every row just to find its id) and diffs updates on
--   materialised rows.
-- * Rollups the database derives (household labour and employed counts) are
--   not audited: they follow from audited writes.
-- * Household changes that matter to matching are notified once per
--   statement, as a list, like the others.
-- * Households import with a handful of statements instead of a loop.

CREATE OR REPLACE FUNCTION audit_stmt() RETURNS trigger LANGUAGE plpgsql
SET enable_nestloop = off AS $$
DECLARE
    a jsonb := nullif(current_setting('leye.actor', true), '')::jsonb;
    k text := coalesce(TG_ARGV[0], 'audit_key(to_jsonb(x))');
BEGIN
    IF a IS NULL OR current_setting('leye.audit_derived', true) = 'on' THEN
        RETURN NULL; -- the server's own work, migrations, tools; derived rollups
    END IF;
    IF TG_OP IN ('INSERT', 'DELETE') THEN
        EXECUTE format(
            'INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, '
            'peer, request_id) '
            'SELECT $1 ->> ''kind'', ($1 ->> ''id'')::bigint, coalesce($1 ->> ''name'', ''''), $2, $3, '
            '%s, coalesce($1 ->> ''peer'', ''''), coalesce($1 ->> ''request_id'', '''') FROM %I x',
            k, CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
        USING a, lower(TG_OP), TG_TABLE_NAME;
    ELSE
        EXECUTE format(
            'WITH n AS MATERIALIZED (SELECT %1$s AS k, to_jsonb(x) AS r FROM new_rows x), '
            '     o AS MATERIALIZED (SELECT %1$s AS k, to_jsonb(x) AS r FROM old_rows x) '
            'INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, '
            '                       peer, request_id, detail) '
            'SELECT $1 ->> ''kind'', ($1 ->> ''id'')::bigint, coalesce($1 ->> ''name'', ''''), ''update'', '
            '       $2, n.k, coalesce($1 ->> ''peer'', ''''), coalesce($1 ->> ''request_id'', ''''), '
            '       jsonb_build_object(''fields'', f.fields) '
            'FROM n JOIN o USING (k) '
            'CROSS JOIN LATERAL (SELECT jsonb_agg(j ORDER BY j) AS fields FROM jsonb_object_keys(n.r) j '
            '                    WHERE n.r -> j IS DISTINCT FROM o.r -> j '
            '                      AND j NOT IN (''version'', ''updated_at'')) f '
            'WHERE f.fields IS NOT NULL', k)
        USING a, TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ['site', 'x.id::text'], ['household', 'x.id::text'], ['worker', 'x.id::text'],
        ['worker_skill', 'x.worker_id || ''/'' || x.skill_id'], ['worker_training', 'x.id::text'],
        ['worker_certificate', 'x.id::text'], ['worker_consent_event', 'x.id::text'],
        ['employer', 'x.id::text'], ['vacancy', 'x.id::text'],
        ['vacancy_skill', 'x.vacancy_id || ''/'' || x.skill_id'],
        ['vacancy_certificate', 'x.vacancy_id || ''/'' || x.certificate_type_id'],
        ['work_relief_project', 'x.id::text'], ['remuneration_payment', 'x.id::text'],
        ['application', 'x.id::text'], ['placement', 'x.id::text'], ['followup', 'x.id::text'],
        ['early_warning_task', 'x.id::text'], ['staff_account', 'x.id::text'], ['broker', 'x.id::text'],
        ['broker_key', 'x.id::text'], ['worker_pin', 'x.worker_id::text'], ['skill', 'x.id::text'],
        ['certificate_type', 'x.id::text']] LOOP
        EXECUTE format('DROP TRIGGER audit_insert ON %I', spec[1]);
        EXECUTE format('DROP TRIGGER audit_update ON %I', spec[1]);
        EXECUTE format('DROP TRIGGER audit_delete ON %I', spec[1]);
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)',
                       spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION household_recount_many(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('leye.audit_derived', 'on', true);
    UPDATE household h SET labor_count = s.labor, employed_count = s.employed
    FROM (SELECT hid,
                 count(w.id) FILTER (WHERE w.employment_status <> 'not_seeking' AND NOT w.archived) AS labor,
                 count(w.id) FILTER (WHERE w.employment_status LIKE 'employed%' AND NOT w.archived) AS employed
          FROM unnest(ids) AS hid LEFT JOIN worker w ON w.household_id = hid
          GROUP BY hid) s
    WHERE h.id = s.hid AND (h.labor_count, h.employed_count) IS DISTINCT FROM (s.labor, s.employed);
    PERFORM set_config('leye.audit_derived', '', true);
END $$;

-- Households that matter to matching changed: one list per statement.
CREATE FUNCTION match_notify_household_stmt() RETURNS trigger LANGUAGE plpgsql
SET enable_nestloop = off AS $$
DECLARE
    ids bigint[];
BEGIN
    SELECT array_agg(n.id ORDER BY n.id) INTO ids
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.zero_employment, n.monitoring_status, n.site_id, n.archived)
          IS DISTINCT FROM (o.zero_employment, o.monitoring_status, o.site_id, o.archived);
    IF ids IS NOT NULL THEN
        PERFORM match_notify_ids('h', ids);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER match_notify ON household;
CREATE TRIGGER match_notify_update AFTER UPDATE ON household
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION match_notify_household_stmt();

-- The same contract as before (016), set-based: faults per line, all or
-- nothing on request, counts of created, updated and unchanged.
CREATE OR REPLACE FUNCTION import_households(p_rows jsonb, p_all_or_nothing boolean,
                                             OUT created integer, OUT updated integer,
                                             OUT unchanged integer, OUT errors jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE imh ON COMMIT DROP AS
    SELECT x.*,
           EXISTS (SELECT 1 FROM site s WHERE s.id = x.site_id AND NOT s.archived) AS site_ok,
           EXISTS (SELECT 1 FROM region g WHERE g.code = x.origin_county_code AND g.level = 'county') AS county_ok,
           (SELECT h.id FROM household h WHERE h.site_id = x.site_id AND h.ref = x.ref) AS before_id
    FROM jsonb_to_recordset(p_rows) AS x(line integer, ref text, site_id bigint,
             origin_county_code integer, origin_village text, members integer,
             monitoring_status text, monitoring_found_by text, monitoring_found_on date);
    SELECT coalesce(jsonb_agg(e ORDER BY (e ->> 'line')::integer), '[]') INTO errors FROM (
        SELECT jsonb_build_object('line', line, 'field', 'site_id', 'code', 'not_found') e
        FROM imh WHERE NOT site_ok
        UNION ALL
        SELECT jsonb_build_object('line', line, 'field', 'origin_county_code', 'code', 'not_found')
        FROM imh WHERE site_ok AND NOT county_ok
        UNION ALL
        SELECT jsonb_build_object('line', max(line), 'field', 'ref', 'code', 'duplicate_item')
        FROM imh WHERE site_ok AND county_ok GROUP BY site_id, ref HAVING count(*) > 1) q;
    IF p_all_or_nothing AND jsonb_array_length(errors) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'import refused', DETAIL = errors::text;
    END IF;
    DELETE FROM imh WHERE NOT site_ok OR NOT county_ok
        OR (site_id, ref) IN (SELECT site_id, ref FROM imh GROUP BY site_id, ref HAVING count(*) > 1);
    WITH up AS (
        INSERT INTO household AS t (ref, site_id, origin_county_code, origin_village, members,
                                    monitoring_status, monitoring_found_by, monitoring_found_on)
        SELECT ref, site_id, origin_county_code, coalesce(origin_village, ''), members,
               coalesce(monitoring_status, 'none'), monitoring_found_by, monitoring_found_on
        FROM imh ORDER BY line
        ON CONFLICT (site_id, ref) WHERE ref IS NOT NULL DO UPDATE SET
            origin_county_code = EXCLUDED.origin_county_code,
            origin_village = EXCLUDED.origin_village, members = EXCLUDED.members,
            monitoring_status = EXCLUDED.monitoring_status,
            monitoring_found_by = EXCLUDED.monitoring_found_by,
            monitoring_found_on = EXCLUDED.monitoring_found_on,
            version = t.version + 1, updated_at = now()
        WHERE (t.origin_county_code, t.origin_village, t.members, t.monitoring_status,
               t.monitoring_found_by, t.monitoring_found_on)
              IS DISTINCT FROM (EXCLUDED.origin_county_code, EXCLUDED.origin_village,
                                EXCLUDED.members, EXCLUDED.monitoring_status,
                                EXCLUDED.monitoring_found_by, EXCLUDED.monitoring_found_on)
        RETURNING t.id)
    SELECT count(*) FILTER (WHERE i.before_id IS NULL),
           count(*) FILTER (WHERE i.before_id IS NOT NULL AND i.before_id IN (SELECT id FROM up))
    INTO created, updated FROM imh i;
    unchanged := (SELECT count(*) FROM imh) - created - updated;
END $$;
