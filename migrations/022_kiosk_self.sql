-- 022_kiosk_self: what a job seeker signed in at a kiosk may read and do
-- about themselves (/v1/kiosk/me, /v1/kiosk/applications).
--
-- The worker is always the one of the caller's scope "k:<worker id>": no
-- function here takes a worker id from the request, and row-level security
-- (013, 019) hides every other worker's records, so asking for them answers
-- 404.  A kiosk may not read households or sites itself; the worker's own
-- site is read for them by kiosk_home().

-- The caller's own worker (LY404 unless the caller is a kiosk session of a
-- worker that still exists).
CREATE FUNCTION kiosk_worker() RETURNS worker LANGUAGE plpgsql STABLE AS $$
DECLARE
    w worker;
BEGIN
    IF leye_scope() NOT LIKE 'k:%' THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    SELECT * INTO w FROM worker x WHERE x.id = (leye_scope_ids('k'))[1] AND NOT x.archived;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    RETURN w;
END $$;

-- The caller's site and county, and the service desk to see there.  Reads
-- the household and site with the scope widened for this one query only.
CREATE FUNCTION kiosk_home() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    caller text := leye_scope();
    w worker := kiosk_worker();
    home jsonb;
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    SELECT jsonb_build_object(
               'site_id', s.id, 'site_name', s.name, 'county_code', s.county_code,
               'county_name', r.name,
               'service_desk', jsonb_build_object(
                   'name', s.name || ' 服务台',
                   'name_en', 'the service desk at ' || s.name,
                   'what', '到服务台请工作人员帮你修改个人信息或重置密码',
                   'what_en', 'Staff at the service desk can change your details or reset your PIN'))
    INTO home
    FROM household h
    JOIN site s ON s.id = h.site_id
    LEFT JOIN region r ON r.code = s.county_code
    WHERE h.id = w.household_id;
    PERFORM set_config('leye.scope', caller, true);
    RETURN coalesce(home, '{}');
END $$;

-- An application as the job seeker sees it: the job, the employer, where,
-- the wage, the status and whether it can still be withdrawn.
CREATE FUNCTION kiosk_application_json(a application) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'vacancy_id', a.vacancy_id, 'vacancy_title', v.title, 'kind', v.kind,
        'employer_name', e.name, 'county_code', v.county_code, 'county_name', r.name,
        'wage_min', v.wage_min, 'wage_max', v.wage_max, 'wage_period', v.wage_period,
        'start_date', v.start_date, 'source', a.source, 'status', a.status,
        'live', a.status IN ('applied', 'shortlisted', 'offered'),
        'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN vacancy v ON v.id = a.vacancy_id
    LEFT JOIN employer e ON e.id = v.employer_id
    LEFT JOIN region r ON r.code = v.county_code;
$$;

-- GET /v1/kiosk/me: the profile, with the ID number and phone masked and no
-- household, poverty or consent details.
CREATE FUNCTION api_kiosk_me(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
BEGIN
    status := 200;
    version := w.version;
    body := jsonb_build_object(
        'id', w.id, 'name', w.name, 'id_number_masked', w.id_number_masked,
        'phone_masked', employer_phone_mask(w.phone), 'sex', w.sex,
        'age', extract(year FROM age(placement_today(), w.birth_date))::integer,
        'education', w.education, 'mandarin_level', w.mandarin_level,
        'languages', to_jsonb(w.languages), 'employment_status', w.employment_status,
        'preferences', jsonb_build_object(
            'max_commute_km', w.max_commute_km, 'willing_outside_county', w.willing_outside_county,
            'willing_outside_province', w.willing_outside_province,
            'needs_accommodation', w.needs_accommodation, 'wage_floor', w.wage_floor,
            'job_kinds_wanted', to_jsonb(w.job_kinds_wanted), 'available_from', w.available_from),
        'skills', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'skill_id', s.skill_id, 'name', k.name_zh, 'name_en', k.name_en,
                                'level', s.level) ORDER BY s.level DESC, s.skill_id)
                            FROM worker_skill s JOIN skill k ON k.id = s.skill_id
                            WHERE s.worker_id = w.id), '[]'),
        'certificates', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                      'certificate_type_id', c.certificate_type_id,
                                      'name', ct.name_zh, 'name_en', ct.name_en,
                                      'expires_on', c.expires_on,
                                      'valid', coalesce(c.issued_on <= placement_today(), true)
                                               AND coalesce(c.expires_on >= placement_today(), true))
                                      ORDER BY c.id)
                                  FROM worker_certificate c
                                  JOIN certificate_type ct ON ct.id = c.certificate_type_id
                                  WHERE c.worker_id = w.id), '[]'),
        'trainings', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'name', t.name, 'start_date', t.start_date,
                                   'end_date', t.end_date, 'completed', t.completed)
                                   ORDER BY t.start_date DESC, t.id)
                               FROM worker_training t WHERE t.worker_id = w.id), '[]'),
        'current_job', (SELECT jsonb_build_object(
                            'vacancy_title', v.title, 'employer_name', e.name,
                            'start_date', p.start_date, 'wage', p.wage,
                            'wage_period', v.wage_period)
                        FROM placement p
                        JOIN vacancy v ON v.id = p.vacancy_id
                        JOIN employer e ON e.id = v.employer_id
                        WHERE p.worker_id = w.id AND p.ended_on IS NULL
                        ORDER BY p.start_date DESC, p.id DESC LIMIT 1))
        || kiosk_home();
