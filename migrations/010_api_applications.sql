-- 010_api_applications: applications and their flow, the placements hires
-- make, their follow-ups at 1, 3 and 6 months, and the early-warning tasks
-- opened when a household slides back.
--
-- The flow: applied -> shortlisted -> offered -> hired, with the exits
-- rejected and withdrawn from any live state; hired, rejected and withdrawn
-- are final.  Hiring and ending a placement each change application,
-- placement, follow-ups, worker, vacancy and (by the triggers on worker)
-- household in one function call, so in one transaction: a fault at any
-- step leaves all of them as they were.
-- Locks are taken in one order: application or placement, worker, vacancy.

CREATE INDEX placement_vacancy ON placement (vacancy_id, id);
CREATE INDEX followup_due_id ON followup (due_on, id);
CREATE INDEX early_warning_task_due ON early_warning_task (due_on, id);

-- Today in China Standard Time (the server's api_today() agrees).
CREATE FUNCTION placement_today() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date;
$$;

-- The moves the flow allows.
CREATE FUNCTION application_move_ok(from_status text, to_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT (from_status, to_status) IN (('applied', 'shortlisted'), ('shortlisted', 'offered'),
                                        ('offered', 'hired'))
        OR (from_status IN ('applied', 'shortlisted', 'offered')
            AND to_status IN ('rejected', 'withdrawn'));
$$;

CREATE FUNCTION application_json(a application) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'worker_id', a.worker_id, 'worker_name', w.name,
        'vacancy_id', a.vacancy_id, 'vacancy_title', v.title,
        'employer_id', v.employer_id, 'employer_name', e.name, 'county_code', v.county_code,
        'source', a.source, 'status', a.status, 'note', a.note, 'created_by', a.created_by,
        'placement_id', (SELECT p.id FROM placement p WHERE p.application_id = a.id),
        'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN worker w ON w.id = a.worker_id
    LEFT JOIN vacancy v ON v.id = a.vacancy_id
    LEFT JOIN employer e ON e.id = v.employer_id;
$$;

-- An application with its history, oldest move first.
CREATE FUNCTION application_json_full(a application) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT application_json(a) || jsonb_build_object(
        'events', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'from', e.from_status, 'to', e.to_status, 'actor', e.actor,
                                'note', e.note, 'at', e.at) ORDER BY e.id)
                            FROM application_event e WHERE e.application_id = a.id), '[]'));
$$;

CREATE FUNCTION followup_json(f followup) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', f.id, 'placement_id', f.placement_id, 'due_month', f.due_month, 'due_on', f.due_on,
        'done', f.done_at IS NOT NULL, 'done_at', f.done_at,
        'overdue', f.done_at IS NULL AND f.due_on < placement_today(),
        'still_employed', f.still_employed, 'wage', f.wage, 'problems', f.problems,
        'note', f.note, 'recorded_by', f.recorded_by,
        'worker_id', p.worker_id, 'worker_name', w.name, 'household_id', w.household_id,
        'vacancy_id', p.vacancy_id, 'vacancy_title', v.title, 'county_code', v.county_code,
        'placement_active', p.ended_on IS NULL)
    FROM (SELECT 1) one
    LEFT JOIN placement p ON p.id = f.placement_id
    LEFT JOIN worker w ON w.id = p.worker_id
    LEFT JOIN vacancy v ON v.id = p.vacancy_id;
$$;

CREATE FUNCTION placement_json(p placement) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'application_id', p.application_id,
        'worker_id', p.worker_id, 'worker_name', w.name, 'household_id', w.household_id,
        'vacancy_id', p.vacancy_id, 'vacancy_title', v.title, 'vacancy_kind', v.kind,
        'employer_id', v.employer_id, 'employer_name', e.name, 'county_code', v.county_code,
        'start_date', p.start_date, 'wage', p.wage, 'wage_period', v.wage_period,
        'location_scope', p.location_scope, 'active', p.ended_on IS NULL,
        'ended_on', p.ended_on, 'end_reason', p.end_reason, 'end_note', p.end_note,
        'version', p.version, 'created_at', p.created_at, 'updated_at', p.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN worker w ON w.id = p.worker_id
    LEFT JOIN vacancy v ON v.id = p.vacancy_id
    LEFT JOIN employer e ON e.id = v.employer_id;
