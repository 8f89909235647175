-- 041_help_fairness: households that ask for help, lists from other
-- departments, and the fairness report.
--
-- Three ways to find households at risk (the resettlement follow-up
-- guidance): a household applying itself, comparing another department's
-- data, and regular visits.  The first two open early-warning tasks here:
--   * self_application   a person signed in at a kiosk asks for help (lost
--                        job, illness, income fell, other): a visit within
--                        3 days, one open request per household;
--   * department_list    staff import another department's list (ID
--                        numbers with a flag and a date) and open tasks for
--                        the households whose status there disagrees with
--                        Leye's.  The list keeps only the blind index of
--                        each ID number and is deleted when its retention
--                        (LEYE_DEPARTMENT_LIST_DAYS) ends.
-- Ethnicity is an optional worker field, kept in its own table, read only
-- by the fairness report and by staff granted the ethnicity permission;
-- matching never reads it.

ALTER TABLE early_warning_task DROP CONSTRAINT early_warning_task_reason_check;
ALTER TABLE early_warning_task ADD CONSTRAINT early_warning_task_reason_check
    CHECK (reason IN ('job_lost_zero_employment', 'job_lost_monitored', 'monitoring_started',
                      'self_application', 'department_list'));
ALTER TABLE early_warning_task
    ADD COLUMN worker_id bigint REFERENCES worker (id),
    ADD COLUMN help_reason text
        CHECK (help_reason IN ('lost_job', 'illness', 'income_fell', 'other')),
    ADD COLUMN department_list_id bigint,
    ADD COLUMN disagreement text,
    ADD CONSTRAINT early_warning_task_help CHECK ((reason = 'self_application') = (help_reason IS NOT NULL));

CREATE OR REPLACE FUNCTION warning_task_json(t early_warning_task) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', t.id, 'household_id', t.household_id, 'site_id', h.site_id,
        'county_code', s.county_code, 'placement_id', t.placement_id,
        'worker_id', coalesce(t.worker_id, p.worker_id),
        'reason', t.reason, 'help_reason', t.help_reason,
        'department_list_id', t.department_list_id, 'disagreement', t.disagreement,
        'due_on', t.due_on,
        'overdue', t.status = 'open' AND t.due_on < placement_today(),
        'assignee', t.assignee, 'status', t.status, 'visit_note', t.visit_note,
        'closed_at', t.closed_at, 'version', t.version,
        'created_at', t.created_at, 'updated_at', t.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN household h ON h.id = t.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN placement p ON p.id = t.placement_id;
$$;

-- ---------- self-application at the kiosk ----------

