-- 016_import: CSV import of households and workers as staff keep them in
-- spreadsheets.  Households are matched by the staff's own household number
-- within a site (ref); workers by ID number (its blind index), so importing
-- the same file again changes nothing.

ALTER TABLE household ADD COLUMN ref text CHECK (length(ref) BETWEEN 1 AND 40);
CREATE UNIQUE INDEX household_site_ref ON household (site_id, ref) WHERE ref IS NOT NULL;

-- Rows: [{line, ref, site_id, origin_county_code, origin_village, members,
-- monitoring_status, monitoring_found_by, monitoring_found_on}], already
-- checked field by field by the server.  Faults the database finds (unknown
-- site or county) are returned per line; with p_all_or_nothing any fault
-- aborts the whole import.
CREATE FUNCTION import_households(p_rows jsonb, p_all_or_nothing boolean,
                                  OUT created integer, OUT updated integer, OUT unchanged integer,
                                  OUT errors jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    h household;
    before household;
BEGIN
    created := 0; updated := 0; unchanged := 0; errors := '[]';
    FOR r IN SELECT * FROM jsonb_to_recordset(p_rows) AS x(line integer, ref text, site_id bigint,
                 origin_county_code integer, origin_village text, members integer,
                 monitoring_status text, monitoring_found_by text, monitoring_found_on date) LOOP
        IF NOT EXISTS (SELECT 1 FROM site WHERE id = r.site_id AND NOT archived) THEN
            errors := errors || jsonb_build_object('line', r.line, 'field', 'site_id', 'code', 'not_found');
            CONTINUE;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM region WHERE code = r.origin_county_code AND level = 'county') THEN
            errors := errors || jsonb_build_object('line', r.line, 'field', 'origin_county_code', 'code', 'not_found');
            CONTINUE;
        END IF;
        SELECT * INTO before FROM household WHERE site_id = r.site_id AND ref = r.ref;
        INSERT INTO household AS t (ref, site_id, origin_county_code, origin_village, members,
                                    monitoring_status, monitoring_found_by, monitoring_found_on)
        VALUES (r.ref, r.site_id, r.origin_county_code, coalesce(r.origin_village, ''), r.members,
                coalesce(r.monitoring_status, 'none'), r.monitoring_found_by, r.monitoring_found_on)
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
        RETURNING * INTO h;
        IF before.id IS NULL THEN created := created + 1;
        ELSIF h.id IS NULL THEN unchanged := unchanged + 1;
        ELSE updated := updated + 1; END IF;
    END LOOP;
    IF p_all_or_nothing AND jsonb_array_length(errors) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'import refused', DETAIL = errors::text;
    END IF;
END $$;