$$;

-- A placement with its follow-ups, in month order.
CREATE FUNCTION placement_json_full(p placement) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT placement_json(p) || jsonb_build_object(
        'followups', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'id', f.id, 'due_month', f.due_month, 'due_on', f.due_on,
                                   'done', f.done_at IS NOT NULL, 'done_at', f.done_at,
                                   'overdue', f.done_at IS NULL AND f.due_on < placement_today(),
                                   'still_employed', f.still_employed, 'wage', f.wage,
                                   'problems', f.problems, 'note', f.note,
                                   'recorded_by', f.recorded_by) ORDER BY f.due_month)
                               FROM followup f WHERE f.placement_id = p.id), '[]'));
$$;

CREATE FUNCTION warning_task_json(t early_warning_task) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', t.id, 'household_id', t.household_id, 'site_id', h.site_id,
        'county_code', s.county_code, 'placement_id', t.placement_id, 'worker_id', p.worker_id,
        'reason', t.reason, 'due_on', t.due_on,
        'overdue', t.status = 'open' AND t.due_on < placement_today(),
        'assignee', t.assignee, 'status', t.status, 'visit_note', t.visit_note,
        'closed_at', t.closed_at, 'version', t.version,
        'created_at', t.created_at, 'updated_at', t.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN household h ON h.id = t.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN placement p ON p.id = t.placement_id;
$$;

-- POST /v1/applications {worker_id, vacancy_id, source, note}.  A broker
-- (scope "b:<id>") applies as source 'broker' and is recorded with its key.
CREATE FUNCTION api_application_create(p jsonb, p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker;
    v vacancy;
    a application;
    caller text := coalesce(nullif(current_setting('leye.scope', true), ''), '*');
    broker bigint;
    broker_key bigint;
BEGIN
    SELECT * INTO w FROM worker x WHERE x.id = (p ->> 'worker_id')::bigint;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_found');
    ELSIF w.archived THEN
        PERFORM api_fail('LY422', 'worker_id', 'archived');
    ELSIF w.employment_status = 'not_seeking' THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_seeking');
    END IF;
    SELECT * INTO v FROM vacancy x WHERE x.id = (p ->> 'vacancy_id')::bigint;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'vacancy_id', 'not_found');
    ELSIF v.archived THEN
        PERFORM api_fail('LY422', 'vacancy_id', 'archived');
    ELSIF v.status = 'filled' OR v.filled >= v.headcount THEN
        PERFORM api_fail('LY422', 'vacancy_id', 'full');
    ELSIF v.status <> 'open' THEN
        PERFORM api_fail('LY422', 'vacancy_id', 'not_open');
    END IF;
    IF caller LIKE 'b:%' THEN
        IF p ->> 'source' <> 'broker' THEN
            PERFORM api_fail('LY422', 'source', 'not_allowed');
        END IF;
        broker := substr(caller, 3)::bigint;
        broker_key := (nullif(current_setting('leye.actor', true), '')::jsonb ->> 'id')::bigint;
    END IF;
    IF EXISTS (SELECT 1 FROM application x
               WHERE x.worker_id = w.id AND x.vacancy_id = v.id
                 AND x.status NOT IN ('rejected', 'withdrawn')) THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'duplicate');
    END IF;
    BEGIN
        INSERT INTO application (worker_id, vacancy_id, source, note, created_by, broker_id,
                                 broker_key_id)
        VALUES (w.id, v.id, p ->> 'source', coalesce(p ->> 'note', ''), p_actor, broker, broker_key)
        RETURNING * INTO a;
    EXCEPTION WHEN unique_violation THEN
        -- a concurrent application for the same worker and vacancy won
        PERFORM api_fail('LY409', 'vacancy_id', 'duplicate');
    END;
    INSERT INTO application_event (application_id, from_status, to_status, actor, note)
    VALUES (a.id, NULL, 'applied', p_actor, a.note);
    status := 201;
    version := a.version;
    body := application_json_full(a);
END $$;