-- POST /v1/kiosk/help {reason}: the signed-in person asks for help.  Opens
-- a self_application visit for their household, due within 3 days, unless
-- one is open already (then that one is the answer, 200).  The kiosk's
-- answer says only what the person needs: the request, its reason, when
-- someone will come; never the household's status.
CREATE FUNCTION api_kiosk_help_request(p jsonb, p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    caller text := leye_scope();
    w worker := kiosk_worker();
    t early_warning_task;
BEGIN
    IF p ->> 'reason' IS NULL THEN
        PERFORM api_fail('LY422', 'reason', 'required');
    ELSIF p ->> 'reason' NOT IN ('lost_job', 'illness', 'income_fell', 'other') THEN
        PERFORM api_fail('LY422', 'reason', 'unknown_value');
    END IF;
    PERFORM set_config('leye.scope', '*', true);
    PERFORM 1 FROM household h WHERE h.id = w.household_id FOR UPDATE;
    SELECT * INTO t FROM early_warning_task x
    WHERE x.household_id = w.household_id AND x.status = 'open' AND x.reason = 'self_application';
    IF FOUND THEN
        status := 200;
    ELSE
        INSERT INTO early_warning_task (household_id, worker_id, reason, help_reason, due_on)
        VALUES (w.household_id, w.id, 'self_application', p ->> 'reason', placement_today() + 3)
        RETURNING * INTO t;
        status := 201;
    END IF;
    PERFORM set_config('leye.scope', caller, true);
    version := t.version;
    body := jsonb_build_object('id', t.id, 'reason', t.help_reason, 'status', t.status,
                               'due_on', t.due_on, 'created_at', t.created_at,
                               'already_open', status = 200);
END $$;

-- ---------- lists from other departments ----------

CREATE TABLE department_list (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department   text NOT NULL CHECK (department IN ('civil_affairs', 'medical_insurance',
                                                     'human_resources', 'rural_revitalization',
                                                     'other')),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    county_code  integer NOT NULL REFERENCES region (code),
    rows         integer NOT NULL CHECK (rows >= 0),
    matched      integer NOT NULL CHECK (matched >= 0),
    imported_by  text NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX department_list_expires ON department_list (expires_at);
CREATE INDEX department_list_county ON department_list (county_code, id);

-- One row of a list: the blind index of the ID number (never the number),
-- the other department's flag and its date.
CREATE TABLE department_list_entry (
    list_id        bigint NOT NULL REFERENCES department_list (id) ON DELETE CASCADE,
    line           integer NOT NULL,
    id_number_hash bytea NOT NULL,
    flag           text NOT NULL CHECK (flag IN ('hardship', 'unemployed', 'employed')),
    flag_date      date NOT NULL,
    PRIMARY KEY (list_id, line)
);
CREATE INDEX department_list_entry_hash ON department_list_entry (id_number_hash);

ALTER TABLE early_warning_task ADD CONSTRAINT early_warning_task_department_list
    FOREIGN KEY (department_list_id) REFERENCES department_list (id) ON DELETE SET NULL;

-- Staff see the lists of their counties (site staff: their sites'
-- counties); kiosks and brokers none.  Expired lists are gone for every
-- reader even before the purge deletes them.
ALTER TABLE department_list ENABLE ROW LEVEL SECURITY;
ALTER TABLE department_list FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON department_list USING (
    (SELECT leye_scope()) NOT LIKE 'k:%' AND (SELECT leye_scope()) NOT LIKE 'b:%'
    AND leye_county_ok(county_code));
ALTER TABLE department_list_entry ENABLE ROW LEVEL SECURITY;
ALTER TABLE department_list_entry FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON department_list_entry USING (
    EXISTS (SELECT 1 FROM department_list l WHERE l.id = list_id));

CREATE TRIGGER audit_insert AFTER INSERT ON department_list REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();
CREATE TRIGGER audit_update AFTER UPDATE ON department_list REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();
CREATE TRIGGER audit_delete AFTER DELETE ON department_list REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();

-- Where Leye and the list disagree about a person in the list's county:
--   employed_here_hardship_there     employed in Leye, on a hardship list there
--   not_monitored_here_hardship_there  on a hardship list, the household not
--                                    under monitoring here (and not employed)
--   employed_here_unemployed_there   employed in Leye, registered unemployed there
--   seeking_here_employed_there      seeking in Leye, employed there
-- Only workers the caller may see (row-level security) are compared.
CREATE FUNCTION department_list_disagreements(p_list bigint)
RETURNS TABLE (worker_id bigint, household_id bigint, site_id bigint, name text,
               id_number_masked text, employment_status text, monitored boolean,
               flag text, flag_date date, disagreement text)
LANGUAGE sql STABLE AS $$
    SELECT w.id, w.household_id, h.site_id, w.name, w.id_number_masked, w.employment_status,
           h.monitoring_status <> 'none', e.flag, e.flag_date,
           CASE
               WHEN e.flag = 'hardship' AND w.employment_status LIKE 'employed%'
                   THEN 'employed_here_hardship_there'
               WHEN e.flag = 'hardship' AND h.monitoring_status = 'none'
                   THEN 'not_monitored_here_hardship_there'
               WHEN e.flag = 'unemployed' AND w.employment_status LIKE 'employed%'
                   THEN 'employed_here_unemployed_there'
               WHEN e.flag = 'employed' AND w.employment_status = 'seeking'
                   THEN 'seeking_here_employed_there'
           END
    FROM department_list l
    JOIN department_list_entry e ON e.list_id = l.id
    JOIN worker w ON w.id_number_hash = e.id_number_hash AND NOT w.archived
    JOIN household h ON h.id = w.household_id AND NOT h.archived
    JOIN site s ON s.id = h.site_id AND s.county_code = l.county_code
    WHERE l.id = p_list AND l.expires_at > now()
      AND ((e.flag = 'hardship' AND (w.employment_status LIKE 'employed%' OR h.monitoring_status = 'none'))
           OR (e.flag = 'unemployed' AND w.employment_status LIKE 'employed%')
           OR (e.flag = 'employed' AND w.employment_status = 'seeking'));
$$;

CREATE FUNCTION department_list_json(l department_list) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', l.id, 'department', l.department, 'name', l.name, 'county_code', l.county_code,
        'rows', l.rows, 'matched', l.matched, 'imported_by', l.imported_by,
        'imported_at', l.imported_at, 'expires_at', l.expires_at,
        'disagreements', (SELECT count(*) FROM department_list_disagreements(l.id)));
$$;

-- POST /v1/imports/department-list: one list, all rows or none (the server
-- has checked each row and hashed each ID number).  Returns the list with
-- its counts; rows found in the county's people are "matched".
CREATE FUNCTION import_department_list(p_department text, p_name text, p_county integer,
                                       p_days integer, p_lines integer[], p_hashes bytea[],
                                       p_flags text[], p_dates date[], p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    l department_list;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM region r WHERE r.code = p_county AND r.level = 'county') THEN
        PERFORM api_fail('LY422', 'county_code', 'not_found');
    ELSIF NOT leye_county_write_ok(p_county) THEN
        PERFORM api_fail('LY422', 'county_code', 'outside_scope');
    END IF;
    INSERT INTO department_list (department, name, county_code, rows, matched, imported_by,
                                 expires_at)
    VALUES (p_department, p_name, p_county, cardinality(p_lines), 0, p_actor,
            now() + make_interval(days => p_days))
    RETURNING * INTO l;
    INSERT INTO department_list_entry (list_id, line, id_number_hash, flag, flag_date)
    SELECT l.id, x.line, x.hash, x.flag, x.d
    FROM unnest(p_lines, p_hashes, p_flags, p_dates) AS x (line, hash, flag, d);
    PERFORM set_config('leye.audit_derived', 'on', true);
    UPDATE department_list x SET matched = (
        SELECT count(*) FROM department_list_entry e
        JOIN worker w ON w.id_number_hash = e.id_number_hash AND NOT w.archived
        JOIN household h ON h.id = w.household_id
        JOIN site s ON s.id = h.site_id AND s.county_code = x.county_code
        WHERE e.list_id = x.id)
    WHERE x.id = l.id
    RETURNING * INTO l;
    PERFORM set_config('leye.audit_derived', 'off', true);
    status := 201;
    body := department_list_json(l);
END $$;

-- GET /v1/department-lists: the lists the caller sees, newest first.
CREATE FUNCTION api_department_list_list(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE sql STABLE AS $$
    SELECT 200, NULL::integer, jsonb_build_object('items', coalesce(jsonb_agg(
        department_list_json(l) ORDER BY l.id DESC), '[]'))
    FROM department_list l WHERE l.expires_at > now();
$$;

-- GET /v1/department-lists/{id}: the list and every disagreement with it
-- the caller may see (at most 1000, in order of worker).
CREATE FUNCTION api_department_list_get(p_id bigint, OUT status integer, OUT version integer,
                                        OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    l department_list;
BEGIN
    SELECT * INTO l FROM department_list x WHERE x.id = p_id AND x.expires_at > now();
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    body := department_list_json(l) || jsonb_build_object('items', coalesce((
        SELECT jsonb_agg(to_jsonb(d) || jsonb_build_object('task_open', EXISTS (
                   SELECT 1 FROM early_warning_task t
                   WHERE t.household_id = d.household_id AND t.status = 'open'
                     AND t.department_list_id = l.id)) ORDER BY d.worker_id)
        FROM (SELECT * FROM department_list_disagreements(l.id) ORDER BY worker_id LIMIT 1000) d),
        '[]'));
END $$;

-- POST /v1/department-lists/{id}/tasks {worker_ids}: a department_list visit
-- (within 7 days) for the household of each disagreement named (all of
-- them without worker_ids), unless one from this list is open already.
-- Naming a worker who is not among the disagreements is refused.
CREATE FUNCTION api_department_list_tasks(p_id bigint, p jsonb, p_actor text,
                                          OUT status integer, OUT version integer,
                                          OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    l department_list;
    wanted bigint[];
    opened jsonb;
BEGIN
    SELECT * INTO l FROM department_list x WHERE x.id = p_id AND x.expires_at > now();
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p ? 'worker_ids' THEN
        SELECT array_agg(v::bigint) INTO wanted FROM jsonb_array_elements_text(p -> 'worker_ids') v;
        IF EXISTS (SELECT 1 FROM unnest(wanted) x
                   WHERE x NOT IN (SELECT d.worker_id FROM department_list_disagreements(l.id) d)) THEN
            PERFORM api_fail('LY422', 'worker_ids', 'not_found');
        END IF;
    END IF;
    WITH d AS (
        SELECT DISTINCT ON (household_id) household_id, worker_id, disagreement
        FROM department_list_disagreements(l.id)
        WHERE wanted IS NULL OR worker_id = ANY (wanted)
        ORDER BY household_id, worker_id),
    n AS (
        INSERT INTO early_warning_task (household_id, worker_id, reason, due_on,
                                        department_list_id, disagreement)
        SELECT d.household_id, d.worker_id, 'department_list', placement_today() + 7, l.id,
               d.disagreement
        FROM d
        WHERE NOT EXISTS (SELECT 1 FROM early_warning_task t
                          WHERE t.household_id = d.household_id AND t.status = 'open'
                            AND t.department_list_id = l.id)
        RETURNING *)
    SELECT coalesce(jsonb_agg(warning_task_json(n) ORDER BY n.id), '[]') INTO opened FROM n;
    status := 200;
    body := jsonb_build_object('opened', jsonb_array_length(opened), 'items', opened);
END $$;

-- Deletes the lists whose retention has ended, with their rows; each
-- deletion is recorded in the audit log as the server's own work.  Called
-- by the server every few seconds (server/deptlist.c).  Returns how many.
CREATE FUNCTION department_list_purge() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    WITH gone AS (DELETE FROM department_list l WHERE l.expires_at <= now() RETURNING l.*),
    a AS (INSERT INTO audit_log (actor_kind, actor_name, action, resource, resource_id, detail)
          SELECT 'system', 'retention', 'purge', 'department_list', g.id::text,
                 jsonb_build_object('department', g.department, 'name', g.name,
                                    'county_code', g.county_code, 'rows', g.rows,
                                    'expires_at', g.expires_at)
          FROM gone g RETURNING 1)
    SELECT count(*) INTO n FROM a;
    RETURN n;
END $$;

-- ---------- ethnicity, for the fairness report only ----------

-- Optional and self-declared; one row per worker who has it recorded.
-- Never read by matching (lib/match, server/matchidx.c) or any other
-- answer: PUT/GET /v1/workers/{id}/ethnicity for staff granted the
-- ethnicity permission, and the fairness report's ethnicity section.
CREATE TABLE worker_ethnicity (
    worker_id   bigint PRIMARY KEY REFERENCES worker (id),
    ethnicity   text NOT NULL CHECK (length(ethnicity) BETWEEN 1 AND 20),
    recorded_by text NOT NULL,
    version     integer NOT NULL DEFAULT 1,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE worker_ethnicity ENABLE ROW LEVEL SECURITY;
ALTER TABLE worker_ethnicity FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON worker_ethnicity USING (
    (SELECT leye_scope()) NOT LIKE 'k:%' AND (SELECT leye_scope()) NOT LIKE 'b:%'
    AND EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));
CREATE TRIGGER audit_insert AFTER INSERT ON worker_ethnicity REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();
CREATE TRIGGER audit_update AFTER UPDATE ON worker_ethnicity REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();
CREATE TRIGGER audit_delete AFTER DELETE ON worker_ethnicity REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt();

CREATE FUNCTION api_worker_ethnicity_get(p_worker bigint, OUT status integer,
                                         OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    e worker_ethnicity;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM worker w WHERE w.id = p_worker) THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    SELECT * INTO e FROM worker_ethnicity x WHERE x.worker_id = p_worker;
    status := 200;
    version := e.version;
    body := jsonb_build_object('worker_id', p_worker, 'ethnicity', e.ethnicity,
                               'updated_at', e.updated_at);
END $$;

-- PUT {ethnicity}: records it; null removes it.
CREATE FUNCTION api_worker_ethnicity_put(p_worker bigint, p jsonb, p_actor text,
                                         OUT status integer, OUT version integer,
                                         OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    v text := p ->> 'ethnicity';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM worker w WHERE w.id = p_worker) THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF v IS NULL THEN
        DELETE FROM worker_ethnicity x WHERE x.worker_id = p_worker;
    ELSE
        INSERT INTO worker_ethnicity AS x (worker_id, ethnicity, recorded_by)
        VALUES (p_worker, v, p_actor)
        ON CONFLICT (worker_id) DO UPDATE
            SET ethnicity = EXCLUDED.ethnicity, recorded_by = EXCLUDED.recorded_by,
                version = x.version + 1, updated_at = now()
            WHERE x.ethnicity IS DISTINCT FROM EXCLUDED.ethnicity;
    END IF;
    SELECT * INTO status, version, body FROM api_worker_ethnicity_get(p_worker);
END $$;

-- ---------- the fairness report ----------

-- The Wilson score interval of k successes in n at 95 % (z = 1.96).
CREATE FUNCTION wilson_interval(k bigint, n bigint, OUT lo numeric, OUT hi numeric)
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN n = 0 THEN NULL ELSE round(greatest(0, c - h)::numeric, 4) END,
           CASE WHEN n = 0 THEN NULL ELSE round(least(1, c + h)::numeric, 4) END
    FROM (SELECT (p + z * z / (2 * n)) / (1 + z * z / n) AS c,
                 z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n) AS h
          FROM (SELECT CASE WHEN n = 0 THEN 0 ELSE k::float8 / n END AS p, 1.96::float8 AS z) a) b;
$$;

CREATE FUNCTION fairness_age_band(birth date, at date) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a < 25 THEN '16-24' WHEN a < 35 THEN '25-34' WHEN a < 45 THEN '35-44'
                WHEN a < 55 THEN '45-54' ELSE '55+' END
    FROM (SELECT extract(year FROM age(at, birth))::integer AS a) x;
$$;

-- Each person of the report and what happened to them in [p_from, p_to]:
-- the people of the county or site (their household's site) in the labour
-- force, or who applied in the period.
CREATE FUNCTION fairness_people(p_county integer, p_site bigint, p_from date, p_to date,
                                p_ethnicity boolean)
RETURNS TABLE (worker_id bigint, sex text, age_band text, mandarin_level text, ethnicity text,
               applied boolean, offered boolean, hired boolean, hires_6m integer,
               retained_6m integer, candidate boolean, assigned boolean)
LANGUAGE sql STABLE AS $$
    WITH w AS (
        SELECT w.* FROM worker w
        JOIN household h ON h.id = w.household_id
        JOIN site s ON s.id = h.site_id
        WHERE NOT w.archived AND w.created_at::date <= p_to
          AND (p_county IS NULL OR s.county_code = p_county)
          AND (p_site IS NULL OR s.id = p_site)),
    alloc AS (
        SELECT a.id FROM allocation a
        WHERE a.state IN ('draft', 'confirmed') AND a.created_at::date BETWEEN p_from AND p_to)
    SELECT w.id, w.sex::text, fairness_age_band(w.birth_date, p_to), w.mandarin_level,
           CASE WHEN p_ethnicity THEN (SELECT e.ethnicity FROM worker_ethnicity e
                                       WHERE e.worker_id = w.id) END,
           ap.any_applied, ap.any_offered,
           EXISTS (SELECT 1 FROM placement p WHERE p.worker_id = w.id
                   AND p.start_date BETWEEN p_from AND p_to),
           (SELECT count(*)::integer FROM placement p WHERE p.worker_id = w.id
              AND p.start_date BETWEEN p_from AND p_to AND p.start_date + 182 <= placement_today()),
           (SELECT count(*)::integer FROM placement p WHERE p.worker_id = w.id
              AND p.start_date BETWEEN p_from AND p_to AND p.start_date + 182 <= placement_today()
              AND (p.ended_on IS NULL OR p.ended_on >= p.start_date + 182)),
           EXISTS (SELECT 1 FROM allocation_assignment x JOIN alloc ON alloc.id = x.allocation_id
                   WHERE x.proposed_worker_id = w.id)
           OR EXISTS (SELECT 1 FROM allocation_unassigned u JOIN alloc ON alloc.id = u.allocation_id
                      WHERE u.worker_id = w.id AND u.why IN ('outscored', 'household_rule')),
           EXISTS (SELECT 1 FROM allocation_assignment x JOIN alloc ON alloc.id = x.allocation_id
                   WHERE x.proposed_worker_id = w.id)
    FROM w
    CROSS JOIN LATERAL (
        SELECT coalesce(bool_or(a.created_at::date BETWEEN p_from AND p_to), false) AS any_applied,
               coalesce(bool_or(EXISTS (
                   SELECT 1 FROM application_event ev WHERE ev.application_id = a.id
                     AND ev.to_status IN ('offered', 'hired')
                     AND ev.at::date BETWEEN p_from AND p_to)), false) AS any_offered
        FROM application a WHERE a.worker_id = w.id) ap
    WHERE w.employment_status <> 'not_seeking' OR ap.any_applied;
$$;

-- The figures of one dimension: for each group and stage, n (who could
-- reach the stage), k (who did), the rate, its Wilson interval, the ratio
-- to the best-off group's rate (among groups of at least p_min_n) and a
-- status: too_few (n below p_min_n), below_four_fifths, or ok.
CREATE FUNCTION fairness_dimension(people jsonb, p_dim text, p_min_n integer) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    WITH p AS (
        SELECT x ->> p_dim AS g, x FROM jsonb_array_elements(people) x
        WHERE x ->> p_dim IS NOT NULL),
    s AS (
        SELECT g, st.stage, st.ord,
               sum(CASE st.stage
                       WHEN 'applied' THEN 1 WHEN 'offered' THEN 1 WHEN 'hired' THEN 1
                       WHEN 'candidate' THEN 1
                       WHEN 'retained_6m' THEN (x ->> 'hires_6m')::integer
                       WHEN 'assigned' THEN CASE WHEN (x ->> 'candidate')::boolean THEN 1 ELSE 0 END
                   END) AS n,
               sum(CASE st.stage
                       WHEN 'applied' THEN ((x ->> 'applied')::boolean)::integer
                       WHEN 'offered' THEN ((x ->> 'offered')::boolean)::integer
                       WHEN 'hired' THEN ((x ->> 'hired')::boolean)::integer
                       WHEN 'candidate' THEN ((x ->> 'candidate')::boolean)::integer
                       WHEN 'retained_6m' THEN (x ->> 'retained_6m')::integer
                       WHEN 'assigned' THEN ((x ->> 'assigned')::boolean)::integer
                   END) AS k
        FROM p CROSS JOIN (VALUES ('applied', 1), ('offered', 2), ('hired', 3),
                                  ('retained_6m', 4), ('candidate', 5), ('assigned', 6))
                              AS st (stage, ord)
        GROUP BY g, st.stage, st.ord),
    r AS (
        SELECT s.*, CASE WHEN n > 0 THEN k::numeric / n END AS rate,
               max(CASE WHEN n >= p_min_n AND n > 0 THEN k::numeric / n END)
                   OVER (PARTITION BY stage) AS best
        FROM s),
    f AS (
        SELECT r.*, CASE WHEN best > 0 AND n >= p_min_n THEN round(rate / best, 4) END AS ratio
        FROM r)
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'group', g,
               'people', (SELECT count(*) FROM p WHERE p.g = grp.g),
               'stages', st) ORDER BY g), '[]')
    FROM (SELECT g, jsonb_object_agg(stage, jsonb_build_object(
                     'n', n, 'k', k, 'rate', round(rate, 4),
                     'ci_low', (wilson_interval(k, n)).lo, 'ci_high', (wilson_interval(k, n)).hi,
                     'ratio_to_best', ratio,
                     'status', CASE WHEN n < p_min_n THEN 'too_few'
                                    WHEN ratio < 0.8 THEN 'below_four_fifths'
                                    ELSE 'ok' END)) AS st
          FROM f GROUP BY g) grp;
$$;

-- GET /v1/reports/fairness: the report for the people of a county or site
-- in the caller's scope (row-level security), for [p_from, p_to] (default:
-- the 365 days up to today).  The
-- ethnicity section is there only for p_ethnicity (the server passes it
-- for staff granted the ethnicity permission).
CREATE FUNCTION api_report_fairness(p_county integer, p_site bigint, p_from date, p_to date,
                                    p_ethnicity boolean,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    min_n constant integer := 30;
    people jsonb;
BEGIN
    p_to := coalesce(p_to, placement_today());
    p_from := coalesce(p_from, p_to - 365);
    IF p_from > p_to THEN
        PERFORM api_fail('LY422', 'from', 'invalid_range');
    ELSIF p_to - p_from > 3660 THEN
        PERFORM api_fail('LY422', 'from', 'out_of_range');
    END IF;
    SELECT coalesce(jsonb_agg(to_jsonb(x) || jsonb_build_object(
               'sex_age_band', x.sex || ' ' || x.age_band)), '[]')
    INTO people FROM fairness_people(p_county, p_site, p_from, p_to, p_ethnicity) x;
    status := 200;
    body := jsonb_build_object(
        'county_code', p_county, 'site_id', p_site, 'from', p_from, 'to', p_to,
        'min_n', min_n, 'confidence', 0.95, 'four_fifths', 0.8,
        'people', jsonb_array_length(people),
        'stages', jsonb_build_array('applied', 'offered', 'hired', 'retained_6m', 'candidate',
                                    'assigned'),
        'dimensions', jsonb_build_object(
            'sex', fairness_dimension(people, 'sex', min_n),
            'age_band', fairness_dimension(people, 'age_band', min_n),
            'mandarin_level', fairness_dimension(people, 'mandarin_level', min_n),
            'sex_age_band', fairness_dimension(people, 'sex_age_band', min_n))
            || CASE WHEN p_ethnicity
                    THEN jsonb_build_object('ethnicity',
                                            fairness_dimension(people, 'ethnicity', min_n))
                    ELSE '{}' END);
END $$;
