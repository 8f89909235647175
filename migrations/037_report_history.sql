-- 037_report_history: the history the reports read, and one definition of
-- each figure (docs/reports.md) shared by the dashboard's cards, its trend
-- and the quarterly report.
--
-- worker_history and household_history hold, for each day, what a worker's
-- employment status, household and archiving, and a household's site,
-- monitoring status and archiving were.  Triggers on worker, household and
-- placement write them in the statement that makes the change, whatever path
-- makes it (API, import, allocation, SQL).  A row holds from valid_from to
-- the day before valid_to (NULL: still so); several changes on one day leave
-- the last state of that day.
--
-- The figures are computed by SECURITY DEFINER functions that read every
-- record (leye.scope '*') and apply the caller's scope to the people, by the
-- site their household was at: a county's staff count all the jobs of their
-- county's people, in whichever county the job is.  The history tables are
-- not readable by the server's role; only these functions read them.

CREATE TABLE worker_history (
    worker_id         bigint NOT NULL REFERENCES worker (id) ON DELETE CASCADE,
    valid_from        date NOT NULL,
    valid_to          date,
    household_id      bigint NOT NULL,
    employment_status text NOT NULL,
    -- the status was set while a placement of the worker was open (the
    -- placement's own dates then say when the job held)
    with_placement    boolean NOT NULL,
    archived          boolean NOT NULL,
    PRIMARY KEY (worker_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX worker_history_open ON worker_history (worker_id) WHERE valid_to IS NULL;

CREATE TABLE household_history (
    household_id      bigint NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    valid_from        date NOT NULL,
    valid_to          date,
    site_id           bigint NOT NULL,
    monitoring_status text NOT NULL,
    archived          boolean NOT NULL,
    PRIMARY KEY (household_id, valid_from),
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX household_history_open ON household_history (household_id) WHERE valid_to IS NULL;

-- Existing records: their present state, from the day they were created.
INSERT INTO worker_history (worker_id, valid_from, household_id, employment_status, with_placement, archived)
SELECT w.id, (w.created_at AT TIME ZONE 'Asia/Shanghai')::date, w.household_id, w.employment_status,
       EXISTS (SELECT 1 FROM placement p WHERE p.worker_id = w.id AND p.ended_on IS NULL), w.archived
FROM worker w;
INSERT INTO household_history (household_id, valid_from, site_id, monitoring_status, archived)
SELECT h.id, (h.created_at AT TIME ZONE 'Asia/Shanghai')::date, h.site_id, h.monitoring_status, h.archived
FROM household h;

-- Writes today's state of the workers ids into their history: today's row
-- is rewritten, an older open row is closed and a new one begins today.
CREATE FUNCTION report_history_worker_write(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    today date := placement_today();
BEGIN
    UPDATE worker_history x
    SET household_id = w.household_id, employment_status = w.employment_status, archived = w.archived,
        with_placement = EXISTS (SELECT 1 FROM placement p WHERE p.worker_id = w.id AND p.ended_on IS NULL)
    FROM worker w
    WHERE w.id = ANY (ids) AND x.worker_id = w.id AND x.valid_to IS NULL AND x.valid_from >= today;
    UPDATE worker_history x SET valid_to = today
    WHERE x.worker_id = ANY (ids) AND x.valid_to IS NULL AND x.valid_from < today;
    INSERT INTO worker_history (worker_id, valid_from, household_id, employment_status, with_placement, archived)
    SELECT w.id, today, w.household_id, w.employment_status,
           EXISTS (SELECT 1 FROM placement p WHERE p.worker_id = w.id AND p.ended_on IS NULL), w.archived
    FROM worker w
    WHERE w.id = ANY (ids)
      AND NOT EXISTS (SELECT 1 FROM worker_history x WHERE x.worker_id = w.id AND x.valid_to IS NULL);
END $$;

-- The same for households.
CREATE FUNCTION report_history_household_write(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    today date := placement_today();
BEGIN
    UPDATE household_history x
    SET site_id = h.site_id, monitoring_status = h.monitoring_status, archived = h.archived
    FROM household h
    WHERE h.id = ANY (ids) AND x.household_id = h.id AND x.valid_to IS NULL AND x.valid_from >= today;
    UPDATE household_history x SET valid_to = today
    WHERE x.household_id = ANY (ids) AND x.valid_to IS NULL AND x.valid_from < today;
    INSERT INTO household_history (household_id, valid_from, site_id, monitoring_status, archived)
    SELECT h.id, today, h.site_id, h.monitoring_status, h.archived
    FROM household h
    WHERE h.id = ANY (ids)
      AND NOT EXISTS (SELECT 1 FROM household_history x WHERE x.household_id = h.id AND x.valid_to IS NULL);
END $$;

CREATE FUNCTION report_history_worker_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO worker_history (worker_id, valid_from, household_id, employment_status, with_placement, archived)
    SELECT n.id, (n.created_at AT TIME ZONE 'Asia/Shanghai')::date, n.household_id, n.employment_status,
           EXISTS (SELECT 1 FROM placement p WHERE p.worker_id = n.id AND p.ended_on IS NULL), n.archived
    FROM new_rows n;
    RETURN NULL;
END $$;

CREATE FUNCTION report_history_worker_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    ids bigint[] := ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.employment_status, n.household_id, n.archived)
              IS DISTINCT FROM (o.employment_status, o.household_id, o.archived));
BEGIN
    IF cardinality(ids) > 0 THEN
        PERFORM report_history_worker_write(ids);
    END IF;
    RETURN NULL;
END $$;

-- A placement opened for a worker whose status already said employed: from
-- today the placement, not the status, says when the job holds.
CREATE FUNCTION report_history_placement_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    ids bigint[] := ARRAY(
        SELECT DISTINCT n.worker_id FROM new_rows n
        JOIN worker_history x ON x.worker_id = n.worker_id AND x.valid_to IS NULL
        WHERE n.ended_on IS NULL AND NOT x.with_placement AND x.employment_status LIKE 'employed%');
BEGIN
    IF cardinality(ids) > 0 THEN
        PERFORM report_history_worker_write(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION report_history_household_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO household_history (household_id, valid_from, site_id, monitoring_status, archived)
    SELECT n.id, (n.created_at AT TIME ZONE 'Asia/Shanghai')::date, n.site_id, n.monitoring_status, n.archived
    FROM new_rows n;
    RETURN NULL;
END $$;

CREATE FUNCTION report_history_household_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    ids bigint[] := ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.site_id, n.monitoring_status, n.archived)
              IS DISTINCT FROM (o.site_id, o.monitoring_status, o.archived));
BEGIN
    IF cardinality(ids) > 0 THEN
        PERFORM report_history_household_write(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER report_history_insert AFTER INSERT ON worker REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_history_worker_insert();
CREATE TRIGGER report_history_update AFTER UPDATE ON worker REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_history_worker_update();
CREATE TRIGGER report_history_insert AFTER INSERT ON household REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_history_household_insert();
CREATE TRIGGER report_history_update AFTER UPDATE ON household REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_history_household_update();
CREATE TRIGGER report_history_insert AFTER INSERT ON placement REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_history_placement_insert();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leye_app') THEN
        EXECUTE 'REVOKE ALL ON worker_history, household_history FROM leye_app';
    END IF;
END $$;

-- The caller's scope (leye.scope, migrations/013) applied to a site.
CREATE FUNCTION report_scope_ok(p_scope text, p_site bigint, p_county integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_scope = '*' THEN true
        WHEN p_scope LIKE 'c:%' THEN p_county = ANY (string_to_array(substr(p_scope, 3), ',')::integer[])
        WHEN p_scope LIKE 's:%' THEN p_site = ANY (string_to_array(substr(p_scope, 3), ',')::bigint[])
        ELSE false END;
$$;

-- 已就业 on day d, and where: a placement active that day (the latest
-- started), or else an employed_* status the worker had that day without an
-- open placement (a job recorded by PATCH or import).  Reads every record:
-- call it from the functions below.
CREATE OR REPLACE FUNCTION report_employed_on(d date)
RETURNS TABLE (worker_id bigint, location_scope text, vacancy_kind text)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (x.worker_id) x.worker_id, x.location_scope, x.vacancy_kind
    FROM (SELECT p.worker_id, p.location_scope, v.kind AS vacancy_kind, 0 AS rank, p.start_date AS since, p.id
          FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
          WHERE p.start_date <= d AND (p.ended_on IS NULL OR p.ended_on > d)
          UNION ALL
          SELECT x.worker_id,
                 CASE x.employment_status WHEN 'employed_local' THEN 'local'
                                          WHEN 'employed_outside_county' THEN 'outside_county'
                                          ELSE 'outside_province' END,
                 NULL, 1, x.valid_from, 0
          FROM worker_history x
          WHERE x.employment_status LIKE 'employed%' AND NOT x.with_placement
            AND x.valid_from <= d AND (x.valid_to IS NULL OR x.valid_to > d)) x
    ORDER BY x.worker_id, x.rank, x.since DESC, x.id DESC;
$$;

-- The people of a group of sites on day d: registered by then, neither they
-- nor their household archived, the household then at a site of the group
-- and of the caller's scope p_scope.
CREATE FUNCTION report_residents_on(d date, c integer, s bigint, p_scope text)
RETURNS TABLE (worker_id bigint, household_id bigint, site_id bigint, county_code integer,
               monitoring_status text, employment_status text)
LANGUAGE sql STABLE AS $$
    SELECT w.worker_id, w.household_id, h.site_id, st.county_code, h.monitoring_status, w.employment_status
    FROM worker_history w
    JOIN household_history h ON h.household_id = w.household_id
                            AND h.valid_from <= d AND (h.valid_to IS NULL OR h.valid_to > d)
    JOIN site st ON st.id = h.site_id
    WHERE w.valid_from <= d AND (w.valid_to IS NULL OR w.valid_to > d)
      AND NOT w.archived AND NOT h.archived
      AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)
      AND report_scope_ok(p_scope, st.id, st.county_code);
$$;

-- 劳动力 on day d: the residents who were seeking work, training or
-- employed (those not seeking work and not employed are left out).
DROP FUNCTION report_zero_households_on(date, integer, bigint);
DROP FUNCTION report_people_on(date, integer, bigint);
CREATE FUNCTION report_people_on(d date, c integer, s bigint, p_scope text)
RETURNS TABLE (worker_id bigint, household_id bigint, site_id bigint, county_code integer,
               monitoring_status text, location_scope text, vacancy_kind text)
LANGUAGE sql STABLE AS $$
    SELECT r.worker_id, r.household_id, r.site_id, r.county_code, r.monitoring_status,
           e.location_scope, e.vacancy_kind
    FROM report_residents_on(d, c, s, p_scope) r
    LEFT JOIN report_employed_on(d) e ON e.worker_id = r.worker_id
    WHERE r.employment_status <> 'not_seeking' OR e.worker_id IS NOT NULL;
$$;

-- The households of a group of sites on day d (not archived, then at a site
-- of the group and of the scope), with their labour force and employed.
CREATE FUNCTION report_households_on(d date, c integer, s bigint, p_scope text)
RETURNS TABLE (household_id bigint, site_id bigint, monitoring_status text, labor bigint, employed bigint)
LANGUAGE sql STABLE AS $$
    SELECT h.household_id, h.site_id, h.monitoring_status,
           coalesce(p.labor, 0), coalesce(p.employed, 0)
    FROM household_history h
    JOIN site st ON st.id = h.site_id
    LEFT JOIN (SELECT household_id, count(*) AS labor, count(location_scope) AS employed
               FROM report_people_on(d, c, s, p_scope) GROUP BY household_id) p
           ON p.household_id = h.household_id
    WHERE h.valid_from <= d AND (h.valid_to IS NULL OR h.valid_to > d) AND NOT h.archived
      AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)
      AND report_scope_ok(p_scope, st.id, st.county_code);
$$;

-- Every figure of a group of sites on day d, as docs/reports.md defines it:
-- the one computation behind the dashboard's cards, each point of its
-- trend and the quarterly report.
CREATE FUNCTION report_figures(d date, c integer, s bigint, p_scope text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH ppl AS (SELECT * FROM report_people_on(d, c, s, p_scope)),
    hh AS (
        SELECT h.household_id, h.monitoring_status,
               (SELECT count(*) FROM ppl WHERE ppl.household_id = h.household_id) AS labor,
               (SELECT count(location_scope) FROM ppl WHERE ppl.household_id = h.household_id) AS employed
        FROM household_history h JOIN site st ON st.id = h.site_id
        WHERE h.valid_from <= d AND (h.valid_to IS NULL OR h.valid_to > d) AND NOT h.archived
          AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)
          AND report_scope_ok(p_scope, st.id, st.county_code)),
    p AS (
        SELECT count(*) AS n, count(location_scope) AS e,
               count(*) FILTER (WHERE location_scope = 'local') AS e_local,
               count(*) FILTER (WHERE location_scope = 'outside_county') AS e_county,
               count(*) FILTER (WHERE location_scope = 'outside_province') AS e_province,
               count(*) FILTER (WHERE vacancy_kind = 'work_relief') AS k_relief,
               count(*) FILTER (WHERE vacancy_kind = 'public_welfare') AS k_welfare,
               count(*) FILTER (WHERE vacancy_kind = 'forest_ranger') AS k_ranger,
               count(*) FILTER (WHERE vacancy_kind IN ('work_relief', 'public_welfare', 'forest_ranger')
                                  AND monitoring_status <> 'none') AS k_monitored
        FROM ppl),
    hs AS (
        SELECT count(*) AS n,
               count(*) FILTER (WHERE labor > 0 AND employed = 0) AS zero,
               count(*) FILTER (WHERE monitoring_status <> 'none') AS monitored,
               count(*) FILTER (WHERE monitoring_status <> 'none' AND labor > 0 AND employed = 0) AS monitored_zero
        FROM hh)
    SELECT jsonb_build_object(
        'labor_force', p.n, 'employed', p.e, 'employed_local', p.e_local,
        'employed_outside_county', p.e_county, 'employed_outside_province', p.e_province,
        'employment_rate', CASE WHEN p.n > 0 THEN round(p.e::numeric / p.n, 4) END,
        'work_relief_posts', p.k_relief, 'public_welfare_posts', p.k_welfare,
        'forest_ranger_posts', p.k_ranger, 'programme_posts_monitored_households', p.k_monitored,
        'households', hs.n, 'zero_employment_households', hs.zero,
        'monitored_households', hs.monitored, 'monitored_nobody_employed', hs.monitored_zero)
    FROM p, hs;
$$;

-- 本季度新增就业: residents of the group on day qe whose employment began
-- between qs and qe: a placement that started then, or a job recorded
-- without a placement whose status changed to employed then (registering a
-- worker already employed is not a new job).
CREATE FUNCTION report_newly_employed(qs date, qe date, c integer, s bigint, p_scope text)
RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM report_residents_on(qe, c, s, p_scope) r
    WHERE EXISTS (SELECT 1 FROM placement p WHERE p.worker_id = r.worker_id AND p.start_date BETWEEN qs AND qe)
       OR EXISTS (SELECT 1 FROM worker_history x
                  JOIN worker_history y ON y.worker_id = x.worker_id AND y.valid_to = x.valid_from
                  WHERE x.worker_id = r.worker_id AND x.valid_from BETWEEN qs AND qe
                    AND x.employment_status LIKE 'employed%' AND NOT x.with_placement
                    AND NOT (y.employment_status LIKE 'employed%' AND NOT y.with_placement));
$$;

-- One row of the quarterly report: the figures of a group of sites as of
-- day qe (the quarter's last day, or today while the quarter runs).
CREATE FUNCTION report_quarter_row(qs date, qe date, c integer, s bigint, p_scope text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH f AS (SELECT report_figures(qe, c, s, p_scope) AS f),
    r AS (SELECT * FROM report_residents_on(qe, c, s, p_scope))
    SELECT jsonb_build_object(
        'labor_force', f -> 'labor_force',
        'employed', f -> 'employed',
        'employed_local', f -> 'employed_local',
        'employed_outside_county', f -> 'employed_outside_county',
        'employed_outside_province', f -> 'employed_outside_province',
        'newly_employed', report_newly_employed(qs, qe, c, s, p_scope),
        'work_relief_posts', f -> 'work_relief_posts',
        'public_welfare_posts', f -> 'public_welfare_posts',
        'forest_ranger_posts', f -> 'forest_ranger_posts',
        'programme_posts_monitored_households', f -> 'programme_posts_monitored_households',
        'trainings_completed', (
            SELECT count(*) FROM worker_training t JOIN r ON r.worker_id = t.worker_id
            WHERE t.completed AND t.end_date BETWEEN qs AND qe),
        'zero_employment_households_start', report_figures(qs - 1, c, s, p_scope) -> 'zero_employment_households',
        'zero_employment_households_end', f -> 'zero_employment_households',
        'monitored_households', f -> 'monitored_households',
        'followups_done', (
            SELECT count(*) FROM followup fu JOIN placement p ON p.id = fu.placement_id
            JOIN r ON r.worker_id = p.worker_id
            WHERE (fu.done_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN qs AND qe))
    FROM f;
$$;

-- Dashboard, households part: the point-in-time figures come from
-- report_figures; the list to act on from report_households_on; job
-- losses, follow-ups and visits as before.
CREATE FUNCTION report_households_part(today date, c integer, s bigint, p_scope text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH hh AS (
        SELECT h.*, st.name AS site_name, st.county_code
        FROM household h JOIN site st ON st.id = h.site_id
        WHERE NOT h.archived AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)
          AND report_scope_ok(p_scope, st.id, st.county_code)),
    zero AS (
        SELECT z.*, h.ref, h.members, st.name AS site_name
        FROM report_households_on(today, c, s, p_scope) z
        JOIN household h ON h.id = z.household_id JOIN site st ON st.id = z.site_id
        WHERE z.labor > 0 AND z.employed = 0),
    lost AS (
        SELECT p.id, p.worker_id, p.ended_on, p.end_reason, w.household_id
        FROM placement p JOIN worker w ON w.id = p.worker_id JOIN hh ON hh.id = w.household_id
        WHERE p.ended_on >= today - 90),
    tasks AS (
        SELECT t.* FROM early_warning_task t JOIN hh ON hh.id = t.household_id)
    SELECT jsonb_build_object(
        'zero_employment_list', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', household_id, 'ref', ref, 'site_id', site_id,
                                                'site_name', site_name, 'members', members,
                                                'labor_count', labor,
                                                'monitoring_status', monitoring_status)
                             ORDER BY monitoring_status = 'none', labor DESC, household_id)
            FROM (SELECT * FROM zero
                  ORDER BY monitoring_status = 'none', labor DESC, household_id LIMIT 50) z), '[]'),
        'followups_overdue', (SELECT count(*) FROM followup f JOIN placement p ON p.id = f.placement_id
                              JOIN worker w ON w.id = p.worker_id JOIN hh ON hh.id = w.household_id
                              WHERE f.done_at IS NULL AND f.due_on < today AND p.ended_on IS NULL),
        'left_job_90d', (SELECT count(DISTINCT worker_id) FROM lost),
        'left_job_90d_households', (SELECT count(DISTINCT household_id) FROM lost),
        'warning_tasks_opened_90d', (SELECT count(*) FROM tasks WHERE created_at >= today - 90),
        'warning_tasks_open', (SELECT count(*) FROM tasks WHERE status = 'open'),
        'warning_tasks_overdue', (SELECT count(*) FROM tasks WHERE status = 'open' AND due_on < today),
        'warning_tasks_due', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', id, 'household_id', household_id, 'reason', reason,
                                                'due_on', due_on, 'assignee', assignee,
                                                'overdue', due_on < today) ORDER BY due_on, id)
            FROM (SELECT * FROM tasks WHERE status = 'open' ORDER BY due_on, id LIMIT 50) t), '[]'));
