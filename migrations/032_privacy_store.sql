-- 032_privacy_store: broker rate limits shared by every server instance;
-- workers' phones stored as blind index, ciphertext and mask.
--
-- Each broker API key has one row: the start of its current one-minute
-- window and the requests taken in it.  The server's key lookup takes a
-- request here in the same statement (server/auth.c), so every instance
-- behind a load balancer counts against the same row and a key with rate N
-- gets at most N requests per window in total.  The table is UNLOGGED: the
-- counts are not worth a WAL record each, and after a crash the windows
-- simply start afresh.

CREATE UNLOGGED TABLE broker_rate_window (
    key_id       bigint PRIMARY KEY,
    window_start timestamptz NOT NULL,
    used         integer NOT NULL
);

-- Takes one request for key p_key: the requests used in the current window
-- (this one included; more than p_limit means refused) and the whole
-- seconds until the window ends.  Windows are whole minutes of the clock.
-- A statement that began in an earlier window than the stored one counts
-- in the stored one, so that windows never go back.  NULL for a NULL key
-- or limit (callers other than brokers).
CREATE FUNCTION broker_rate_take(p_key bigint, p_limit integer,
                                 OUT used integer, OUT reset_s integer)
LANGUAGE plpgsql STRICT AS $$
DECLARE
    w timestamptz := date_trunc('minute', now());
    start timestamptz;
BEGIN
    INSERT INTO broker_rate_window AS b (key_id, window_start, used)
    VALUES (p_key, w, 1)
    ON CONFLICT (key_id) DO UPDATE
        SET used = CASE WHEN EXCLUDED.window_start > b.window_start THEN 1 ELSE b.used + 1 END,
            window_start = greatest(b.window_start, EXCLUDED.window_start)
    RETURNING b.used, b.window_start INTO used, start;
    reset_s := greatest(1, ceil(extract(epoch FROM start + interval '1 minute' - now())))::integer;
END $$;

-- Phone numbers of workers at rest, the way ID numbers are stored: the
-- server writes a keyed blind index (phone_hash, for exact search by phone),
-- the ciphertext (phone_enc, read only by POST /v1/workers/{id}/reveal) and
-- the mask answers carry (phone_masked: 138****5678, 0871-****3456).  The
-- database has no key, so it cannot convert the plain numbers it holds: the
-- server does that at start, before it serves, and `leye-server admin
-- encrypt-phones` does it on demand (server/piiconv.c).  From this migration
-- on nothing writes the plain column `phone`: the constraint below refuses a
-- row that still has one (existing rows are exempt until converted, which
-- clears it); a later migration drops the column.
ALTER TABLE worker ADD COLUMN phone_hash bytea, ADD COLUMN phone_enc bytea,
    ADD COLUMN phone_masked text
        CHECK (phone_masked ~ '^(1[3-9][0-9]\*{4}[0-9]{4}|0[0-9]{2,3}-\*{3,4}[0-9]{4})$'),
    ADD CONSTRAINT worker_phone_parts CHECK ((phone_hash IS NULL) = (phone_enc IS NULL)
                                             AND (phone_hash IS NULL) = (phone_masked IS NULL));
ALTER TABLE worker ADD CONSTRAINT worker_phone_not_plain CHECK (phone IS NULL) NOT VALID;
-- several members of a household may share one phone: not unique
CREATE INDEX worker_phone_hash ON worker (phone_hash) WHERE phone_hash IS NOT NULL;
-- the rows still to convert (none once the server has started)
CREATE INDEX worker_phone_plain ON worker (id) WHERE phone IS NOT NULL;

