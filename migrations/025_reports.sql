-- 025_reports: the monitoring dashboard and the quarterly report to the
-- province.  Both run with the caller's scope (row-level security), so county
-- staff see their county and site staff their sites.

-- Who was employed on day d, and where: the placement active that day.
CREATE FUNCTION report_employed_on(d date)
RETURNS TABLE (worker_id bigint, location_scope text, vacancy_kind text)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (p.worker_id) p.worker_id, p.location_scope, v.kind
    FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
    WHERE p.start_date <= d AND (p.ended_on IS NULL OR p.ended_on > d)
    ORDER BY p.worker_id, p.start_date DESC, p.id DESC;
$$;

-- The labour force on day d: registered by then, not archived, and seeking
-- work or employed (workers who said they are not seeking are left out).
CREATE FUNCTION report_people_on(d date, p_county integer, p_site bigint)
RETURNS TABLE (worker_id bigint, household_id bigint, site_id bigint, county_code integer,
               monitoring_status text, location_scope text, vacancy_kind text)
LANGUAGE sql STABLE AS $$
    SELECT w.id, h.id, s.id, s.county_code, h.monitoring_status, e.location_scope, e.vacancy_kind
    FROM worker w
    JOIN household h ON h.id = w.household_id
    JOIN site s ON s.id = h.site_id
    LEFT JOIN report_employed_on(d) e ON e.worker_id = w.id
    WHERE NOT w.archived AND NOT h.archived
      AND (w.created_at AT TIME ZONE 'Asia/Shanghai')::date <= d
      AND (w.employment_status <> 'not_seeking' OR e.worker_id IS NOT NULL)
      AND (p_county IS NULL OR s.county_code = p_county)
      AND (p_site IS NULL OR s.id = p_site);
$$;

-- Households with labour and nobody employed on day d.
CREATE FUNCTION report_zero_households_on(d date, p_county integer, p_site bigint)
RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM (
        SELECT household_id FROM report_people_on(d, p_county, p_site)
        GROUP BY household_id HAVING count(location_scope) = 0) z;
$$;

