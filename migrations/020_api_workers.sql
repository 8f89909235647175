-- 020_api_workers: workers (labour profiles), /v1/workers.
--
-- The server replaces the ID number by its blind index and ciphertext (both
-- as bytea hex text) and its mask, and adds the birth date and sex it
-- encodes: the plain number never reaches SQL.  A worker's site and county
-- are its household's.  Skills, trainings and certificates sent with a write
-- replace the stored lists; every change of consent is recorded as a
-- worker_consent_event in the same statement.

-- Consent is given in person, on a paper form, by phone or at a kiosk
-- (staff_recorded and import are the ways of older records).
ALTER TABLE worker_consent_event DROP CONSTRAINT worker_consent_event_method_check;
ALTER TABLE worker_consent_event ADD CONSTRAINT worker_consent_event_method_check
    CHECK (method IN ('in_person', 'paper_form', 'phone', 'kiosk', 'staff_recorded', 'import'));
-- The day the worker gave or withdrew consent, as recorded by staff (`at` is
-- when it was recorded).
ALTER TABLE worker_consent_event ADD COLUMN given_on date;

CREATE INDEX worker_certificate_type ON worker_certificate (certificate_type_id, worker_id);
-- Name prefixes: LIKE cannot reach an index under row-level security (it is
-- not leakproof), a range of byte-ordered text can.
CREATE INDEX worker_name_c ON worker ((name COLLATE "C"));

-- A worker's skills with their names.
CREATE FUNCTION worker_skills_json(wid bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'skill_id', s.skill_id, 'code', k.code, 'name', k.name_zh, 'name_en', k.name_en,
               'level', s.level) ORDER BY s.skill_id), '[]')
    FROM worker_skill s JOIN skill k ON k.id = s.skill_id
    WHERE s.worker_id = wid;
$$;

-- The answer for a worker in lists, from the row, its household, site and
-- county name.  The phone is only ever answered masked (the full number and
-- ID number: POST /v1/workers/{id}/reveal).
CREATE FUNCTION worker_json_of(w worker, h household, s site, county_name text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', w.id, 'household_id', w.household_id, 'site_id', h.site_id, 'site_name', s.name,
        'county_code', s.county_code, 'county_name', county_name,
        'name', w.name, 'id_number_masked', w.id_number_masked,
        'birth_date', w.birth_date, 'sex', w.sex,
        'age', extract(year FROM age(placement_today(), w.birth_date))::integer,
        'phone_masked', employer_phone_mask(w.phone),
        'education', w.education, 'mandarin_level', w.mandarin_level,
        'languages', to_jsonb(w.languages), 'employment_status', w.employment_status,
        'max_commute_km', w.max_commute_km, 'willing_outside_county', w.willing_outside_county,
        'willing_outside_province', w.willing_outside_province,
        'needs_accommodation', w.needs_accommodation, 'wage_floor', w.wage_floor,
        'job_kinds_wanted', to_jsonb(w.job_kinds_wanted), 'available_from', w.available_from,
        'disability', w.disability,
        'consent_employers', w.consent_employers, 'consent_brokers', w.consent_brokers,
        'skills', worker_skills_json(w.id),
        'archived', w.archived, 'version', w.version,
        'created_at', w.created_at, 'updated_at', w.updated_at);
$$;

