-- 057_worker_read_scope: a worker's read decides the caller's scope once.
--
-- Under 055, every child table the read touches (skills, trainings,
-- certificates, consent events, placements) had its row-level security
-- expanded into the worker, household and site policies again: about 80
-- plan nodes built on every call, whether or not the worker had rows there,
-- and most of the read's database time.
--
-- Each of those five tables' policy (019) is "the scope is '*', or the row's
-- worker is visible".  So every row of a worker the caller sees is visible
-- to that caller, and once the worker has been read under the scope, its
-- rows there need no second check.  Here:
--
--   the schema's owner (the role running the migrations, never the
--   servers' role leye_app) reads those five tables without the scope
--   (policy owner_read, SELECT only, USING true: PostgreSQL folds the
--   policies' OR to true and builds no nodes for them);
--
--   api_worker_get_many runs as the owner (SECURITY DEFINER, a fixed
--   search_path, executable by leye_app only) and reads worker, household,
--   site, vacancy and employer under the caller's scope as before: the
--   owner is subject to row-level security like every role (FORCE ROW
--   LEVEL SECURITY, 013) and the policies read only leye.scope, which the
--   function leaves as the caller set it.  Which workers exist for the
--   caller, and which of their household, site, vacancy and employer are
--   shown, are decided exactly as before; the children are read only for
--   the workers so found;
--
--   it is PL/pgSQL, whose plan the session keeps (a SQL function that is
--   not inlined is planned again on every call).
--
-- The answers are 055's, byte for byte (tests/integration/83_worker_read_scope.t).
--
-- Only where the servers connect as leye_app and the owner is subject to
-- row-level security: where the servers work as the owner (no leye_app) the
-- owner must keep the scope on every table, and a superuser or BYPASSRLS
-- owner would not apply the caller's scope inside the function at all.
-- There nothing changes.

DO $migration$
DECLARE
    t text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'leye_app')
       OR current_user = 'leye_app'
       OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)) THEN
        RAISE NOTICE 'worker reads keep 055''s path: no leye_app, or the owner bypasses row-level security';
        RETURN;
    END IF;

    FOREACH t IN ARRAY ARRAY['worker_skill', 'worker_training', 'worker_certificate',
                             'worker_consent_event', 'placement'] LOOP
        EXECUTE format('CREATE POLICY owner_read ON %I FOR SELECT TO %I USING (true)', t, current_user);
    END LOOP;

    -- id first, then api_worker_get's columns; 055's statement unchanged
    CREATE OR REPLACE FUNCTION api_worker_get_many(p_ids bigint[])
        RETURNS TABLE (id bigint, status integer, version integer, body jsonb)
        LANGUAGE plpgsql STABLE SECURITY DEFINER
        SET search_path = public, pg_temp
        AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT w.id, 200, w.version, jsonb_build_object(
        'id', w.id, 'household_id', w.household_id, 'site_id', h.site_id, 'site_name', s.name,
        'county_code', s.county_code, 'county_name', c.name,
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
        'skills', sk.j, 'archived', w.archived, 'version', w.version,
        'created_at', w.created_at, 'updated_at', w.updated_at,
        'trainings', tr.j, 'certificates', ce.j, 'consent_events', ev.j, 'placement', pl.j)
    FROM worker w
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id
    LEFT JOIN region c ON c.code = s.county_code
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'skill_id', ws.skill_id, 'code', k.code, 'name', k.name_zh, 'name_en', k.name_en,
                   'level', ws.level, 'proven', coalesce(ws.level <= ws.proven_level, false),
                   'proven_course_id', CASE WHEN ws.level <= ws.proven_level
                                            THEN ws.proven_course_id END)
                   ORDER BY ws.skill_id), '[]') AS j
        FROM worker_skill ws JOIN skill k ON k.id = ws.skill_id
        WHERE ws.worker_id = w.id) sk
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'id', t.id, 'name', t.name, 'provider', t.provider,
                   'start_date', t.start_date, 'end_date', t.end_date,
                   'completed', t.completed, 'skill_id', t.skill_id,
                   'skill_name', k.name_zh) ORDER BY t.id), '[]') AS j
        FROM worker_training t LEFT JOIN skill k ON k.id = t.skill_id
        WHERE t.worker_id = w.id) tr
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'id', ct.id, 'certificate_type_id', ct.certificate_type_id,
                   'code', y.code, 'name', y.name_zh, 'name_en', y.name_en,
                   'number', ct.number, 'issued_on', ct.issued_on, 'expires_on', ct.expires_on,
                   'valid', coalesce(ct.issued_on <= placement_today(), true)
                            AND coalesce(ct.expires_on >= placement_today(), true))
                   ORDER BY ct.id), '[]') AS j
        FROM worker_certificate ct JOIN certificate_type y ON y.id = ct.certificate_type_id
        WHERE ct.worker_id = w.id) ce
    CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'kind', e.kind, 'granted', e.granted, 'method', e.method,
                   'given_on', e.given_on, 'recorded_by', e.recorded_by,
                   'at', e.at) ORDER BY e.at, e.id), '[]') AS j
        FROM worker_consent_event e WHERE e.worker_id = w.id) ev
    LEFT JOIN LATERAL (
        SELECT jsonb_build_object(
                   'id', p.id, 'vacancy_id', p.vacancy_id, 'vacancy_title', v.title,
                   'employer_id', v.employer_id, 'employer_name', m.name,
                   'start_date', p.start_date, 'wage', p.wage,
                   'wage_period', v.wage_period, 'location_scope', p.location_scope) AS j
        FROM placement p
        LEFT JOIN vacancy v ON v.id = p.vacancy_id
        LEFT JOIN employer m ON m.id = v.employer_id
        WHERE p.worker_id = w.id AND p.ended_on IS NULL
        ORDER BY p.start_date DESC, p.id DESC LIMIT 1) pl ON true
    -- through a sub-select, as in 055: the custom plans cost what the
    -- generic one costs, and the session keeps the generic one
    WHERE w.id = ANY ((SELECT p_ids)::bigint[]);
END $fn$;

    REVOKE EXECUTE ON FUNCTION api_worker_get_many(bigint[]) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION api_worker_get_many(bigint[]) TO leye_app;
END $migration$;