-- The last day a quarter's report may be sent: five working days (Monday to
-- Friday) after the quarter ends.
CREATE FUNCTION report_due_on(q_end date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT max(d)::date FROM (
        SELECT d FROM generate_series(q_end + 1, q_end + 14, interval '1 day') d
        WHERE extract(isodow FROM d) < 6 ORDER BY d LIMIT 5) w;
$$;

-- Dashboard, households part: zero-employment households (an actionable
-- list), monitored households with nobody employed, job losses of the last
-- 90 days and the visits they opened.
CREATE FUNCTION report_dashboard_households(today date, c integer, s bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH hh AS (
        SELECT h.*, st.name AS site_name, st.county_code
        FROM household h JOIN site st ON st.id = h.site_id
        WHERE NOT h.archived AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)),
    lost AS (
        SELECT p.id, p.worker_id, p.ended_on, p.end_reason, w.household_id
        FROM placement p JOIN worker w ON w.id = p.worker_id JOIN hh ON hh.id = w.household_id
        WHERE p.ended_on >= today - 90),
    tasks AS (
        SELECT t.* FROM early_warning_task t JOIN hh ON hh.id = t.household_id)
    SELECT jsonb_build_object(
        'households', (SELECT count(*) FROM hh),
        'zero_employment_households', (SELECT count(*) FROM hh WHERE zero_employment),
        'zero_employment_list', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', id, 'ref', ref, 'site_id', site_id,
                                                'site_name', site_name, 'members', members,
                                                'labor_count', labor_count,
                                                'monitoring_status', monitoring_status)
                             ORDER BY monitoring_status = 'none', labor_count DESC, id)
            FROM (SELECT * FROM hh WHERE zero_employment
                  ORDER BY monitoring_status = 'none', labor_count DESC, id LIMIT 50) z), '[]'),
        'monitored_households', (SELECT count(*) FROM hh WHERE monitoring_status <> 'none'),
        'monitored_nobody_employed', (SELECT count(*) FROM hh WHERE monitoring_status <> 'none'
                                                                AND labor_count > 0 AND employed_count = 0),
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
-- ends, kinds of work held now, work-relief projects, brokers.
CREATE FUNCTION report_dashboard_work(today date, c integer, s bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'by_site', coalesce((
            SELECT jsonb_agg(jsonb_build_object('site_id', site_id, 'site_name', st.name,
                                                'county_code', st.county_code, 'labor_force', n,
                                                'employed', e,
                                                'employment_rate', CASE WHEN n > 0 THEN round(e::numeric / n, 4) END)
                             ORDER BY st.county_code, st.name, site_id)
            FROM (SELECT site_id, count(*) AS n, count(location_scope) AS e
                  FROM report_people_on(today, c, s) GROUP BY site_id) x
            JOIN site st ON st.id = x.site_id), '[]'),
        'trend', (
            WITH months AS (
                SELECT m::date AS m, least((m + interval '1 month' - interval '1 day')::date, today) AS d
                FROM generate_series(date_trunc('month', today) - interval '11 months',
                                     date_trunc('month', today), interval '1 month') m),
            ppl AS (
                SELECT w.id, (w.created_at AT TIME ZONE 'Asia/Shanghai')::date AS since,
                       w.employment_status <> 'not_seeking' AS seeking
                FROM worker w JOIN household h ON h.id = w.household_id JOIN site st ON st.id = h.site_id
                WHERE NOT w.archived AND NOT h.archived
                  AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)),
            emp AS (
                SELECT ms.m, count(DISTINCT p.worker_id) AS e,
                       count(DISTINCT p.worker_id) FILTER (WHERE NOT ppl.seeking) AS e_not_seeking
                FROM months ms
                JOIN placement p ON p.start_date <= ms.d AND (p.ended_on IS NULL OR p.ended_on > ms.d)
                JOIN ppl ON ppl.id = p.worker_id AND ppl.since <= ms.d
                GROUP BY ms.m),
            lab AS (
                SELECT ms.m, count(ppl.id) AS n
                FROM months ms LEFT JOIN ppl ON ppl.since <= ms.d AND ppl.seeking GROUP BY ms.m)
            SELECT jsonb_agg(jsonb_build_object(
                       'month', to_char(lab.m, 'YYYY-MM'),
                       'labor_force', lab.n + coalesce(emp.e_not_seeking, 0),
                       'employed', coalesce(emp.e, 0),
                       'employment_rate', CASE WHEN lab.n + coalesce(emp.e_not_seeking, 0) > 0
                                               THEN round(coalesce(emp.e, 0)::numeric
                                                          / (lab.n + coalesce(emp.e_not_seeking, 0)), 4) END)
                   ORDER BY lab.m)
            FROM lab LEFT JOIN emp ON emp.m = lab.m),
        'kinds', coalesce((
            SELECT jsonb_object_agg(vacancy_kind, n)
            FROM (SELECT vacancy_kind, count(*) AS n FROM report_people_on(today, c, s)
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
              AND (s IS NULL OR p.county_code = (SELECT county_code FROM site WHERE id = s))), '[]'),
        'brokers', coalesce((
            SELECT jsonb_agg(broker_json(b) ORDER BY b.name) FROM broker b WHERE NOT b.archived), '[]'));
$$;

-- Dashboard.  Filters: county_code, site_id.
CREATE FUNCTION api_report_dashboard(f jsonb, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    today date := placement_today();
    c integer := (f ->> 'county_code')::integer;
    s bigint := (f ->> 'site_id')::bigint;
    totals jsonb;
BEGIN
    IF s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site WHERE id = s) THEN
        PERFORM api_fail('LY422', 'site_id', 'not_found');
    END IF;
    SELECT jsonb_build_object(
        'labor_force', count(*),
        'employed', count(location_scope),
        'employed_local', count(*) FILTER (WHERE location_scope = 'local'),
        'employed_outside_county', count(*) FILTER (WHERE location_scope = 'outside_county'),
        'employed_outside_province', count(*) FILTER (WHERE location_scope = 'outside_province'),
        'employment_rate', CASE WHEN count(*) > 0 THEN round(count(location_scope)::numeric / count(*), 4) END)
    INTO totals FROM report_people_on(today, c, s);
    status := 200;
    body := jsonb_build_object('as_of', today, 'county_code', c, 'site_id', s, 'totals', totals)
            || report_dashboard_households(today, c, s) || report_dashboard_work(today, c, s);
