-- 055_read_path: one statement answers every waiting read of a worker.
--
-- A worker's read costs the database about 0.4 ms, nearly all of it before
-- the first row: the executor builds every node of the plan, and the
-- row-level security of each table the read touches (worker, household,
-- site, and for each of the five child tables the same chain again) adds
-- about 80 nodes that are built on every call, whether or not a child row
-- exists.  Reading a row through that plan costs a few microseconds more.
-- The server therefore sends the reads of workers that wait for a
-- connection, under the same scope, as one call of api_worker_get_many with
-- all their ids (server/db/pgpool.c, pgpool_stmt.batch), and hands each
-- request its own row; a missing or invisible worker has no row and is
-- answered 404 as before.
--
-- The answer is api_worker_get's of 054, byte for byte; api_worker_get
-- reads through api_worker_get_many, so that there is one definition.

-- id first, then api_worker_get's columns
CREATE FUNCTION api_worker_get_many(p_ids bigint[])
    RETURNS TABLE (id bigint, status integer, version integer, body jsonb)
    LANGUAGE sql STABLE
    AS $$
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
    -- the ids through a sub-select: a custom plan cannot see how many there
    -- are, so it costs what the generic plan costs and the connection keeps
    -- the generic one (planning the statement again for every batch cost as
    -- much as a worker's read)
    WHERE w.id = ANY ((SELECT p_ids)::bigint[]);
$$;

CREATE OR REPLACE FUNCTION api_worker_get(p_id bigint)
    RETURNS TABLE (status integer, version integer, body jsonb)
    LANGUAGE sql STABLE
    AS $$
    SELECT m.status, m.version, m.body FROM api_worker_get_many(ARRAY[p_id]) m;
$$;
