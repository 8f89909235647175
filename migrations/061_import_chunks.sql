-- 061_import_chunks: a worker import is written in chunks of rows, one
-- statement each, in one transaction, instead of one statement with every
-- row of the file as its parameters.  The server sends the next chunk as the
-- database finishes the last (server/handlers/h_import.c); a file of
-- 100,000 rows came as one message of about 45 MB, which libpq sends in
-- pieces, moving what is left of its buffer after each (about 0.5 s of CPU
-- on the event loop, make bench-import, perf on the server), and no part of
-- which the database could start on before the whole had arrived.
--
-- The rules are those of 032: a row whose household or skill is unknown or
-- whose ID number is in the file twice is refused with its line; with
-- all_or_nothing, any fault refuses the whole file (the server then rolls
-- the transaction back); counts and the import's audit record are summed
-- over the chunks by the server.

-- The lines of the file whose ID number (blind index) is on another line
-- too, for the chunks that follow in this transaction: the whole file's,
-- since a chunk alone cannot see them.
CREATE FUNCTION import_workers_begin(p_line integer[], p_id_number_hash bytea[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE IF EXISTS imp_dup;
    CREATE TEMP TABLE imp_dup ON COMMIT DROP AS
    SELECT x.line FROM unnest(p_line, p_id_number_hash) AS x(line, hash)
    WHERE x.hash IN (SELECT h FROM unnest(p_id_number_hash) h GROUP BY h HAVING count(*) > 1);
END $$;

-- One chunk of a worker import begun with import_workers_begin: the rows
-- as 032's import_workers takes them (the skills those of these rows).
-- Answers the chunk's counts and faults.  Writes nothing when p_write is
-- false (the file is already refused: the faults are still wanted), nor
-- when p_all_or_nothing and the chunk has a fault.  The import's own audit
-- record (import_audit) is the caller's, with the counts of every chunk.
CREATE FUNCTION import_workers_chunk(p_line integer[], p_site_id bigint[], p_household_ref text[],
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
                               p_all_or_nothing boolean, p_write boolean, p_actor text,
                               OUT created integer, OUT updated integer, OUT unchanged integer,
                               OUT errors jsonb)
LANGUAGE plpgsql SET work_mem = '128MB' AS $$
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
        FROM imp WHERE line IN (SELECT line FROM imp_dup)) q;
    created := 0;
    updated := 0;
    unchanged := 0;
    IF NOT p_write OR (p_all_or_nothing AND jsonb_array_length(errors) > 0) THEN
        DROP TABLE imp, imp_skill;
        RETURN;
    END IF;
    IF jsonb_array_length(errors) > 0 THEN
        DELETE FROM imp WHERE hid IS NULL
            OR line IN (SELECT line FROM imp_skill WHERE skill_id IS NULL)
            OR line IN (SELECT line FROM imp_dup);
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
    DROP TABLE imp, imp_skill, imp_want;
END $$;

-- The whole import in one call, as before: the same rules, through the
-- functions above.
CREATE OR REPLACE FUNCTION import_workers(p_line integer[], p_site_id bigint[], p_household_ref text[],
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
BEGIN
    PERFORM import_workers_begin(p_line, p_id_number_hash);
    SELECT c.created, c.updated, c.unchanged, c.errors INTO created, updated, unchanged, errors
    FROM import_workers_chunk(p_line, p_site_id, p_household_ref, p_name, p_id_number_hash,
                              p_id_number_enc, p_id_number_masked, p_birth_date, p_sex,
                              p_phone_hash, p_phone_enc, p_phone_masked, p_education,
                              p_mandarin_level, p_employment_status, p_max_commute_km,
                              p_willing_outside_county, p_willing_outside_province,
                              p_needs_accommodation, p_wage_floor, p_consent_brokers, p_skill_line,
                              p_skill, p_skill_level, p_all_or_nothing, true, p_actor) c;
    IF p_all_or_nothing AND jsonb_array_length(errors) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'import refused', DETAIL = errors::text;
    END IF;
    PERFORM import_audit('worker', created, updated, unchanged);
END $$;