END $$;

-- GET /v1/kiosk/applications: the caller's applications, newest first,
-- p_limit at a time after the id p_before.
CREATE FUNCTION api_kiosk_application_list(p_limit integer, p_before bigint,
                                           OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    w worker := kiosk_worker();
    n integer := api_page_limit(p_limit);
    rows application[];
BEGIN
    SELECT array_agg(a ORDER BY a.id DESC) INTO rows
    FROM (SELECT * FROM application a
          WHERE a.worker_id = w.id AND (p_before IS NULL OR a.id < p_before)
          ORDER BY a.id DESC LIMIT n + 1) a;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(kiosk_application_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', CASE WHEN array_length(rows, 1) > n THEN (rows[n]).id::text END);
END $$;

-- The caller's application p_id (LY404 for anyone else's).
CREATE FUNCTION kiosk_application(p_id bigint, p_lock boolean) RETURNS application
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
    a application;
BEGIN
    IF p_lock THEN
        SELECT * INTO a FROM application x WHERE x.id = p_id AND x.worker_id = w.id FOR UPDATE;
    ELSE
        SELECT * INTO a FROM application x WHERE x.id = p_id AND x.worker_id = w.id;
    END IF;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    RETURN a;
END $$;

-- GET /v1/kiosk/applications/{id}: one application with its history (who
-- moved it is left out: staff names are not the job seeker's business).
CREATE FUNCTION api_kiosk_application_get(p_id bigint, OUT status integer, OUT version integer,
                                          OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a application := kiosk_application(p_id, false);
BEGIN
    status := 200;
    version := a.version;
    body := kiosk_application_json(a) || jsonb_build_object(
        'events', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                'from', e.from_status, 'to', e.to_status, 'at', e.at) ORDER BY e.id)
                            FROM application_event e WHERE e.application_id = a.id), '[]'));
END $$;

-- POST /v1/kiosk/applications {vacancy_id}: apply (source 'kiosk').  The
-- vacancy must be open, not past its end date and not full, and the caller
-- may have no live application for it: otherwise 409.
CREATE FUNCTION api_kiosk_application_create(p jsonb, p_actor text,
                                             OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
    v vacancy;
    a application;
BEGIN
    SELECT * INTO v FROM vacancy x WHERE x.id = (p ->> 'vacancy_id')::bigint;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'vacancy_id', 'not_found');
    ELSIF v.archived THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'archived');
    ELSIF v.status = 'filled' OR v.filled >= v.headcount THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'full');
    ELSIF v.status <> 'open' OR v.end_date < placement_today() THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'not_open');
    ELSIF w.employment_status = 'not_seeking' THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'not_seeking');
    END IF;
    IF EXISTS (SELECT 1 FROM application x
               WHERE x.worker_id = w.id AND x.vacancy_id = v.id
                 AND x.status NOT IN ('rejected', 'withdrawn')) THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'duplicate');
    END IF;
    BEGIN
        INSERT INTO application (worker_id, vacancy_id, source, created_by)
        VALUES (w.id, v.id, 'kiosk', p_actor)
        RETURNING * INTO a;
    EXCEPTION WHEN unique_violation THEN
        -- a concurrent application for the same vacancy won
        PERFORM api_fail('LY409', 'vacancy_id', 'duplicate');
    END;
    INSERT INTO application_event (application_id, from_status, to_status, actor)
    VALUES (a.id, NULL, 'applied', p_actor);
    status := 201;
    version := a.version;
    body := kiosk_application_json(a);