-- One worker with trainings, certificates (valid today or not), the history
-- of consent and the current placement (null when there is none).
CREATE FUNCTION worker_json_full(w worker) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT worker_json_of(w, h, s, (SELECT name FROM region WHERE code = s.county_code))
        || jsonb_build_object(
        'trainings', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'id', t.id, 'name', t.name, 'provider', t.provider,
                                   'start_date', t.start_date, 'end_date', t.end_date,
                                   'completed', t.completed, 'skill_id', t.skill_id,
                                   'skill_name', k.name_zh) ORDER BY t.id)
                               FROM worker_training t LEFT JOIN skill k ON k.id = t.skill_id
                               WHERE t.worker_id = w.id), '[]'),
        'certificates', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                      'id', c.id, 'certificate_type_id', c.certificate_type_id,
                                      'code', ct.code, 'name', ct.name_zh, 'name_en', ct.name_en,
                                      'number', c.number, 'issued_on', c.issued_on,
                                      'expires_on', c.expires_on,
                                      'valid', coalesce(c.issued_on <= placement_today(), true)
                                               AND coalesce(c.expires_on >= placement_today(), true))
                                      ORDER BY c.id)
                                  FROM worker_certificate c
                                  JOIN certificate_type ct ON ct.id = c.certificate_type_id
                                  WHERE c.worker_id = w.id), '[]'),
        'consent_events', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                        'kind', e.kind, 'granted', e.granted, 'method', e.method,
                                        'given_on', e.given_on, 'recorded_by', e.recorded_by,
                                        'at', e.at) ORDER BY e.at, e.id)
                                    FROM worker_consent_event e WHERE e.worker_id = w.id), '[]'),
        'placement', (SELECT jsonb_build_object(
                          'id', p.id, 'vacancy_id', p.vacancy_id, 'vacancy_title', v.title,
                          'employer_id', v.employer_id, 'employer_name', e.name,
                          'start_date', p.start_date, 'wage', p.wage,
                          'wage_period', v.wage_period, 'location_scope', p.location_scope)
                      FROM placement p
                      LEFT JOIN vacancy v ON v.id = p.vacancy_id
                      LEFT JOIN employer e ON e.id = v.employer_id
                      WHERE p.worker_id = w.id AND p.ended_on IS NULL
                      ORDER BY p.start_date DESC, p.id DESC LIMIT 1))
    FROM (SELECT 1) one
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id;
$$;

-- The household a worker belongs to: visible to the caller and not archived.
CREATE FUNCTION worker_check_household(p_household bigint) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    h household;
BEGIN
    SELECT * INTO h FROM household WHERE id = p_household;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'household_id', 'not_found');
    ELSIF h.archived THEN
        PERFORM api_fail('LY422', 'household_id', 'archived');
    END IF;
END $$;

-- The items of a write's lists (NULL when the list is not sent): skills
-- [{skill_id, level}] each skill once; trainings [{name, provider,
-- start_date, end_date, completed, skill_id}] ending on or after they
-- start; certificates [{certificate_type_id, number, issued_on,
-- expires_on}] issued by today and expiring on or after that.
CREATE FUNCTION worker_check_lists(p jsonb) RETURNS void LANGUAGE plpgsql STABLE AS $$
DECLARE
    x jsonb;
    i bigint;
BEGIN
    FOR x, i IN SELECT e.x, e.i - 1 FROM jsonb_array_elements(coalesce(p -> 'skills', '[]'))
                WITH ORDINALITY AS e(x, i) ORDER BY e.i LOOP
        IF NOT EXISTS (SELECT 1 FROM skill WHERE id = (x ->> 'skill_id')::bigint) THEN
            PERFORM api_fail('LY422', 'skills/' || i || '/skill_id', 'not_found');
        ELSIF EXISTS (SELECT 1 FROM jsonb_array_elements(p -> 'skills') WITH ORDINALITY AS d(y, j)
                      WHERE d.j <= i AND d.y -> 'skill_id' = x -> 'skill_id') THEN
            PERFORM api_fail('LY422', 'skills/' || i || '/skill_id', 'duplicate_item');
        END IF;
    END LOOP;
    FOR x, i IN SELECT e.x, e.i - 1 FROM jsonb_array_elements(coalesce(p -> 'trainings', '[]'))
                WITH ORDINALITY AS e(x, i) ORDER BY e.i LOOP
        IF (x ->> 'end_date')::date < (x ->> 'start_date')::date THEN
            PERFORM api_fail('LY422', 'trainings/' || i || '/end_date', 'invalid_range');
        ELSIF x ->> 'skill_id' IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM skill WHERE id = (x ->> 'skill_id')::bigint) THEN
            PERFORM api_fail('LY422', 'trainings/' || i || '/skill_id', 'not_found');
        END IF;
    END LOOP;
    FOR x, i IN SELECT e.x, e.i - 1 FROM jsonb_array_elements(coalesce(p -> 'certificates', '[]'))
                WITH ORDINALITY AS e(x, i) ORDER BY e.i LOOP
        IF NOT EXISTS (SELECT 1 FROM certificate_type
                       WHERE id = (x ->> 'certificate_type_id')::bigint) THEN
            PERFORM api_fail('LY422', 'certificates/' || i || '/certificate_type_id', 'not_found');
        ELSIF (x ->> 'issued_on')::date > placement_today() THEN
            PERFORM api_fail('LY422', 'certificates/' || i || '/issued_on', 'invalid_date');
        ELSIF (x ->> 'expires_on')::date < (x ->> 'issued_on')::date THEN
            PERFORM api_fail('LY422', 'certificates/' || i || '/expires_on', 'invalid_range');
        END IF;
    END LOOP;