-- Rows: [{line, site_id, household_ref, name, id_number_hash, id_number_enc,
-- id_number_masked, birth_date, sex, phone, education, mandarin_level,
-- employment_status, max_commute_km, willing_outside_county,
-- willing_outside_province, needs_accommodation, wage_floor, consent_brokers,
-- skills: [{skill, level}]}]; skills are named by code or Chinese name.
-- Set-based: a 100,000-row file is a handful of statements.
CREATE FUNCTION import_workers(p_rows jsonb, p_all_or_nothing boolean, p_actor text,
                               OUT created integer, OUT updated integer, OUT unchanged integer,
                               OUT errors jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE imp ON COMMIT DROP AS
    SELECT x.*, decode(substr(x.id_number_hash, 3), 'hex') AS hash,
           (SELECT h.id FROM household h WHERE h.site_id = x.site_id AND h.ref = x.household_ref
              AND NOT h.archived) AS hid
    FROM jsonb_to_recordset(p_rows) AS x(line integer, site_id bigint, household_ref text, name text,
             id_number_hash text, id_number_enc text, id_number_masked text, birth_date date,
             sex text, phone text, education text, mandarin_level text, employment_status text,
             max_commute_km integer, willing_outside_county boolean,
             willing_outside_province boolean, needs_accommodation boolean, wage_floor integer,
             consent_brokers boolean, skills jsonb);
    CREATE INDEX ON imp (hash);
    CREATE INDEX ON imp (line);
    ANALYZE imp;
    CREATE TEMP TABLE imp_skill ON COMMIT DROP AS
    SELECT i.line, i.hash, s ->> 'skill' AS name, (s ->> 'level')::smallint AS level,
           (SELECT k.id FROM skill k WHERE k.code = s ->> 'skill' OR k.name_zh = s ->> 'skill'
            LIMIT 1) AS skill_id
    FROM imp i, jsonb_array_elements(coalesce(i.skills, '[]')) s;

    SELECT coalesce(jsonb_agg(e ORDER BY (e ->> 'line')::integer), '[]') INTO errors FROM (
        SELECT jsonb_build_object('line', line, 'field', 'household_ref', 'code', 'not_found') e
        FROM imp WHERE hid IS NULL
        UNION ALL
        SELECT jsonb_build_object('line', line, 'field', 'skills', 'code', 'not_found', 'value', name)
        FROM imp_skill WHERE skill_id IS NULL
        UNION ALL
        SELECT jsonb_build_object('line', max(line), 'field', 'id_number', 'code', 'duplicate_item')
        FROM imp GROUP BY hash HAVING count(*) > 1) q;
    IF p_all_or_nothing AND jsonb_array_length(errors) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'import refused', DETAIL = errors::text;
    END IF;
    DELETE FROM imp WHERE hid IS NULL
        OR line IN (SELECT line FROM imp_skill WHERE skill_id IS NULL)
        OR hash IN (SELECT hash FROM imp GROUP BY hash HAVING count(*) > 1);

    CREATE TEMP TABLE imp_before ON COMMIT DROP AS
    SELECT w.id, w.id_number_hash AS hash FROM worker w JOIN imp i ON i.hash = w.id_number_hash;
    CREATE INDEX ON imp_before (hash);
    ANALYZE imp_before;

    CREATE TEMP TABLE imp_changed ON COMMIT DROP AS
    WITH up AS (
        INSERT INTO worker AS t (household_id, name, id_number_hash, id_number_enc, id_number_masked,
                                 birth_date, sex, phone, education, mandarin_level,
                                 employment_status, max_commute_km, willing_outside_county,
                                 willing_outside_province, needs_accommodation, wage_floor,
                                 consent_brokers)
        SELECT hid, name, hash, decode(substr(id_number_enc, 3), 'hex'), id_number_masked,
               birth_date, sex, phone, coalesce(education, 'junior_secondary'),
               coalesce(mandarin_level, 'basic'), coalesce(employment_status, 'seeking'),
               coalesce(max_commute_km, 20), coalesce(willing_outside_county, false),
               coalesce(willing_outside_province, false), coalesce(needs_accommodation, false),
               coalesce(wage_floor, 0), coalesce(consent_brokers, false)
        FROM imp
        ON CONFLICT (id_number_hash) DO UPDATE SET
            household_id = EXCLUDED.household_id, name = EXCLUDED.name, phone = EXCLUDED.phone,
            education = EXCLUDED.education, mandarin_level = EXCLUDED.mandarin_level,
            employment_status = EXCLUDED.employment_status,
            max_commute_km = EXCLUDED.max_commute_km,
            willing_outside_county = EXCLUDED.willing_outside_county,
            willing_outside_province = EXCLUDED.willing_outside_province,
            needs_accommodation = EXCLUDED.needs_accommodation, wage_floor = EXCLUDED.wage_floor,
            consent_brokers = EXCLUDED.consent_brokers,
            version = t.version + 1, updated_at = now()
        WHERE (t.household_id, t.name, t.phone, t.education, t.mandarin_level,
               t.employment_status, t.max_commute_km, t.willing_outside_county,
               t.willing_outside_province, t.needs_accommodation, t.wage_floor, t.consent_brokers)
              IS DISTINCT FROM
              (EXCLUDED.household_id, EXCLUDED.name, EXCLUDED.phone, EXCLUDED.education,
               EXCLUDED.mandarin_level, EXCLUDED.employment_status, EXCLUDED.max_commute_km,
               EXCLUDED.willing_outside_county, EXCLUDED.willing_outside_province,
               EXCLUDED.needs_accommodation, EXCLUDED.wage_floor, EXCLUDED.consent_brokers)
        RETURNING t.id, t.id_number_hash AS hash)
    SELECT * FROM up;
    CREATE INDEX ON imp_changed (hash);
    ANALYZE imp_changed;

    -- skills: what the file says, for every imported worker
    CREATE TEMP TABLE imp_want ON COMMIT DROP AS
    SELECT w.id AS worker_id, s.skill_id, max(s.level) AS level
    FROM imp_skill s JOIN worker w ON w.id_number_hash = s.hash
    WHERE s.skill_id IS NOT NULL GROUP BY w.id, s.skill_id;
    CREATE TEMP TABLE imp_skill_changed ON COMMIT DROP AS
    WITH gone AS (
        DELETE FROM worker_skill ws
        USING imp i JOIN worker w ON w.id_number_hash = i.hash
        WHERE ws.worker_id = w.id
          AND NOT EXISTS (SELECT 1 FROM imp_want x WHERE x.worker_id = ws.worker_id
                          AND x.skill_id = ws.skill_id AND x.level = ws.level)
        RETURNING ws.worker_id)
    SELECT worker_id FROM gone;
    CREATE INDEX ON imp_want (worker_id, skill_id);
    ANALYZE imp_want;
    WITH ins AS (
        INSERT INTO worker_skill (worker_id, skill_id, level)
        SELECT worker_id, skill_id, level FROM imp_want x
        WHERE NOT EXISTS (SELECT 1 FROM worker_skill ws WHERE ws.worker_id = x.worker_id
                          AND ws.skill_id = x.skill_id)
        RETURNING worker_id)
    INSERT INTO imp_skill_changed SELECT worker_id FROM ins;

    CREATE INDEX ON imp_skill_changed (worker_id);
    ANALYZE imp_skill_changed;
    INSERT INTO worker_consent_event (worker_id, kind, granted, method, recorded_by)
    SELECT c.id, 'brokers', coalesce(i.consent_brokers, false), 'import', p_actor
    FROM imp_changed c JOIN imp i ON i.hash = c.hash
    WHERE NOT EXISTS (SELECT 1 FROM imp_before b WHERE b.hash = c.hash);

    SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM imp_before b WHERE b.hash = i.hash)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM imp_before b WHERE b.hash = i.hash)
                              AND (EXISTS (SELECT 1 FROM imp_changed c WHERE c.hash = i.hash)
                                   OR EXISTS (SELECT 1 FROM imp_skill_changed s JOIN worker w ON w.id = s.worker_id
                                              WHERE w.id_number_hash = i.hash)))
    INTO created, updated FROM imp i;
    unchanged := (SELECT count(*) FROM imp) - created - updated;
END $$;