CREATE FUNCTION api_application_get(p_id bigint, OUT status integer, OUT version integer,
                                    OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a application;
BEGIN
    SELECT * INTO a FROM application x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := a.version;
    body := application_json_full(a);
END $$;

CREATE FUNCTION application_list_match(a application, f jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (f ->> 'worker_id' IS NULL OR a.worker_id = (f ->> 'worker_id')::bigint)
       AND (f ->> 'vacancy_id' IS NULL OR a.vacancy_id = (f ->> 'vacancy_id')::bigint)
       AND (f ->> 'status' IS NULL OR a.status = f ->> 'status')
       AND (f ->> 'source' IS NULL OR a.source = f ->> 'source');
$$;

-- Filters: worker_id, vacancy_id, status, source.  Sorts: id; -id (newest
-- first).  Cursor: {"id"} of the last row shown.
CREATE FUNCTION api_application_list(f jsonb, cur jsonb, lim integer, sort text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows application[];
BEGIN
    IF sort = '-id' THEN
        SELECT array_agg(a ORDER BY a.id DESC) INTO rows
        FROM (SELECT * FROM application a
              WHERE application_list_match(a, f) AND (cur IS NULL OR a.id < (cur ->> 'id')::bigint)
              ORDER BY a.id DESC LIMIT n + 1) a;
    ELSE
        SELECT array_agg(a ORDER BY a.id) INTO rows
        FROM (SELECT * FROM application a
              WHERE application_list_match(a, f) AND (cur IS NULL OR a.id > (cur ->> 'id')::bigint)
              ORDER BY a.id LIMIT n + 1) a;
    END IF;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(application_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', (rows[n]).id));
    END IF;
END $$;

-- Where the work is, seen from the worker's home (their site's county).
CREATE FUNCTION placement_scope(v vacancy, home_county integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN v.kind = 'labor_export' OR v.county_code / 10000 <> 53
             OR coalesce(v.dest_province_code, 530000) <> 530000 THEN 'outside_province'
        WHEN v.county_code IS DISTINCT FROM home_county THEN 'outside_county'
        ELSE 'local' END;
$$;

-- The hire of application a (already moved to 'hired'): the placement, its
-- follow-ups, the worker's employment status and the vacancy's places.  The
-- last step takes the place, so a full vacancy fails the whole hire.
CREATE FUNCTION application_hire(a application, p_start date, p_wage integer) RETURNS placement
LANGUAGE plpgsql AS $$
DECLARE
    w worker;
    v vacancy;
    home integer;
    pl placement;
BEGIN
    SELECT * INTO w FROM worker x WHERE x.id = a.worker_id FOR UPDATE;
    IF w.archived THEN
        PERFORM api_fail('LY409', 'worker_id', 'archived');
    ELSIF w.employment_status = 'not_seeking' THEN
        PERFORM api_fail('LY409', 'worker_id', 'not_seeking');
    ELSIF EXISTS (SELECT 1 FROM placement x WHERE x.worker_id = w.id AND x.ended_on IS NULL) THEN
        -- one job at a time: the current placement is ended first
        PERFORM api_fail('LY409', 'worker_id', 'not_allowed');
    END IF;
    SELECT * INTO v FROM vacancy x WHERE x.id = a.vacancy_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'outside_scope');
    ELSIF v.archived THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'archived');
    END IF;
    SELECT s.county_code INTO home
    FROM household h JOIN site s ON s.id = h.site_id WHERE h.id = w.household_id;
    INSERT INTO placement (application_id, worker_id, vacancy_id, start_date, wage, location_scope)
    VALUES (a.id, w.id, v.id, p_start, p_wage, placement_scope(v, home))
    RETURNING * INTO pl;
    INSERT INTO followup (placement_id, due_month, due_on)
    SELECT pl.id, m, (p_start + make_interval(months => m))::date
    FROM unnest(ARRAY[1, 3, 6]) m;
    UPDATE worker x SET
        employment_status = CASE pl.location_scope
                                WHEN 'local' THEN 'employed_local'
                                WHEN 'outside_county' THEN 'employed_outside_county'
                                ELSE 'employed_outside_province' END,
        version = x.version + 1, updated_at = now()
    WHERE x.id = w.id;
    UPDATE vacancy x SET filled = x.filled + 1, version = x.version + 1, updated_at = now()
    WHERE x.id = v.id AND x.filled < x.headcount;
    IF NOT FOUND THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'full');
    END IF;
    RETURN pl;
END $$;

-- POST /v1/applications/{id}/transitions {to, note, start_date, wage}:
-- p_version (If-Match) is optional.  A broker may only withdraw its own
-- applications.
CREATE FUNCTION api_application_transition(p_id bigint, p_version integer, p jsonb, p_actor text,
                                           OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a application;
    pl placement;
    old_status text;
    target text := p ->> 'to';
    start date := (p ->> 'start_date')::date;
    wage integer := (p ->> 'wage')::integer;
    caller text := coalesce(nullif(current_setting('leye.scope', true), ''), '*');
BEGIN
    SELECT * INTO a FROM application x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND a.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    IF caller LIKE 'b:%' AND (target <> 'withdrawn'
                              OR a.broker_id IS DISTINCT FROM substr(caller, 3)::bigint) THEN
        PERFORM api_fail('LY422', 'to', 'not_allowed');
    END IF;
    IF NOT coalesce(application_move_ok(a.status, target), false) THEN
        PERFORM api_fail('LY409', 'to', 'illegal_transition');
    END IF;
    IF target = 'hired' THEN
        IF start IS NULL THEN
            PERFORM api_fail('LY422', 'start_date', 'required');
        ELSIF start < placement_today() - 31 THEN
            PERFORM api_fail('LY422', 'start_date', 'out_of_range');
        ELSIF wage IS NULL THEN
            PERFORM api_fail('LY422', 'wage', 'required');
        ELSIF wage < 0 THEN
            PERFORM api_fail('LY422', 'wage', 'out_of_range');
        END IF;
    ELSIF start IS NOT NULL THEN
        PERFORM api_fail('LY422', 'start_date', 'not_allowed');
    ELSIF wage IS NOT NULL THEN
        PERFORM api_fail('LY422', 'wage', 'not_allowed');
    END IF;
    old_status := a.status;
    UPDATE application x SET status = target, version = x.version + 1, updated_at = now()
    WHERE x.id = a.id
    RETURNING * INTO a;
    INSERT INTO application_event (application_id, from_status, to_status, actor, note)
    VALUES (a.id, old_status, target, p_actor, coalesce(p ->> 'note', ''));
    IF target = 'hired' THEN
        pl := application_hire(a, start, wage);
    END IF;
    body := application_json_full(a);
    IF pl.id IS NOT NULL THEN
        body := body || jsonb_build_object('placement', placement_json_full(pl));
    END IF;
    status := 200;
    version := a.version;
END $$;

CREATE FUNCTION api_placement_get(p_id bigint, OUT status integer, OUT version integer,
                                  OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    pl placement;
BEGIN
    SELECT * INTO pl FROM placement x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := pl.version;
    body := placement_json_full(pl);
END $$;

CREATE FUNCTION placement_list_match(p placement, f jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (f ->> 'worker_id' IS NULL OR p.worker_id = (f ->> 'worker_id')::bigint)
       AND (f ->> 'vacancy_id' IS NULL OR p.vacancy_id = (f ->> 'vacancy_id')::bigint)
       AND (f ->> 'active' IS NULL OR (p.ended_on IS NULL) = (f ->> 'active')::boolean)
       AND (f ->> 'county_code' IS NULL
            OR EXISTS (SELECT 1 FROM vacancy v
                       WHERE v.id = p.vacancy_id AND v.county_code = (f ->> 'county_code')::integer))
       AND (f ->> 'followup_due_before' IS NULL
            OR EXISTS (SELECT 1 FROM followup fu
                       WHERE fu.placement_id = p.id AND fu.done_at IS NULL
                         AND fu.due_on <= (f ->> 'followup_due_before')::date));
$$;

-- Filters: worker_id, vacancy_id, active, county_code (the vacancy's),
-- followup_due_before (an undone follow-up due on or before the date).
-- Sorts: id; -id.  Cursor: {"id"}.
CREATE FUNCTION api_placement_list(f jsonb, cur jsonb, lim integer, sort text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows placement[];
BEGIN
    IF sort = '-id' THEN
        SELECT array_agg(p ORDER BY p.id DESC) INTO rows
        FROM (SELECT * FROM placement p
              WHERE placement_list_match(p, f) AND (cur IS NULL OR p.id < (cur ->> 'id')::bigint)
              ORDER BY p.id DESC LIMIT n + 1) p;
    ELSE
        SELECT array_agg(p ORDER BY p.id) INTO rows
        FROM (SELECT * FROM placement p
              WHERE placement_list_match(p, f) AND (cur IS NULL OR p.id > (cur ->> 'id')::bigint)
              ORDER BY p.id LIMIT n + 1) p;
    END IF;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(placement_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', (rows[n]).id));
    END IF;
END $$;

-- POST /v1/placements/{id}/end {ended_on, end_reason, note}: the worker is
-- seeking again and the place frees up (a filled vacancy reopens by its
-- trigger); a household left with nobody employed, or under monitoring
-- against a return to poverty, gets an early-warning visit within 7 days.
CREATE FUNCTION api_placement_end(p_id bigint, p_version integer, p jsonb, p_actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    pl placement;
    h household;
    t early_warning_task;
    ended date := (p ->> 'ended_on')::date;
    reason text;
BEGIN
    SELECT * INTO pl FROM placement x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND pl.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    IF pl.ended_on IS NOT NULL THEN
        PERFORM api_fail('LY409', 'ended_on', 'illegal_transition');
    END IF;
    IF ended IS NULL THEN
        PERFORM api_fail('LY422', 'ended_on', 'required');
    ELSIF ended < pl.start_date OR ended > placement_today() THEN
        PERFORM api_fail('LY422', 'ended_on', 'out_of_range');
    END IF;
    UPDATE placement x SET ended_on = ended, end_reason = p ->> 'end_reason',
        end_note = coalesce(p ->> 'note', ''), version = x.version + 1, updated_at = now()
    WHERE x.id = pl.id
    RETURNING * INTO pl;
    UPDATE worker x SET employment_status = 'seeking', version = x.version + 1, updated_at = now()
    WHERE x.id = pl.worker_id AND x.employment_status LIKE 'employed%';
    UPDATE vacancy x SET filled = greatest(x.filled - 1, 0), version = x.version + 1,
        updated_at = now()
    WHERE x.id = pl.vacancy_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'outside_scope');
    END IF;
    SELECT * INTO h FROM household x
    WHERE x.id = (SELECT w.household_id FROM worker w WHERE w.id = pl.worker_id);
    reason := CASE WHEN h.employed_count = 0 THEN 'job_lost_zero_employment'
                   WHEN h.monitoring_status <> 'none' THEN 'job_lost_monitored' END;
    IF reason IS NOT NULL THEN
        INSERT INTO early_warning_task (household_id, placement_id, reason, due_on)
        VALUES (h.id, pl.id, reason, ended + 7)
        RETURNING * INTO t;
    END IF;
    status := 200;
    version := pl.version;
    body := placement_json_full(pl) || jsonb_build_object(
        'early_warning_task', CASE WHEN t.id IS NULL THEN NULL ELSE warning_task_json(t) END);
END $$;

-- POST /v1/placements/{id}/followups/{month} {still_employed, wage, problems, note}.
CREATE FUNCTION api_followup_record(p_placement bigint, p_month integer, p jsonb, p_actor text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    f followup;
BEGIN
    SELECT * INTO f FROM followup x
    WHERE x.placement_id = p_placement AND x.due_month = p_month FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF f.done_at IS NOT NULL THEN
        PERFORM api_fail('LY409', 'month', 'duplicate');
    END IF;
    UPDATE followup x SET done_at = now(), still_employed = (p ->> 'still_employed')::boolean,
        wage = (p ->> 'wage')::integer, problems = coalesce(p ->> 'problems', ''),
        note = coalesce(p ->> 'note', ''), recorded_by = p_actor
    WHERE x.id = f.id
    RETURNING * INTO f;
    status := 200;
    body := followup_json(f);
END $$;

CREATE FUNCTION followup_list_match(fu followup, f jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (f ->> 'due_before' IS NULL OR fu.due_on <= (f ->> 'due_before')::date)
       AND (f ->> 'done' IS NULL OR (fu.done_at IS NOT NULL) = (f ->> 'done')::boolean)
       AND (f ->> 'county_code' IS NULL
            OR EXISTS (SELECT 1 FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
                       WHERE p.id = fu.placement_id
                         AND v.county_code = (f ->> 'county_code')::integer));
$$;

-- Filters: due_before (due on or before), done, county_code (the
-- vacancy's).  Sorted by due_on, then id.  Cursor: {"due_on", "id"}.
CREATE FUNCTION api_followup_list(f jsonb, cur jsonb, lim integer, sort text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows followup[];
BEGIN
    SELECT array_agg(fu ORDER BY fu.due_on, fu.id) INTO rows
    FROM (SELECT * FROM followup fu
          WHERE followup_list_match(fu, f)
            AND (cur IS NULL OR (fu.due_on, fu.id)
                                > ((cur ->> 'due_on')::date, (cur ->> 'id')::bigint))
          ORDER BY fu.due_on, fu.id LIMIT n + 1) fu;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(followup_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}',
                          jsonb_build_object('due_on', (rows[n]).due_on, 'id', (rows[n]).id));
    END IF;
END $$;

CREATE FUNCTION api_warning_task_get(p_id bigint, OUT status integer, OUT version integer,
                                     OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t early_warning_task;
BEGIN
    SELECT * INTO t FROM early_warning_task x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := t.version;
    body := warning_task_json(t);
END $$;

-- PATCH {assignee, visit_note, status}: closing sets closed_at; a closed
-- task stays closed.
CREATE FUNCTION api_warning_task_update(p_id bigint, p_version integer, p jsonb, p_actor text,
                                        OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t early_warning_task;
BEGIN
    SELECT * INTO t FROM early_warning_task x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND t.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    IF t.status = 'closed' AND p ->> 'status' = 'open' THEN
        PERFORM api_fail('LY409', 'status', 'illegal_transition');
    END IF;
    UPDATE early_warning_task x SET
        assignee = coalesce(p ->> 'assignee', x.assignee),
        visit_note = coalesce(p ->> 'visit_note', x.visit_note),
        status = coalesce(p ->> 'status', x.status),
        closed_at = CASE WHEN x.status = 'open' AND p ->> 'status' = 'closed' THEN now()
                         ELSE x.closed_at END,
        version = x.version + 1, updated_at = now()
    WHERE x.id = t.id
    RETURNING * INTO t;
    status := 200;
    version := t.version;
    body := warning_task_json(t);
END $$;

CREATE FUNCTION warning_task_list_match(t early_warning_task, f jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (f ->> 'status' IS NULL OR t.status = f ->> 'status')
       AND (f ->> 'household_id' IS NULL OR t.household_id = (f ->> 'household_id')::bigint)
       AND (f ->> 'overdue' IS NULL
            OR (t.status = 'open' AND t.due_on < placement_today()) = (f ->> 'overdue')::boolean)
       AND (f ->> 'county_code' IS NULL
            OR EXISTS (SELECT 1 FROM household h JOIN site s ON s.id = h.site_id
                       WHERE h.id = t.household_id
                         AND s.county_code = (f ->> 'county_code')::integer));
$$;

-- Filters: status, household_id, overdue (open and past due_on),
-- county_code (the household's site's).  Sorts: id; due_on (then id).
-- Cursor: {"due_on", "id"}.
CREATE FUNCTION api_warning_task_list(f jsonb, cur jsonb, lim integer, sort text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows early_warning_task[];
BEGIN
    IF sort = 'due_on' THEN
        SELECT array_agg(t ORDER BY t.due_on, t.id) INTO rows
        FROM (SELECT * FROM early_warning_task t
              WHERE warning_task_list_match(t, f)
                AND (cur IS NULL OR (t.due_on, t.id)
                                    > ((cur ->> 'due_on')::date, (cur ->> 'id')::bigint))
              ORDER BY t.due_on, t.id LIMIT n + 1) t;
    ELSE
        SELECT array_agg(t ORDER BY t.id) INTO rows
        FROM (SELECT * FROM early_warning_task t
              WHERE warning_task_list_match(t, f) AND (cur IS NULL OR t.id > (cur ->> 'id')::bigint)
              ORDER BY t.id LIMIT n + 1) t;
    END IF;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(warning_task_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}',
                          jsonb_build_object('due_on', (rows[n]).due_on, 'id', (rows[n]).id));
    END IF;
END $$;