END $$;

-- Writes the lists p sends (checked by worker_check_lists), replacing what
-- the worker had.  Skills change in place, so that unchanged ones stay.
CREATE FUNCTION worker_set_lists(wid bigint, p jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p ? 'skills' THEN
        DELETE FROM worker_skill ws
        WHERE ws.worker_id = wid
          AND ws.skill_id NOT IN (SELECT (x ->> 'skill_id')::integer
                                  FROM jsonb_array_elements(p -> 'skills') x);
        INSERT INTO worker_skill AS ws (worker_id, skill_id, level)
        SELECT wid, (x ->> 'skill_id')::integer, (x ->> 'level')::smallint
        FROM jsonb_array_elements(p -> 'skills') x
        ON CONFLICT (worker_id, skill_id) DO UPDATE SET level = EXCLUDED.level
        WHERE ws.level <> EXCLUDED.level;
    END IF;
    IF p ? 'trainings' THEN
        DELETE FROM worker_training WHERE worker_id = wid;
        INSERT INTO worker_training (worker_id, name, provider, start_date, end_date, completed,
                                     skill_id)
        SELECT wid, x ->> 'name', coalesce(x ->> 'provider', ''), (x ->> 'start_date')::date,
               (x ->> 'end_date')::date, coalesce((x ->> 'completed')::boolean, false),
               (x ->> 'skill_id')::integer
        FROM jsonb_array_elements(p -> 'trainings') WITH ORDINALITY AS e(x, i) ORDER BY e.i;
    END IF;
    IF p ? 'certificates' THEN
        DELETE FROM worker_certificate WHERE worker_id = wid;
        INSERT INTO worker_certificate (worker_id, certificate_type_id, number, issued_on,
                                        expires_on)
        SELECT wid, (x ->> 'certificate_type_id')::integer, coalesce(x ->> 'number', ''),
               (x ->> 'issued_on')::date, (x ->> 'expires_on')::date
        FROM jsonb_array_elements(p -> 'certificates') WITH ORDINALITY AS e(x, i) ORDER BY e.i;
    END IF;
END $$;

-- Records each consent that changed from old to w (old is NULL on create, so
-- only grants are recorded then).  A change says how it was given or
-- withdrawn (consent_method) and may say on which day (consent_given_on,
-- default today; never in the future).
CREATE FUNCTION worker_record_consents(w worker, old worker, p jsonb, actor text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    given date := coalesce((p ->> 'consent_given_on')::date, placement_today());
    k text;
    now_granted boolean;
BEGIN
    IF given > placement_today() THEN
        PERFORM api_fail('LY422', 'consent_given_on', 'invalid_date');
    END IF;
    FOREACH k IN ARRAY ARRAY['employers', 'brokers'] LOOP
        now_granted := CASE k WHEN 'employers' THEN w.consent_employers ELSE w.consent_brokers END;
        CONTINUE WHEN now_granted = coalesce(CASE k WHEN 'employers' THEN old.consent_employers
                                                    ELSE old.consent_brokers END, false);
        IF p ->> 'consent_method' IS NULL THEN
            PERFORM api_fail('LY422', 'consent_method', 'required');
        END IF;
        INSERT INTO worker_consent_event (worker_id, kind, granted, method, recorded_by, given_on)
        VALUES (w.id, k, now_granted, p ->> 'consent_method', actor, given);
    END LOOP;
END $$;

CREATE FUNCTION api_worker_create(p jsonb, actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := jsonb_populate_record(NULL::worker, p);
BEGIN
    PERFORM worker_check_household(w.household_id);
    PERFORM worker_check_lists(p);
    BEGIN
        INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked,
                            birth_date, sex, phone, education, mandarin_level, languages,
                            employment_status, max_commute_km, willing_outside_county,
                            willing_outside_province, needs_accommodation, wage_floor,
                            job_kinds_wanted, available_from, disability, consent_employers,
                            consent_brokers)
        VALUES (w.household_id, w.name, w.id_number_hash, w.id_number_enc, w.id_number_masked,
                w.birth_date, w.sex, w.phone, coalesce(w.education, 'junior_secondary'),
                coalesce(w.mandarin_level, 'basic'), coalesce(w.languages, '{}'),
                coalesce(w.employment_status, 'seeking'), coalesce(w.max_commute_km, 20),
                coalesce(w.willing_outside_county, false),
                coalesce(w.willing_outside_province, false),
                coalesce(w.needs_accommodation, false), coalesce(w.wage_floor, 0),
                coalesce(w.job_kinds_wanted, '{}'), w.available_from,
                coalesce(w.disability, 'none'), coalesce(w.consent_employers, false),
                coalesce(w.consent_brokers, false))
        RETURNING * INTO w;
    EXCEPTION WHEN unique_violation THEN
        -- the same person, registered here or outside the caller's scope
        PERFORM api_fail('LY409', 'id_number', 'duplicate');
    END;
    PERFORM worker_set_lists(w.id, p);
    PERFORM worker_record_consents(w, NULL, p, actor);
    status := 201;
    version := w.version;
    body := worker_json_full(w);
END $$;

CREATE FUNCTION api_worker_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    w worker;
BEGIN
    SELECT * INTO w FROM worker WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := w.version;
    body := worker_json_full(w);
END $$;

-- A worker with a current placement stays employed and is not archived: the
-- placement is ended first (POST /v1/placements/{id}/end).
CREATE FUNCTION worker_check_placement(w worker, old worker) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF (w.employment_status <> old.employment_status AND w.employment_status NOT LIKE 'employed%'
        OR w.archived AND NOT old.archived)
       AND EXISTS (SELECT 1 FROM placement x WHERE x.worker_id = w.id AND x.ended_on IS NULL) THEN
        PERFORM api_fail('LY422', CASE WHEN w.archived AND NOT old.archived THEN 'archived'
                                       ELSE 'employment_status' END, 'not_allowed');
    END IF;
END $$;

CREATE FUNCTION api_worker_update(p_id bigint, p_version integer, p jsonb, actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    old worker;
    w worker;
BEGIN
    SELECT * INTO old FROM worker WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND old.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    w := jsonb_populate_record(old, p);
    IF w.household_id <> old.household_id THEN
        PERFORM worker_check_household(w.household_id);
    END IF;
    PERFORM worker_check_placement(w, old);
    PERFORM worker_check_lists(p);
    BEGIN
        UPDATE worker SET
            household_id = w.household_id, name = w.name, id_number_hash = w.id_number_hash,
            id_number_enc = w.id_number_enc, id_number_masked = w.id_number_masked,
            birth_date = w.birth_date, sex = w.sex, phone = w.phone, education = w.education,
            mandarin_level = w.mandarin_level, languages = w.languages,
            employment_status = w.employment_status, max_commute_km = w.max_commute_km,
            willing_outside_county = w.willing_outside_county,
            willing_outside_province = w.willing_outside_province,
            needs_accommodation = w.needs_accommodation, wage_floor = w.wage_floor,
            job_kinds_wanted = w.job_kinds_wanted, available_from = w.available_from,
            disability = w.disability, consent_employers = w.consent_employers,
            consent_brokers = w.consent_brokers, archived = w.archived,
            version = worker.version + 1, updated_at = now()
        WHERE id = p_id
        RETURNING * INTO w;
    EXCEPTION WHEN unique_violation THEN
        PERFORM api_fail('LY409', 'id_number', 'duplicate');
    END;
    PERFORM worker_set_lists(w.id, p);
    PERFORM worker_record_consents(w, old, p, actor);
    status := 200;
    version := w.version;
    body := worker_json_full(w);
END $$;

-- Filters: household_id; site_id, county_code (the site's county),
-- zero_employment and monitoring_status of the household; employment_status;
-- skill_id (min_level: at that level or above; min_level alone: some skill
-- at that level); certificate_type_id (a certificate of that type valid
-- today); consent_employers, consent_brokers; q (name starts with);
-- archived (default false).  An inlined set function, so each sort below
-- can walk its own index.
CREATE FUNCTION worker_filtered(f jsonb) RETURNS SETOF worker LANGUAGE sql STABLE AS $$
    SELECT * FROM worker w
    WHERE (f ->> 'household_id' IS NULL OR w.household_id = (f ->> 'household_id')::bigint)
      AND (f ->> 'site_id' IS NULL
           OR w.household_id IN (SELECT h.id FROM household h
                                 WHERE h.site_id = (f ->> 'site_id')::bigint))
      AND (f ->> 'county_code' IS NULL
           OR w.household_id IN (SELECT h.id FROM household h JOIN site s ON s.id = h.site_id
                                 WHERE s.county_code = (f ->> 'county_code')::integer))
      AND (f ->> 'zero_employment' IS NULL
           OR w.household_id IN (SELECT h.id FROM household h
                                 WHERE h.zero_employment = (f ->> 'zero_employment')::boolean))
      AND (f ->> 'monitoring_status' IS NULL
           OR w.household_id IN (SELECT h.id FROM household h
                                 WHERE h.monitoring_status = f ->> 'monitoring_status'))
      AND (f ->> 'employment_status' IS NULL OR w.employment_status = f ->> 'employment_status')
      AND ((f ->> 'skill_id' IS NULL AND f ->> 'min_level' IS NULL)
           OR EXISTS (SELECT 1 FROM worker_skill ws
                      WHERE ws.worker_id = w.id
                        AND (f ->> 'skill_id' IS NULL OR ws.skill_id = (f ->> 'skill_id')::bigint)
                        AND ws.level >= coalesce((f ->> 'min_level')::smallint, 1)))
      AND (f ->> 'certificate_type_id' IS NULL
           OR EXISTS (SELECT 1 FROM worker_certificate c
                      WHERE c.worker_id = w.id
                        AND c.certificate_type_id = (f ->> 'certificate_type_id')::bigint
                        AND coalesce(c.issued_on <= placement_today(), true)
                        AND coalesce(c.expires_on >= placement_today(), true)))
      AND (f ->> 'consent_employers' IS NULL
           OR w.consent_employers = (f ->> 'consent_employers')::boolean)
      AND (f ->> 'consent_brokers' IS NULL
           OR w.consent_brokers = (f ->> 'consent_brokers')::boolean)
      AND (f ->> 'q' IS NULL
           OR (w.name COLLATE "C" >= f ->> 'q' AND w.name COLLATE "C" < (f ->> 'q') || chr(1114111)
               AND w.name LIKE api_like(f ->> 'q') || '%'))
      AND w.archived = coalesce((f ->> 'archived')::boolean, false);
$$;

-- Sorts: id, name (then id).  Cursor: {"id": …, "name": …} of the last row
-- shown.  A page is small: compiling its plan (JIT) would cost more than it saves.
CREATE FUNCTION api_worker_list(f jsonb, cur jsonb, lim integer, sort text,
                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows worker[];
    last worker;
BEGIN
    IF sort = 'name' THEN
        SELECT array_agg(w ORDER BY w.name, w.id) INTO rows
        FROM (SELECT * FROM worker_filtered(f) w
              WHERE cur IS NULL OR (w.name, w.id) > (cur ->> 'name', (cur ->> 'id')::bigint)
              ORDER BY w.name, w.id
              LIMIT n + 1) w;
    ELSE
        SELECT array_agg(w ORDER BY w.id) INTO rows
        FROM (SELECT * FROM worker_filtered(f) w
              WHERE cur IS NULL OR w.id > (cur ->> 'id')::bigint
              ORDER BY w.id
              LIMIT n + 1) w;
    END IF;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', (SELECT coalesce(jsonb_agg(worker_json_of(w, h, s, c.name)
                                            ORDER BY CASE WHEN sort = 'name' THEN w.name END, w.id),
                                  '[]')
                  FROM unnest(rows[1:n]) w
                  LEFT JOIN household h ON h.id = w.household_id
                  LEFT JOIN site s ON s.id = h.site_id
                  LEFT JOIN region c ON c.code = s.county_code),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', last.id, 'name', last.name));
    END IF;
END $$;

-- GET /v1/workers?id_number=…: the worker with that blind index (computed by
-- the server), archived or not, as a list of at most one.
CREATE FUNCTION api_worker_find(p_hash bytea, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE sql STABLE AS $$
    SELECT 200, NULL::integer,
           jsonb_build_object('items', coalesce(jsonb_agg(worker_json_of(w, h, s, c.name)), '[]'),
                              'next_cursor', NULL)
    FROM worker w
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN region c ON c.code = s.county_code
    WHERE w.id_number_hash = p_hash;
$$;
