-- 060_worker_read_sets: a batch of worker reads gathers each child table once.
--
-- Under 055 and 057, api_worker_get_many read a worker's skills, trainings,
-- certificates, consent events and current placement through five lateral
-- subqueries, run again for every worker of the batch: each run set up its
-- scan, its aggregate and the sort of its ORDER BY anew, whether or not the
-- worker had such rows.  Over a batch of 30 different workers that was about
-- 44 us of the backend's CPU per worker, 26 of them in those subqueries.
--
-- Here each child table is read once per call for all the ids asked for
-- (worker_id = ANY), aggregated per worker (GROUP BY worker_id), and joined
-- to the workers found; a worker with no rows there gets the '[]' the
-- lateral gave it, and the current placement is the first by start date and
-- id as before (DISTINCT ON instead of LIMIT 1).  About 31 us per worker.
--
-- Of what is left, most goes into the answer's jsonb_build_object of 34
-- arguments, which looks up the type of every argument on every row; the
-- answer is now to_jsonb of a row whose columns are named as its members,
-- the same jsonb (the keys sort alike), about 3 us per worker less.
-- The rows of an id the caller may not see are read but join no worker and
-- are never returned: which workers exist for the caller, and which of
-- their household, site, vacancy and employer are shown, are decided
-- exactly as before.
--
-- The answers are 055's, byte for byte (tests/integration/83_worker_read_scope.t).
-- The function keeps the form 057 gave it: PL/pgSQL and SECURITY DEFINER
-- where the owner reads the child tables through its policy owner_read,
-- else 055's SQL function, run with the caller's rights.

DO $migration$
DECLARE
    q text := $q$
    SELECT w.id, 200, w.version, to_jsonb(r)
    FROM worker w
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN region c ON c.code = s.county_code
    LEFT JOIN (
        SELECT ws.worker_id, jsonb_agg(jsonb_build_object(
                   'skill_id', ws.skill_id, 'code', k.code, 'name', k.name_zh, 'name_en', k.name_en,
                   'level', ws.level, 'proven', coalesce(ws.level <= ws.proven_level, false),
                   'proven_course_id', CASE WHEN ws.level <= ws.proven_level
                                            THEN ws.proven_course_id END)
                   ORDER BY ws.skill_id) AS j
        FROM worker_skill ws JOIN skill k ON k.id = ws.skill_id
        WHERE ws.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY ws.worker_id) sk ON sk.worker_id = w.id
    LEFT JOIN (
        SELECT t.worker_id, jsonb_agg(jsonb_build_object(
                   'id', t.id, 'name', t.name, 'provider', t.provider,
                   'start_date', t.start_date, 'end_date', t.end_date,
                   'completed', t.completed, 'skill_id', t.skill_id,
                   'skill_name', k.name_zh) ORDER BY t.id) AS j
        FROM worker_training t LEFT JOIN skill k ON k.id = t.skill_id
        WHERE t.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY t.worker_id) tr ON tr.worker_id = w.id
    LEFT JOIN (
        SELECT ct.worker_id, jsonb_agg(jsonb_build_object(
                   'id', ct.id, 'certificate_type_id', ct.certificate_type_id,
                   'code', y.code, 'name', y.name_zh, 'name_en', y.name_en,
                   'number', ct.number, 'issued_on', ct.issued_on, 'expires_on', ct.expires_on,
                   'valid', coalesce(ct.issued_on <= placement_today(), true)
                            AND coalesce(ct.expires_on >= placement_today(), true))
                   ORDER BY ct.id) AS j
        FROM worker_certificate ct JOIN certificate_type y ON y.id = ct.certificate_type_id
        WHERE ct.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY ct.worker_id) ce ON ce.worker_id = w.id
    LEFT JOIN (
        SELECT e.worker_id, jsonb_agg(jsonb_build_object(
                   'kind', e.kind, 'granted', e.granted, 'method', e.method,
                   'given_on', e.given_on, 'recorded_by', e.recorded_by,
                   'at', e.at) ORDER BY e.at, e.id) AS j
        FROM worker_consent_event e
        WHERE e.worker_id = ANY ((SELECT p_ids)::bigint[])
        GROUP BY e.worker_id) ev ON ev.worker_id = w.id
    LEFT JOIN (
        SELECT DISTINCT ON (p.worker_id) p.worker_id, jsonb_build_object(
                   'id', p.id, 'vacancy_id', p.vacancy_id, 'vacancy_title', v.title,
                   'employer_id', v.employer_id, 'employer_name', m.name,
                   'start_date', p.start_date, 'wage', p.wage,
                   'wage_period', v.wage_period, 'location_scope', p.location_scope) AS j
        FROM placement p
        LEFT JOIN vacancy v ON v.id = p.vacancy_id
        LEFT JOIN employer m ON m.id = v.employer_id
        WHERE p.worker_id = ANY ((SELECT p_ids)::bigint[]) AND p.ended_on IS NULL
        ORDER BY p.worker_id, p.start_date DESC, p.id DESC) pl ON pl.worker_id = w.id
    -- the answer's members, named as in the answer: to_jsonb of this row is
    -- 055's jsonb_build_object, at less cost per worker
    CROSS JOIN LATERAL (SELECT
        w.id AS id, w.household_id AS household_id, h.site_id AS site_id, s.name AS site_name,
        s.county_code AS county_code, c.name AS county_name, w.name AS name,
        w.id_number_masked AS id_number_masked, w.sex AS sex,
        date_part('year', age(placement_today(), w.birth_date))::integer AS age,
        w.phone_masked AS phone_masked, w.education AS education,
        w.mandarin_level AS mandarin_level, to_jsonb(w.languages) AS languages,
        w.employment_status AS employment_status, w.max_commute_km AS max_commute_km,
        w.willing_outside_county AS willing_outside_county,
        w.willing_outside_province AS willing_outside_province,
        w.needs_accommodation AS needs_accommodation, w.wage_floor AS wage_floor,
        to_jsonb(w.job_kinds_wanted) AS job_kinds_wanted, w.available_from AS available_from,
        w.disability AS disability, w.consent_employers AS consent_employers,
        w.consent_brokers AS consent_brokers, coalesce(sk.j, '[]') AS skills,
        w.archived AS archived, w.version AS version, w.created_at AS created_at,
        w.updated_at AS updated_at, coalesce(tr.j, '[]') AS trainings,
        coalesce(ce.j, '[]') AS certificates, coalesce(ev.j, '[]') AS consent_events,
        pl.j AS placement) r
    WHERE w.id = ANY ((SELECT p_ids)::bigint[]);
$q$;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_policies
               WHERE tablename = 'worker_skill' AND policyname = 'owner_read') THEN
        EXECUTE format($f$
CREATE OR REPLACE FUNCTION api_worker_get_many(p_ids bigint[])
    RETURNS TABLE (id bigint, status integer, version integer, body jsonb)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY %s
END $fn$$f$, q);
        REVOKE EXECUTE ON FUNCTION api_worker_get_many(bigint[]) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION api_worker_get_many(bigint[]) TO leye_app;
    ELSE
        EXECUTE format($f$
CREATE OR REPLACE FUNCTION api_worker_get_many(p_ids bigint[])
    RETURNS TABLE (id bigint, status integer, version integer, body jsonb)
    LANGUAGE sql STABLE
    AS $fn$ %s $fn$$f$, q);
    END IF;
END $migration$;
