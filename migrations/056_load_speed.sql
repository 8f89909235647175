-- 056_load_speed: a full load of the matching index as plain scans, and
-- statement triggers that pair old and new rows planned for each statement.
--
-- match_worker_rows_all() (026) joins every worker to its household, site
-- and region and folds its skills and certificates into text, all inside
-- PostgreSQL: on 1,000,000 workers the aggregation of two million skill rows
-- and the hash join of the households were most of a load.  The loader now
-- reads each table once, ordered by worker where it pairs rows with workers,
-- and puts the pieces together itself (server/jobs/matchload.c): the same
-- records, with the flags and places of match_worker_rows_all().
-- match_worker_rows() still reads changed records one batch at a time.

-- Households as match_household_rows_all() gives them, with what their
-- workers take from them: the county and position of the site and whether
-- the household comes from that county (county_code NULL: no site).
CREATE FUNCTION match_household_load_rows()
RETURNS TABLE (id bigint, zero_employment boolean, monitoring_status text, public_welfare_posts integer,
               county_code integer, lat double precision, lon double precision, local_resident boolean)
LANGUAGE sql STABLE AS $$
    SELECT h.id, coalesce(h.zero_employment, false), h.monitoring_status, coalesce(pw.n, 0)::integer,
           s.county_code::integer, coalesce(s.lat, r.lat)::double precision,
           coalesce(s.lon, r.lon)::double precision, h.origin_county_code = s.county_code
    FROM household h
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN region r ON r.code = s.county_code
    LEFT JOIN (SELECT w.household_id, count(*) AS n
               FROM placement p JOIN worker w ON w.id = p.worker_id JOIN vacancy v ON v.id = p.vacancy_id
               WHERE p.ended_on IS NULL AND v.kind = 'public_welfare'
               GROUP BY w.household_id) pw ON pw.household_id = h.id
    WHERE NOT h.archived;
$$;

-- Workers not archived, by id, with the flags of their own columns
-- (MATCH_W_SEEKING … MATCH_W_RELOCATED); the household and placement flags
-- are added by the loader.
CREATE FUNCTION match_worker_load_rows()
RETURNS TABLE (id bigint, household_id bigint, flags integer, birth_day integer, available_day integer,
               max_commute_km integer, wage_floor integer, kinds text)
LANGUAGE sql STABLE AS $$
    SELECT w.id, w.household_id,
           (CASE WHEN w.employment_status = 'seeking' THEN 1 ELSE 0 END)
           | (CASE WHEN w.consent_brokers THEN 2 ELSE 0 END)
           | (CASE WHEN w.willing_outside_county THEN 4 ELSE 0 END)
           | (CASE WHEN w.willing_outside_province THEN 8 ELSE 0 END)
           | (CASE WHEN w.needs_accommodation THEN 16 ELSE 0 END)
           | 32,
           w.birth_date - DATE '1970-01-01', w.available_from - DATE '1970-01-01',
           w.max_commute_km::integer, w.wage_floor::integer,
           array_to_string(w.job_kinds_wanted, ',')
    FROM worker w
    WHERE NOT w.archived
    ORDER BY w.id;
$$;

-- Every skill of every worker, by worker and skill.
CREATE FUNCTION match_worker_skill_load_rows()
RETURNS TABLE (worker_id bigint, skill_id integer, level integer)
LANGUAGE sql STABLE AS $$
    SELECT ws.worker_id, ws.skill_id::integer, ws.level::integer
    FROM worker_skill ws
    ORDER BY ws.worker_id, ws.skill_id;
$$;

-- Every certificate of every worker, by worker (expiry_day NULL: none).
CREATE FUNCTION match_worker_cert_load_rows()
RETURNS TABLE (worker_id bigint, certificate_type_id integer, expiry_day integer)
LANGUAGE sql STABLE AS $$
    SELECT c.worker_id, c.certificate_type_id::integer, c.expires_on - DATE '1970-01-01'
    FROM worker_certificate c
    ORDER BY c.worker_id, c.certificate_type_id;