END $$;

-- One row of the quarterly report: the figures of a group of sites.
CREATE FUNCTION report_quarter_figures(qs date, qe date, c integer, s bigint)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    WITH ppl AS (SELECT * FROM report_people_on(qe, c, s)),
    started AS (
        SELECT p.*, v.kind FROM placement p
        JOIN vacancy v ON v.id = p.vacancy_id
        JOIN worker w ON w.id = p.worker_id JOIN household h ON h.id = w.household_id
        JOIN site st ON st.id = h.site_id
        WHERE p.start_date BETWEEN qs AND qe AND (c IS NULL OR st.county_code = c)
          AND (s IS NULL OR st.id = s))
    SELECT jsonb_build_object(
        'labor_force', (SELECT count(*) FROM ppl),
        'employed', (SELECT count(location_scope) FROM ppl),
        'employed_outside_province', (SELECT count(*) FROM ppl WHERE location_scope = 'outside_province'),
        'newly_employed', (SELECT count(DISTINCT worker_id) FROM started),
        'work_relief_posts', (SELECT count(*) FROM ppl WHERE vacancy_kind = 'work_relief'),
        'public_welfare_posts', (SELECT count(*) FROM ppl WHERE vacancy_kind = 'public_welfare'),
        'forest_ranger_posts', (SELECT count(*) FROM ppl WHERE vacancy_kind = 'forest_ranger'),
        'programme_posts_monitored_households',
            (SELECT count(*) FROM ppl WHERE vacancy_kind IN ('work_relief', 'public_welfare', 'forest_ranger')
                                        AND monitoring_status <> 'none'),
        'trainings_completed', (
            SELECT count(*) FROM worker_training t JOIN worker w ON w.id = t.worker_id
            JOIN household h ON h.id = w.household_id JOIN site st ON st.id = h.site_id
            WHERE t.completed AND t.end_date BETWEEN qs AND qe
              AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)),
        'zero_employment_households_start', report_zero_households_on(qs - 1, c, s),
        'zero_employment_households_end', report_zero_households_on(qe, c, s),
        'followups_done', (
            SELECT count(*) FROM followup f JOIN placement p ON p.id = f.placement_id
            JOIN worker w ON w.id = p.worker_id JOIN household h ON h.id = w.household_id
            JOIN site st ON st.id = h.site_id
            WHERE (f.done_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN qs AND qe
              AND (c IS NULL OR st.county_code = c) AND (s IS NULL OR st.id = s)));
$$;

-- The quarterly report: figures as they were at the quarter's end, for each
-- county and each of its sites, and in all.  Parameters: year, quarter,
-- county (optional).
CREATE FUNCTION api_report_quarterly(p_year integer, p_quarter integer, p_county integer,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    qs date := make_date(p_year, 3 * p_quarter - 2, 1);
    qe date := (make_date(p_year, 3 * p_quarter - 2, 1) + interval '3 months' - interval '1 day')::date;
BEGIN
    IF qs > placement_today() THEN
        PERFORM api_fail('LY422', 'quarter', 'out_of_range');
    END IF;
    IF p_county IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region WHERE code = p_county AND level = 'county') THEN
        PERFORM api_fail('LY422', 'county', 'not_found');
    END IF;
    status := 200;
    body := jsonb_build_object(
        'year', p_year, 'quarter', p_quarter, 'from', qs, 'to', qe,
        'complete', qe < placement_today(), 'due_on', report_due_on(qe),
        'county_code', p_county,
        'total', report_quarter_figures(qs, qe, p_county, NULL),
        'counties', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'county_code', cc, 'county_name', g.name,
                       'figures', report_quarter_figures(qs, qe, cc, NULL),
                       'sites', (SELECT jsonb_agg(jsonb_build_object(
                                            'site_id', st.id, 'site_name', st.name,
                                            'figures', report_quarter_figures(qs, qe, cc, st.id))
                                        ORDER BY st.name, st.id)
                                 FROM site st WHERE st.county_code = cc AND NOT st.archived))
                   ORDER BY cc)
            FROM (SELECT DISTINCT county_code AS cc FROM site
                  WHERE NOT archived AND (p_county IS NULL OR county_code = p_county)) cs
            JOIN region g ON g.code = cs.cc), '[]'));
END $$;