$$;

-- Dashboard, work part: employment by site, the trend over twelve month
-- ends (each point report_figures that day; the last one today), kinds
-- of work held now, work-relief projects, brokers.
CREATE FUNCTION report_work_part(today date, c integer, s bigint, p_scope text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH ppl AS (SELECT * FROM report_people_on(today, c, s, p_scope))
    SELECT jsonb_build_object(
        'by_site', coalesce((
            SELECT jsonb_agg(jsonb_build_object('site_id', site_id, 'site_name', st.name,
                                                'county_code', st.county_code, 'labor_force', n,
                                                'employed', e,
                                                'employment_rate', CASE WHEN n > 0 THEN round(e::numeric / n, 4) END)
                             ORDER BY st.county_code, st.name, site_id)
            FROM (SELECT site_id, count(*) AS n, count(location_scope) AS e FROM ppl GROUP BY site_id) x
            JOIN site st ON st.id = x.site_id), '[]'),
        'trend', (
            SELECT jsonb_agg(jsonb_build_object(
                       'month', to_char(m, 'YYYY-MM'), 'as_of', d,
                       'labor_force', f -> 'labor_force', 'employed', f -> 'employed',
                       'employment_rate', f -> 'employment_rate') ORDER BY m)
            FROM (SELECT m, d, report_figures(d, c, s, p_scope) AS f
                  FROM (SELECT m::date AS m, least((m + interval '1 month' - interval '1 day')::date, today) AS d
                        FROM generate_series(date_trunc('month', today) - interval '11 months',
                                             date_trunc('month', today), interval '1 month') m) ms) t),
        'kinds', coalesce((
            SELECT jsonb_object_agg(vacancy_kind, n)
            FROM (SELECT vacancy_kind, count(*) AS n FROM ppl
                  WHERE vacancy_kind IS NOT NULL GROUP BY vacancy_kind) k), '{}'),
        'projects', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', p.id, 'name', p.name, 'county_code', p.county_code,
                       'planned_jobs', p.planned_jobs, 'jobs_filled', p.jobs_filled,
                       'filled_by_relocated', p.filled_by_relocated,
                       'relocated_share', CASE WHEN p.jobs_filled > 0
                                               THEN round(p.filled_by_relocated::numeric / p.jobs_filled, 4) END,
                       'remuneration_budget', p.remuneration_budget,
                       'remuneration_paid', p.remuneration_paid,
                       'remuneration_paid_share', CASE WHEN p.remuneration_budget > 0
                                                       THEN round(p.remuneration_paid / p.remuneration_budget, 4) END)
                   ORDER BY p.county_code, p.id)
            FROM work_relief_project p
            WHERE NOT p.archived AND (c IS NULL OR p.county_code = c)
              AND (s IS NULL OR p.county_code = (SELECT county_code FROM site WHERE id = s))
              AND CASE WHEN p_scope LIKE 's:%'
                       THEN p.county_code IN (SELECT county_code FROM site
                                              WHERE id = ANY (string_to_array(substr(p_scope, 3), ',')::bigint[]))
                       ELSE report_scope_ok(p_scope, NULL, p.county_code) END), '[]'),
        'brokers', coalesce((
            SELECT jsonb_agg(broker_json(b) ORDER BY b.name) FROM broker b WHERE NOT b.archived), '[]'));