$$;

-- The posts workers hold now, by worker: MATCH_W_HOLDS_PUBLIC_WELFARE and
-- MATCH_W_HOLDS_FOREST_RANGER.
CREATE FUNCTION match_worker_post_load_rows()
RETURNS TABLE (worker_id bigint, flags integer)
LANGUAGE sql STABLE AS $$
    SELECT p.worker_id,
           (CASE WHEN bool_or(v.kind = 'public_welfare') THEN 128 ELSE 0 END)
           | (CASE WHEN bool_or(v.kind = 'forest_ranger') THEN 256 ELSE 0 END)
    FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
    WHERE p.ended_on IS NULL
    GROUP BY p.worker_id
    ORDER BY p.worker_id;
$$;

-- replaced by the functions above
DROP FUNCTION match_worker_rows_all();
DROP FUNCTION match_household_rows_all();

-- Statement triggers that join old_rows to new_rows.  PL/pgSQL plans such a
-- query once per connection and keeps the plan, made for the transition
-- tables of the first statement: after a one-row update (a nested loop is
-- right for it) an import that updates 40,000 households through the same
-- connection ran that nested loop over 40,000 x 40,000 rows and was
-- cancelled at its deadline (make bench-import, a second file on a kept
-- database).  Run through EXECUTE, the join is planned for the rows each
-- statement has.  Same results as 017, 035, 037 and 053.
CREATE OR REPLACE FUNCTION report_history_household_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE 'SELECT ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id '
            '             WHERE (n.site_id, n.monitoring_status, n.archived) '
            '                   IS DISTINCT FROM (o.site_id, o.monitoring_status, o.archived))'
    INTO ids;
    IF cardinality(ids) > 0 THEN
        PERFORM report_history_household_write(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION report_history_worker_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE 'SELECT ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id '
            '             WHERE (n.employment_status, n.household_id, n.archived) '
            '                   IS DISTINCT FROM (o.employment_status, o.household_id, o.archived))'
    INTO ids;
    IF cardinality(ids) > 0 THEN
        PERFORM report_history_worker_write(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION worker_rollup_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE 'SELECT ARRAY(SELECT h FROM new_rows n JOIN old_rows o ON o.id = n.id '
            '                   CROSS JOIN LATERAL (VALUES (n.household_id), (o.household_id)) v(h) '
            '             WHERE (n.employment_status, n.household_id, n.archived) '
            '                   IS DISTINCT FROM (o.employment_status, o.household_id, o.archived) '
            '             GROUP BY h)'
    INTO ids;
    PERFORM household_recount_many(ids);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION worker_seeking_close() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    FOR x IN EXECUTE 'SELECT p.id, greatest(placement_today(), p.start_date) AS ended '
                     'FROM new_rows n JOIN old_rows o ON o.id = n.id '
                     'JOIN placement p ON p.worker_id = n.id AND p.ended_on IS NULL '
                     'WHERE n.employment_status = ''seeking'' AND o.employment_status <> ''seeking'' '
                     'ORDER BY p.id' LOOP
        PERFORM placement_close(x.id, x.ended, 'other', 'employment status set to seeking');
    END LOOP;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION household_monitoring_task_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
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
        EXECUTE 'INSERT INTO early_warning_task (household_id, reason, due_on) '
                'SELECT n.id, ''monitoring_started'', placement_today() + 7 '
                'FROM new_rows n JOIN old_rows o ON o.id = n.id '
                'WHERE o.monitoring_status = ''none'' AND n.monitoring_status <> ''none'' '
                '  AND NOT EXISTS (SELECT 1 FROM early_warning_task t '
                '                  WHERE t.household_id = n.id AND t.status = ''open'' '
                '                    AND t.reason = ''monitoring_started'') '
                'ORDER BY n.id';
    END IF;
    RETURN NULL;
END $$;
