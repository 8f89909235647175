-- 064_worker_read_members: a worker's answer comes as its members, one column
-- each, and the server writes the object.
--
-- Under 062 the database built each answer with row_to_json of a 34-member
-- row.  row_to_json looks every column's type up again for every row (the
-- type cache, getBaseType), finds each attribute by walking the row from
-- its start (nocachegetattr) and escapes every value: about a fifth of a
-- 30-worker call (perf of the batch read).  The columns themselves go out
-- as the protocol's text, which for integers, booleans, text and json is
-- already what the object needs; the server writes the object from them
-- (lib/jsonrow.c), escaping strings as PostgreSQL's json output does.
-- Dates and times come as json, whose text does not depend on DateStyle.
-- A 30-worker call takes about a sixth less of the database's time.
--
-- api_worker_members_many(ids) answers row_id, row_status and row_version,
-- then the answer's members in the order jsonb gives them, as 062's text
-- has them.  It has 062's form: PL/pgSQL and SECURITY DEFINER where the
-- owner reads the child tables through its policy owner_read (057), else an
-- SQL function run with the caller's rights.
--
-- api_worker_read_many, which instances of the previous release call during
-- a rolling upgrade, is now the same members as one json object, so the two
-- releases give the same answer from one statement; api_worker_read and the
-- jsonb reads kept since 062 call it as before.  The answers are 055's
-- (tests/integration/83_worker_read_scope.t).

