-- 030_import_columns: CSV imports take their rows as one array per column
-- (bound parameters the database reads in one pass, instead of a JSON
-- document parsed row by row), and the worker import writes each table once.
--
-- What an import means for a worker already on record (same ID number):
-- * a cell left empty, or a column the file does not have, keeps what is on
--   record; a new worker gets the default;
-- * a non-empty skills cell is the worker's whole skill list: skills not in
--   it are removed, levels follow it;
-- * a change of consent to share with labour brokers is recorded as a consent
--   event (method "import"), as the API records one; so is a new worker's
--   consent when the file gives it.
-- Nothing that is equal to what is on record is written, so importing the
-- same file again changes nothing, not even a version number.
--
-- The audit log gets a row per worker created or changed (the table
-- triggers), per skill changed on a worker already on record, and one
-- "import" row with the counts.  A new worker's skills and consent are part
-- of its creation and are not logged again row by row.

DROP FUNCTION import_workers(jsonb, boolean, text);
DROP FUNCTION import_households(jsonb, boolean);

CREATE FUNCTION import_households(p_line integer[], p_ref text[], p_site_id bigint[],
                                  p_origin_county_code integer[], p_origin_village text[],
                                  p_members integer[], p_monitoring_status text[],
                                  p_monitoring_found_by text[], p_monitoring_found_on date[],
                                  p_all_or_nothing boolean,
                                  OUT created integer, OUT updated integer, OUT unchanged integer,
                                  OUT errors jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE imh ON COMMIT DROP AS
    SELECT x.*, s.id IS NOT NULL AS site_ok, g.code IS NOT NULL AS county_ok, h.id AS before_id
    FROM unnest(p_line, p_ref, p_site_id, p_origin_county_code, p_origin_village, p_members,
                p_monitoring_status, p_monitoring_found_by, p_monitoring_found_on)
         AS x(line, ref, site_id, origin_county_code, origin_village, members,
              monitoring_status, monitoring_found_by, monitoring_found_on)
    LEFT JOIN site s ON s.id = x.site_id AND NOT s.archived
    LEFT JOIN region g ON g.code = x.origin_county_code AND g.level = 'county'
    LEFT JOIN household h ON h.site_id = x.site_id AND h.ref = x.ref;

    SELECT coalesce(jsonb_agg(e ORDER BY (e ->> 'line')::integer), '[]') INTO errors FROM (
        SELECT jsonb_build_object('line', line, 'field', 'site_id', 'code', 'not_found') e
        FROM imh WHERE NOT site_ok
        UNION ALL
        SELECT jsonb_build_object('line', line, 'field', 'origin_county_code', 'code', 'not_found')
        FROM imh WHERE site_ok AND NOT county_ok
        UNION ALL
        SELECT jsonb_build_object('line', max(line), 'field', 'ref', 'code', 'duplicate_item')
        FROM imh WHERE site_ok AND county_ok GROUP BY site_id, ref HAVING count(*) > 1) q;
    IF jsonb_array_length(errors) > 0 THEN
        IF p_all_or_nothing THEN
            RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'import refused', DETAIL = errors::text;
        END IF;
        DELETE FROM imh WHERE NOT site_ok OR NOT county_ok
            OR (site_id, ref) IN (SELECT site_id, ref FROM imh GROUP BY site_id, ref HAVING count(*) > 1);
    END IF;

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
    PERFORM import_audit('household', created, updated, unchanged);
END $$;

-- Workers: one element per valid row in each p_ array (NULL where the cell
-- is empty or the column absent); skills as (line, skill code or Chinese
-- name, level) triples.  Rows the database finds faulty (unknown household or
-- skill, an ID number twice in the file) are reported by line; with
-- p_all_or_nothing any fault refuses the whole file.
CREATE FUNCTION import_workers(p_line integer[], p_site_id bigint[], p_household_ref text[],
                               p_name text[], p_id_number_hash bytea[], p_id_number_enc bytea[],
                               p_id_number_masked text[], p_birth_date date[], p_sex text[],
                               p_phone text[], p_education text[], p_mandarin_level text[],
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
                p_id_number_masked, p_birth_date, p_sex, p_phone, p_education, p_mandarin_level,
                p_employment_status, p_max_commute_km, p_willing_outside_county,
                p_willing_outside_province, p_needs_accommodation, p_wage_floor, p_consent_brokers)
         AS x(line, site_id, household_ref, name, hash, enc, masked, birth_date, sex, phone,
              education, mandarin_level, employment_status, max_commute_km, willing_outside_county,
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
                        birth_date, sex, phone, education, mandarin_level, employment_status,
                        max_commute_km, willing_outside_county, willing_outside_province,
                        needs_accommodation, wage_floor, consent_brokers)
    OVERRIDING SYSTEM VALUE
    SELECT wid, hid, name, hash, enc, masked, birth_date, sex, phone,
           coalesce(education, 'junior_secondary'), coalesce(mandarin_level, 'basic'),
           coalesce(employment_status, 'seeking'), coalesce(max_commute_km, 20),
           coalesce(willing_outside_county, false), coalesce(willing_outside_province, false),
           coalesce(needs_accommodation, false), coalesce(wage_floor, 0),
           coalesce(consent_brokers, false)
    FROM imp WHERE is_new ORDER BY line;

    WITH up AS (
        UPDATE worker t SET household_id = i.hid, name = i.name,
            phone = coalesce(i.phone, t.phone), education = coalesce(i.education, t.education),
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
          AND (t.household_id, t.name, t.phone, t.education, t.mandarin_level, t.employment_status,
               t.max_commute_km, t.willing_outside_county, t.willing_outside_province,
               t.needs_accommodation, t.wage_floor, t.consent_brokers)
              IS DISTINCT FROM
              (i.hid, i.name, coalesce(i.phone, t.phone), coalesce(i.education, t.education),
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

-- The import itself in the audit log, with its counts.
CREATE FUNCTION import_audit(p_resource text, p_created integer, p_updated integer,
                             p_unchanged integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    a jsonb := nullif(current_setting('leye.actor', true), '')::jsonb;
BEGIN
    IF a IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, peer, request_id,
                           detail)
    VALUES (a ->> 'kind', (a ->> 'id')::bigint, coalesce(a ->> 'name', ''), 'import', p_resource,
            coalesce(a ->> 'peer', ''), coalesce(a ->> 'request_id', ''),
            jsonb_build_object('created', p_created, 'updated', p_updated,
                               'unchanged', p_unchanged));
END $$;

-- Notifications to the matching index as a few set-based statements: a
-- chunk of ids per notification, each payload under PostgreSQL's 8,000 bytes.
CREATE OR REPLACE FUNCTION match_notify_ids(p_prefix text, p_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    SELECT count(pg_notify('leye_match', p_prefix || ':' || ids))
    FROM (SELECT string_agg(id::text, ',' ORDER BY n) AS ids
          FROM (SELECT id, n, sum(length(id::text) + 1) OVER (ORDER BY n) / 7000 AS chunk
                FROM unnest(p_ids) WITH ORDINALITY AS u(id, n)) c
          GROUP BY chunk) g;
$$;

-- The skill taxonomy is reference data: entries are added and renamed, never
-- deleted or renumbered, and the trigger below keeps it so.  That lets a
-- worker's skill rows be checked against it once per statement rather than
-- once per row (an import of 100,000 workers writes a few hundred thousand of
-- them); the error is the one the foreign key gave.
CREATE FUNCTION skill_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'restrict_violation', TABLE = 'skill',
        MESSAGE = 'skills are reference data: they are not deleted or renumbered';
END $$;
CREATE TRIGGER skill_keep BEFORE DELETE OR UPDATE OF id ON skill
    FOR EACH ROW EXECUTE FUNCTION skill_keep();
CREATE TRIGGER skill_keep_truncate BEFORE TRUNCATE ON skill
    FOR EACH STATEMENT EXECUTE FUNCTION skill_keep();

CREATE FUNCTION worker_skill_known() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad integer;
BEGIN
    SELECT n.skill_id INTO bad FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM skill k WHERE k.id = n.skill_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'worker_skill_skill_id_fkey', TABLE = 'worker_skill', COLUMN = 'skill_id',
            MESSAGE = format('skill %s does not exist', bad);
    END IF;
    RETURN NULL;
END $$;
ALTER TABLE worker_skill DROP CONSTRAINT worker_skill_skill_id_fkey;
CREATE TRIGGER worker_skill_known_insert AFTER INSERT ON worker_skill
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION worker_skill_known();
CREATE TRIGGER worker_skill_known_update AFTER UPDATE ON worker_skill
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION worker_skill_known();