$$;

-- The entry points the API calls.  Each reads every record, as the
-- schema's owner with leye.scope '*' for the time of the call (the caller's
-- scope comes back on return, and with the transaction on an error), and
-- applies p_scope, the caller's scope, to the people.
CREATE FUNCTION report_unscope() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    saved text := coalesce(current_setting('leye.scope', true), '');
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    RETURN saved;
END $$;

CREATE FUNCTION report_figures_on(d date, c integer, s bigint, p_scope text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    saved text := report_unscope();
    r jsonb := report_figures(d, c, s, p_scope);
BEGIN
    PERFORM set_config('leye.scope', saved, true);
    RETURN r;
END $$;

DROP FUNCTION report_quarter_figures(date, date, integer, bigint);
CREATE FUNCTION report_quarter_figures(qs date, qe date, c integer, s bigint, p_scope text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    saved text := report_unscope();
    r jsonb := report_quarter_row(qs, qe, c, s, p_scope);
BEGIN
    PERFORM set_config('leye.scope', saved, true);
    RETURN r;
END $$;

DROP FUNCTION report_dashboard_households(date, integer, bigint);
CREATE FUNCTION report_dashboard_households(today date, c integer, s bigint, p_scope text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    saved text := report_unscope();
    r jsonb := report_households_part(today, c, s, p_scope);
BEGIN
    PERFORM set_config('leye.scope', saved, true);
    RETURN r;
END $$;

DROP FUNCTION report_dashboard_work(date, integer, bigint);
CREATE FUNCTION report_dashboard_work(today date, c integer, s bigint, p_scope text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    saved text := report_unscope();
    r jsonb := report_work_part(today, c, s, p_scope);
BEGIN
    PERFORM set_config('leye.scope', saved, true);
    RETURN r;
END $$;

-- Dashboard.  Filters: county_code, site_id.  The cards are
-- report_figures_on today, for the caller's scope.
CREATE OR REPLACE FUNCTION api_report_dashboard(f jsonb, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    today date := placement_today();
    c integer := (f ->> 'county_code')::integer;
    s bigint := (f ->> 'site_id')::bigint;
    sc text := leye_scope();
    fig jsonb;
BEGIN
    IF s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site WHERE id = s) THEN
        PERFORM api_fail('LY422', 'site_id', 'not_found');
    END IF;
    fig := report_figures_on(today, c, s, sc);
    status := 200;
    body := jsonb_build_object(
                'as_of', today, 'county_code', c, 'site_id', s,
                'totals', jsonb_build_object(
                    'labor_force', fig -> 'labor_force', 'employed', fig -> 'employed',
                    'employed_local', fig -> 'employed_local',
                    'employed_outside_county', fig -> 'employed_outside_county',
                    'employed_outside_province', fig -> 'employed_outside_province',
                    'employment_rate', fig -> 'employment_rate'),
                'households', fig -> 'households',
                'zero_employment_households', fig -> 'zero_employment_households',
                'monitored_households', fig -> 'monitored_households',
                'monitored_nobody_employed', fig -> 'monitored_nobody_employed')
            || report_dashboard_households(today, c, s, sc) || report_dashboard_work(today, c, s, sc);
END $$;

-- The quarterly report: figures as they were on the quarter's last day (or
-- today, while the quarter runs: as_of), for each county and each of its
-- sites, and in all.  Parameters: year, quarter, county (optional).
CREATE OR REPLACE FUNCTION api_report_quarterly(p_year integer, p_quarter integer, p_county integer,
                                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    qs date := make_date(p_year, 3 * p_quarter - 2, 1);
    qe date := (make_date(p_year, 3 * p_quarter - 2, 1) + interval '3 months' - interval '1 day')::date;
    d date := least(qe, placement_today());
    sc text := leye_scope();
BEGIN
    IF qs > placement_today() THEN
        PERFORM api_fail('LY422', 'quarter', 'out_of_range');
    END IF;
    IF p_county IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region WHERE code = p_county AND level = 'county') THEN
        PERFORM api_fail('LY422', 'county', 'not_found');
    END IF;
    status := 200;
    body := jsonb_build_object(
        'year', p_year, 'quarter', p_quarter, 'from', qs, 'to', qe, 'as_of', d,
        'complete', qe < placement_today(), 'due_on', report_due_on(qe),
        'county_code', p_county,
        'total', report_quarter_figures(qs, d, p_county, NULL, sc),
        'counties', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'county_code', cc, 'county_name', g.name,
                       'figures', report_quarter_figures(qs, d, cc, NULL, sc),
                       'sites', (SELECT jsonb_agg(jsonb_build_object(
                                            'site_id', st.id, 'site_name', st.name,
                                            'figures', report_quarter_figures(qs, d, cc, st.id, sc))
                                        ORDER BY st.name, st.id)
                                 FROM site st WHERE st.county_code = cc AND NOT st.archived))
                   ORDER BY cc)
            FROM (SELECT DISTINCT county_code AS cc FROM site
                  WHERE NOT archived AND (p_county IS NULL OR county_code = p_county)) cs
            JOIN region g ON g.code = cs.cc), '[]'));
END $$;