DO $migration$
DECLARE
    q text := $q$
    SELECT w.id, 200, w.version, r.*
    FROM worker w
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN region c ON c.code = s.county_code
    LEFT JOIN (
        SELECT ws.worker_id, json_agg(json_build_object(
                   'code', k.code, 'name', k.name_zh, 'level', ws.level,
                   'proven', coalesce(ws.level <= ws.proven_level, false),
                   'name_en', k.name_en, 'skill_id', ws.skill_id,
                   'proven_course_id', CASE WHEN ws.level <= ws.proven_level
                                            THEN ws.proven_course_id END)
                   ORDER BY ws.skill_id) AS j
        FROM worker_skill ws JOIN skill k ON k.id = ws.skill_id
        WHERE ws.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY ws.worker_id) sk ON sk.worker_id = w.id
    LEFT JOIN (
        SELECT t.worker_id, json_agg(json_build_object(
                   'id', t.id, 'name', t.name, 'end_date', t.end_date,
                   'provider', t.provider, 'skill_id', t.skill_id,
                   'completed', t.completed, 'skill_name', k.name_zh,
                   'start_date', t.start_date) ORDER BY t.id) AS j
        FROM worker_training t LEFT JOIN skill k ON k.id = t.skill_id
        WHERE t.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY t.worker_id) tr ON tr.worker_id = w.id
    LEFT JOIN (
        SELECT ct.worker_id, json_agg(json_build_object(
                   'id', ct.id, 'code', y.code, 'name', y.name_zh,
                   'valid', coalesce(ct.issued_on <= placement_today(), true)
                            AND coalesce(ct.expires_on >= placement_today(), true),
                   'number', ct.number, 'name_en', y.name_en,
                   'issued_on', ct.issued_on, 'expires_on', ct.expires_on,
                   'certificate_type_id', ct.certificate_type_id)
                   ORDER BY ct.id) AS j
        FROM worker_certificate ct JOIN certificate_type y ON y.id = ct.certificate_type_id
        WHERE ct.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY ct.worker_id) ce ON ce.worker_id = w.id
    LEFT JOIN (
        SELECT e.worker_id, json_agg(json_build_object(
                   'at', e.at, 'kind', e.kind, 'method', e.method,
                   'granted', e.granted, 'given_on', e.given_on,
                   'recorded_by', e.recorded_by) ORDER BY e.at, e.id) AS j
        FROM worker_consent_event e
        WHERE e.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY e.worker_id) ev ON ev.worker_id = w.id
    LEFT JOIN (
        SELECT DISTINCT ON (p.worker_id) p.worker_id, json_build_object(
                   'id', p.id, 'wage', p.wage, 'start_date', p.start_date,
                   'vacancy_id', p.vacancy_id, 'employer_id', v.employer_id,
                   'wage_period', v.wage_period, 'employer_name', m.name,
                   'vacancy_title', v.title, 'location_scope', p.location_scope) AS j
        FROM placement p
        LEFT JOIN vacancy v ON v.id = p.vacancy_id
        LEFT JOIN employer m ON m.id = v.employer_id
        WHERE p.worker_id = ANY ((SELECT p_ids)::bigint[]) AND p.ended_on IS NULL
        ORDER BY p.worker_id, p.start_date DESC, p.id DESC) pl ON pl.worker_id = w.id
    -- the answer's members, named and ordered as jsonb orders them; dates and
    -- times as JSON (their text depends on the session's DateStyle)
    CROSS JOIN LATERAL (SELECT
        w.id AS id, date_part('year', age(placement_today(), w.birth_date))::integer AS age,
        w.sex AS sex, w.name AS name, coalesce(sk.j, '[]') AS skills, h.site_id AS site_id,
        w.version AS version, w.archived AS archived, w.education AS education,
        to_json(w.languages) AS languages, pl.j AS placement, s.name AS site_name,
        coalesce(tr.j, '[]') AS trainings, to_json(w.created_at) AS created_at,
        w.disability AS disability, to_json(w.updated_at) AS updated_at, w.wage_floor AS wage_floor,
        s.county_code AS county_code, c.name AS county_name,
        coalesce(ce.j, '[]') AS certificates, w.household_id AS household_id,
        w.phone_masked AS phone_masked, to_json(w.available_from) AS available_from,
        coalesce(ev.j, '[]') AS consent_events, w.mandarin_level AS mandarin_level,
        w.max_commute_km AS max_commute_km, w.consent_brokers AS consent_brokers,
        w.id_number_masked AS id_number_masked,
        to_json(w.job_kinds_wanted) AS job_kinds_wanted,
        w.consent_employers AS consent_employers, w.employment_status AS employment_status,
        w.needs_accommodation AS needs_accommodation,
        w.willing_outside_county AS willing_outside_county,
        w.willing_outside_province AS willing_outside_province) r
    WHERE w.id = ANY ((SELECT p_ids)::bigint[]);
$q$;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_policies
               WHERE tablename = 'worker_skill' AND policyname = 'owner_read') THEN
        EXECUTE format($f$
CREATE FUNCTION api_worker_members_many(p_ids bigint[])
    RETURNS TABLE (%s)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY %s
END $fn$$f$, $c$row_id bigint, row_status integer, row_version integer,
        id bigint, age integer, sex character(1), name text, skills json, site_id bigint,
        version integer, archived boolean, education text, languages json, placement json,
        site_name text, trainings json, created_at json, disability text, updated_at json,
        wage_floor integer, county_code integer, county_name text, certificates json,
        household_id bigint, phone_masked text, available_from json, consent_events json,
        mandarin_level text, max_commute_km integer, consent_brokers boolean,
        id_number_masked text, job_kinds_wanted json, consent_employers boolean,
        employment_status text, needs_accommodation boolean, willing_outside_county boolean,
        willing_outside_province boolean$c$, q);
        REVOKE EXECUTE ON FUNCTION api_worker_members_many(bigint[]) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION api_worker_members_many(bigint[]) TO leye_app;
    ELSE
        EXECUTE format($f$
CREATE FUNCTION api_worker_members_many(p_ids bigint[])
    RETURNS TABLE (%s)
    LANGUAGE sql STABLE
    AS $fn$ %s $fn$$f$, $c$row_id bigint, row_status integer, row_version integer,
        id bigint, age integer, sex character(1), name text, skills json, site_id bigint,
        version integer, archived boolean, education text, languages json, placement json,
        site_name text, trainings json, created_at json, disability text, updated_at json,
        wage_floor integer, county_code integer, county_name text, certificates json,
        household_id bigint, phone_masked text, available_from json, consent_events json,
        mandarin_level text, max_commute_km integer, consent_brokers boolean,
        id_number_masked text, job_kinds_wanted json, consent_employers boolean,
        employment_status text, needs_accommodation boolean, willing_outside_county boolean,
        willing_outside_province boolean$c$, q);
    END IF;
END $migration$;

-- the previous release's read: the same members as one object
CREATE OR REPLACE FUNCTION api_worker_read_many(p_ids bigint[])
    RETURNS TABLE (id bigint, status integer, version integer, body json)
    LANGUAGE sql STABLE AS $$
    SELECT m.row_id, m.row_status, m.row_version,
           (to_jsonb(m) - 'row_id' - 'row_status' - 'row_version')::json
    FROM api_worker_members_many(p_ids) m;
$$;