CREATE OR REPLACE FUNCTION worker_json_of(w worker, h household, s site, county_name text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', w.id, 'household_id', w.household_id, 'site_id', h.site_id, 'site_name', s.name,
        'county_code', s.county_code, 'county_name', county_name,
        'name', w.name, 'id_number_masked', w.id_number_masked, 'sex', w.sex,
        'age', extract(year FROM age(placement_today(), w.birth_date))::integer,
        'phone_masked', w.phone_masked,
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

CREATE OR REPLACE FUNCTION api_worker_create(p jsonb, actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := jsonb_populate_record(NULL::worker, p);
BEGIN
    PERFORM worker_check_household(w.household_id);
    PERFORM worker_check_lists(p);
    BEGIN
        INSERT INTO worker (household_id, name, id_number_hash, id_number_enc, id_number_masked,
                            birth_date, sex, phone_hash, phone_enc, phone_masked, education,
                            mandarin_level, languages,
                            employment_status, max_commute_km, willing_outside_county,
                            willing_outside_province, needs_accommodation, wage_floor,
                            job_kinds_wanted, available_from, disability, consent_employers,
                            consent_brokers)
        VALUES (w.household_id, w.name, w.id_number_hash, w.id_number_enc, w.id_number_masked,
                w.birth_date, w.sex, w.phone_hash, w.phone_enc, w.phone_masked,
                coalesce(w.education, 'junior_secondary'),
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

CREATE OR REPLACE FUNCTION api_worker_update(p_id bigint, p_version integer, p jsonb, actor text,
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
            birth_date = w.birth_date, sex = w.sex, phone_hash = w.phone_hash,
            phone_enc = w.phone_enc, phone_masked = w.phone_masked, education = w.education,
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

CREATE OR REPLACE FUNCTION api_kiosk_me(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
BEGIN
    status := 200;
    version := w.version;
    body := jsonb_build_object(
        'id', w.id, 'name', w.name, 'id_number_masked', w.id_number_masked,
        'phone_masked', w.phone_masked, 'sex', w.sex,
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

-- GET /v1/workers?phone=…: the workers with that phone's blind index
-- (computed by the server from the normalised number), archived or not,
-- that the caller may see; at most 100, by id.
CREATE FUNCTION api_worker_find_phone(p_hash bytea,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE sql STABLE AS $$
    SELECT 200, NULL::integer,
           jsonb_build_object('items', coalesce(jsonb_agg(worker_json_of(w, h, s, c.name)
                                                          ORDER BY w.id), '[]'),
                              'next_cursor', NULL)
    FROM (SELECT * FROM worker WHERE phone_hash = p_hash ORDER BY id LIMIT 100) w
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN region c ON c.code = s.county_code;
$$;

-- The CSV import writes a phone as its blind index, ciphertext and mask; a
-- row's phone counts as changed when its blind index differs.
DROP FUNCTION import_workers(integer[], bigint[], text[], text[], bytea[], bytea[], text[], date[],
                             text[], text[], text[], text[], text[], integer[], boolean[],
                             boolean[], boolean[], integer[], boolean[], integer[], text[],
                             smallint[], boolean, text);
-- Workers: one element per valid row in each p_ array (NULL where the cell
-- is empty or the column absent); skills as (line, skill code or Chinese
-- name, level) triples.  Rows the database finds faulty (unknown household or
-- skill, an ID number twice in the file) are reported by line; with
-- p_all_or_nothing any fault refuses the whole file.
CREATE FUNCTION import_workers(p_line integer[], p_site_id bigint[], p_household_ref text[],
                               p_name text[], p_id_number_hash bytea[], p_id_number_enc bytea[],
                               p_id_number_masked text[], p_birth_date date[], p_sex text[],
                               p_phone_hash bytea[], p_phone_enc bytea[], p_phone_masked text[],
                               p_education text[], p_mandarin_level text[],
                               p_employment_status text[], p_max_commute_km integer[],
                               p_willing_outside_county boolean[],
                               p_willing_outside_province boolean[],
                               p_needs_accommodation boolean[], p_wage_floor integer[],
                               p_consent_brokers boolean[], p_skill_line integer[],
                               p_skill text[], p_skill_level smallint[],
                               p_all_or_nothing boolean, p_actor text,
                               OUT created integer, OUT updated integer, OUT unchanged integer,
                               OUT errors jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    seq regclass := pg_get_serial_sequence('worker', 'id')::regclass;
    changed bigint[];
    skills_changed bigint[];
BEGIN
    -- new workers take their ids now, so that skills and consent follow by id
    CREATE TEMP TABLE imp ON COMMIT DROP AS
    SELECT x.*, h.id AS hid, w.id IS NULL AS is_new, coalesce(w.id, nextval(seq)) AS wid,
           w.consent_brokers AS consent_before
    FROM unnest(p_line, p_site_id, p_household_ref, p_name, p_id_number_hash, p_id_number_enc,
                p_id_number_masked, p_birth_date, p_sex, p_phone_hash, p_phone_enc, p_phone_masked,
                p_education, p_mandarin_level,
                p_employment_status, p_max_commute_km, p_willing_outside_county,
                p_willing_outside_province, p_needs_accommodation, p_wage_floor, p_consent_brokers)
         AS x(line, site_id, household_ref, name, hash, enc, masked, birth_date, sex, phone_hash,
              phone_enc, phone_masked, education, mandarin_level, employment_status, max_commute_km, willing_outside_county,
              willing_outside_province, needs_accommodation, wage_floor, consent_brokers)
    LEFT JOIN household h ON h.site_id = x.site_id AND h.ref = x.household_ref AND NOT h.archived
    LEFT JOIN worker w ON w.id_number_hash = x.hash;

    -- a file names a few dozen distinct skills: look each up once
    CREATE TEMP TABLE imp_skill ON COMMIT DROP AS
    WITH s AS (SELECT * FROM unnest(p_skill_line, p_skill, p_skill_level) AS s(line, name, level)),
         m AS MATERIALIZED (SELECT n.name, (SELECT k.id FROM skill k WHERE k.code = n.name OR k.name_zh = n.name
                               ORDER BY k.code = n.name DESC, k.id LIMIT 1) AS skill_id
               FROM (SELECT DISTINCT name FROM s) n)
    SELECT s.line, s.name, s.level, m.skill_id FROM s JOIN m USING (name);

    SELECT coalesce(jsonb_agg(e ORDER BY (e ->> 'line')::integer), '[]') INTO errors FROM (
        SELECT jsonb_build_object('line', line, 'field', 'household_ref', 'code', 'not_found') e
        FROM imp WHERE hid IS NULL
        UNION ALL
        SELECT jsonb_build_object('line', line, 'field', 'skills', 'code', 'not_found', 'value', name)
        FROM imp_skill WHERE skill_id IS NULL
        UNION ALL
        SELECT jsonb_build_object('line', line, 'field', 'id_number', 'code', 'duplicate_item')
        FROM imp WHERE hash IN (SELECT hash FROM imp GROUP BY hash HAVING count(*) > 1)) q;
    IF jsonb_array_length(errors) > 0 THEN
        IF p_all_or_nothing THEN
            RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'import refused', DETAIL = errors::text;
        END IF;
        DELETE FROM imp WHERE hid IS NULL
            OR line IN (SELECT line FROM imp_skill WHERE skill_id IS NULL)
            OR hash IN (SELECT hash FROM imp GROUP BY hash HAVING count(*) > 1);
    END IF;

    INSERT INTO worker (id, household_id, name, id_number_hash, id_number_enc, id_number_masked,
                        birth_date, sex, phone_hash, phone_enc, phone_masked, education,
                        mandarin_level, employment_status,
                        max_commute_km, willing_outside_county, willing_outside_province,
                        needs_accommodation, wage_floor, consent_brokers)
    OVERRIDING SYSTEM VALUE
    SELECT wid, hid, name, hash, enc, masked, birth_date, sex, phone_hash, phone_enc, phone_masked,
           coalesce(education, 'junior_secondary'), coalesce(mandarin_level, 'basic'),
           coalesce(employment_status, 'seeking'), coalesce(max_commute_km, 20),
           coalesce(willing_outside_county, false), coalesce(willing_outside_province, false),
           coalesce(needs_accommodation, false), coalesce(wage_floor, 0),
           coalesce(consent_brokers, false)
    FROM imp WHERE is_new ORDER BY line;

    WITH up AS (
        UPDATE worker t SET household_id = i.hid, name = i.name,
            phone_hash = coalesce(i.phone_hash, t.phone_hash),
            phone_enc = CASE WHEN i.phone_hash IS NULL OR i.phone_hash = t.phone_hash THEN t.phone_enc
                             ELSE i.phone_enc END,
            phone_masked = coalesce(i.phone_masked, t.phone_masked),
            education = coalesce(i.education, t.education),
            mandarin_level = coalesce(i.mandarin_level, t.mandarin_level),
            employment_status = coalesce(i.employment_status, t.employment_status),
            max_commute_km = coalesce(i.max_commute_km, t.max_commute_km),
            willing_outside_county = coalesce(i.willing_outside_county, t.willing_outside_county),
            willing_outside_province = coalesce(i.willing_outside_province, t.willing_outside_province),
            needs_accommodation = coalesce(i.needs_accommodation, t.needs_accommodation),
            wage_floor = coalesce(i.wage_floor, t.wage_floor),
            consent_brokers = coalesce(i.consent_brokers, t.consent_brokers),
            version = t.version + 1, updated_at = now()
        FROM imp i
        WHERE NOT i.is_new AND t.id = i.wid
          AND (t.household_id, t.name, t.phone_hash, t.education, t.mandarin_level, t.employment_status,
               t.max_commute_km, t.willing_outside_county, t.willing_outside_province,
               t.needs_accommodation, t.wage_floor, t.consent_brokers)
              IS DISTINCT FROM
              (i.hid, i.name, coalesce(i.phone_hash, t.phone_hash),
               coalesce(i.education, t.education),
               coalesce(i.mandarin_level, t.mandarin_level),
               coalesce(i.employment_status, t.employment_status),
               coalesce(i.max_commute_km, t.max_commute_km),
               coalesce(i.willing_outside_county, t.willing_outside_county),
               coalesce(i.willing_outside_province, t.willing_outside_province),
               coalesce(i.needs_accommodation, t.needs_accommodation),
               coalesce(i.wage_floor, t.wage_floor), coalesce(i.consent_brokers, t.consent_brokers))
        RETURNING t.id)
    SELECT coalesce(array_agg(id), '{}') INTO changed FROM up;

    -- skills: what the file says, for the workers it gives skills for
    CREATE TEMP TABLE imp_want ON COMMIT DROP AS
    SELECT i.wid AS worker_id, s.skill_id, max(s.level) AS level, bool_and(i.is_new) AS is_new
    FROM imp_skill s JOIN imp i USING (line) GROUP BY i.wid, s.skill_id;
    PERFORM set_config('leye.audit_derived', 'on', true);
    INSERT INTO worker_skill (worker_id, skill_id, level)
    SELECT worker_id, skill_id, level FROM imp_want WHERE is_new ORDER BY worker_id, skill_id;
    INSERT INTO worker_consent_event (worker_id, kind, granted, method, recorded_by, given_on)
    SELECT wid, 'brokers', true, 'import', p_actor, placement_today() FROM imp
    WHERE is_new AND consent_brokers;
    PERFORM set_config('leye.audit_derived', '', true);
    skills_changed := '{}';
    IF EXISTS (SELECT 1 FROM imp_want WHERE NOT is_new) THEN
        CREATE INDEX ON imp_want (worker_id, skill_id);
        ANALYZE imp_want;
        WITH gone AS (
            DELETE FROM worker_skill ws
            WHERE ws.worker_id IN (SELECT worker_id FROM imp_want WHERE NOT is_new)
              AND NOT EXISTS (SELECT 1 FROM imp_want x WHERE x.worker_id = ws.worker_id
                              AND x.skill_id = ws.skill_id)
            RETURNING ws.worker_id),
        relevel AS (
            UPDATE worker_skill ws SET level = x.level FROM imp_want x
            WHERE NOT x.is_new AND ws.worker_id = x.worker_id AND ws.skill_id = x.skill_id
              AND ws.level <> x.level
            RETURNING ws.worker_id),
        added AS (
            INSERT INTO worker_skill (worker_id, skill_id, level)
            SELECT worker_id, skill_id, level FROM imp_want x
            WHERE NOT is_new AND NOT EXISTS (SELECT 1 FROM worker_skill ws
                                             WHERE ws.worker_id = x.worker_id
                                               AND ws.skill_id = x.skill_id)
            RETURNING worker_id)
        SELECT coalesce(array_agg(DISTINCT worker_id), '{}') INTO skills_changed
        FROM (SELECT worker_id FROM gone UNION ALL SELECT worker_id FROM relevel
              UNION ALL SELECT worker_id FROM added) c;
    END IF;

    INSERT INTO worker_consent_event (worker_id, kind, granted, method, recorded_by, given_on)
    SELECT wid, 'brokers', consent_brokers, 'import', p_actor, placement_today() FROM imp
    WHERE NOT is_new AND consent_brokers <> consent_before;

    created := (SELECT count(*) FROM imp WHERE is_new);
    updated := (SELECT count(*) FROM (SELECT unnest(changed) UNION SELECT unnest(skills_changed)) c);
    unchanged := (SELECT count(*) FROM imp) - created - updated;
    PERFORM import_audit('worker', created, updated, unchanged);
END $$;