END $$;

-- POST /v1/kiosk/applications/{id}/withdraw: a live application only (409
-- once it is hired, rejected or withdrawn).
CREATE FUNCTION api_kiosk_application_withdraw(p_id bigint, p_actor text,
                                               OUT status integer, OUT version integer,
                                               OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a application := kiosk_application(p_id, true);
    old_status text := a.status;
BEGIN
    IF NOT application_move_ok(old_status, 'withdrawn') THEN
        PERFORM api_fail('LY409', 'status', 'illegal_transition');
    END IF;
    UPDATE application x SET status = 'withdrawn', version = x.version + 1, updated_at = now()
    WHERE x.id = a.id
    RETURNING * INTO a;
    INSERT INTO application_event (application_id, from_status, to_status, actor)
    VALUES (a.id, old_status, 'withdrawn', p_actor);
    status := 200;
    version := a.version;
    body := kiosk_application_json(a);
END $$;

-- GET /v1/kiosk/applications/{id}/slip: what the printed slip shows: the
-- job, the employer's contact and address, what to bring (the ID card, the
-- certificates the job asks for, this slip) and where to ask.
CREATE FUNCTION api_kiosk_application_slip(p_id bigint, OUT status integer, OUT version integer,
                                           OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a application := kiosk_application(p_id, false);
    w worker := kiosk_worker();
BEGIN
    status := 200;
    version := a.version;
    SELECT jsonb_build_object(
        'application', kiosk_application_json(a),
        'worker', jsonb_build_object('name', w.name, 'id_number_masked', w.id_number_masked),
        'vacancy', jsonb_build_object(
            'id', v.id, 'title', v.title, 'kind', v.kind, 'wage_min', v.wage_min,
            'wage_max', v.wage_max, 'wage_period', v.wage_period, 'start_date', v.start_date,
            'end_date', v.end_date, 'county_name', r.name, 'dest_city', v.dest_city,
            'accommodation', v.accommodation, 'transport', v.transport),
        'employer', jsonb_build_object(
            'name', e.name, 'contact_name', e.contact_name, 'contact_phone', e.contact_phone,
            'address', concat_ws(' ', r.name, nullif(v.dest_city, ''), nullif(e.address, ''))),
        'bring', jsonb_build_array(
                     jsonb_build_object('code', 'id_card', 'name', '身份证',
                                        'name_en', 'Your ID card', 'held', true))
                 || coalesce((SELECT jsonb_agg(jsonb_build_object(
                                  'code', ct.code, 'name', ct.name_zh, 'name_en', ct.name_en,
                                  'held', EXISTS (SELECT 1 FROM worker_certificate c
                                                  WHERE c.worker_id = w.id
                                                    AND c.certificate_type_id = ct.id))
                                  ORDER BY ct.id)
                              FROM vacancy_certificate vc
                              JOIN certificate_type ct ON ct.id = vc.certificate_type_id
                              WHERE vc.vacancy_id = v.id), '[]')
                 || jsonb_build_array(
                     jsonb_build_object('code', 'slip', 'name', '这张回执',
                                        'name_en', 'This slip', 'held', true)),
        'printed_on', placement_today())
    INTO body
    FROM vacancy v
    JOIN employer e ON e.id = v.employer_id
    LEFT JOIN region r ON r.code = v.county_code
    WHERE v.id = a.vacancy_id;
    body := body || jsonb_build_object('service_desk', kiosk_home() -> 'service_desk');
END $$;
