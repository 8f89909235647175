-- 026_match_index: what the in-memory matching index loads, the weights staff may
-- change per vacancy kind, and the display cards of match results.

-- Weights of the score and the programme rules per vacancy kind (see
-- docs/matching.md); a change reaches every server's index through NOTIFY.
CREATE TABLE match_kind_weights (
    kind text PRIMARY KEY CHECK (kind IN ('regular', 'work_relief', 'public_welfare',
                                          'forest_ranger', 'workshop', 'labor_export')),
    w_skill real NOT NULL CHECK (w_skill BETWEEN 0 AND 1000),
    w_cert real NOT NULL CHECK (w_cert BETWEEN 0 AND 1000),
    w_distance real NOT NULL CHECK (w_distance BETWEEN 0 AND 1000),
    w_wage real NOT NULL CHECK (w_wage BETWEEN 0 AND 1000),
    w_kind real NOT NULL CHECK (w_kind BETWEEN 0 AND 1000),
    w_availability real NOT NULL CHECK (w_availability BETWEEN 0 AND 1000),
    w_priority real NOT NULL CHECK (w_priority BETWEEN 0 AND 1000),
    level_step real NOT NULL CHECK (level_step BETWEEN 0 AND 1),
    related_credit real NOT NULL CHECK (related_credit BETWEEN 0 AND 1),
    must_level_slack smallint NOT NULL CHECK (must_level_slack BETWEEN 0 AND 4),
    transport_factor real NOT NULL CHECK (transport_factor BETWEEN 1 AND 10),
    accommodation_km real NOT NULL CHECK (accommodation_km BETWEEN 0 AND 5000),
    prio_relocated real NOT NULL CHECK (prio_relocated BETWEEN 0 AND 1),
    prio_monitoring real NOT NULL CHECK (prio_monitoring BETWEEN 0 AND 1),
    prio_zero_employment real NOT NULL CHECK (prio_zero_employment BETWEEN 0 AND 1),
    one_per_household boolean NOT NULL,
    no_double_post boolean NOT NULL,
    residents_only boolean NOT NULL,
    version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT '',
    CHECK (w_skill + w_cert + w_distance + w_wage + w_kind + w_availability + w_priority > 0)
);

INSERT INTO match_kind_weights VALUES
    ('regular',        40, 10, 20, 15, 10, 5,  0, 0.25, 0.4, 0, 2, 150, 0.4, 0.3, 0.3, false, false, false),
    ('work_relief',    25,  5, 20,  5, 10, 5, 30, 0.25, 0.4, 0, 2, 150, 0.4, 0.3, 0.3, false, false, true),
    ('public_welfare', 15,  5, 20,  5, 10, 5, 40, 0.25, 0.4, 0, 2, 150, 0.4, 0.3, 0.3, true,  true,  true),
    ('forest_ranger',  25,  5, 15,  5, 10, 5, 35, 0.25, 0.4, 0, 2, 150, 0.4, 0.3, 0.3, false, true,  false),
    ('workshop',       30,  5, 30, 10, 10, 5, 10, 0.25, 0.4, 0, 2, 150, 0.4, 0.3, 0.3, false, false, false),
    ('labor_export',   35, 10, 20, 20, 10, 5,  0, 0.25, 0.4, 0, 2, 150, 0.4, 0.3, 0.3, false, false, false);

CREATE FUNCTION match_weights_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leye_match', 'weights');
    RETURN NULL;
END $$;
CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OR DELETE ON match_kind_weights
    FOR EACH STATEMENT EXECUTE FUNCTION match_weights_notify();
CREATE TRIGGER audit_update AFTER UPDATE ON match_kind_weights
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt('x.kind');

-- A skill's parent changed: related-skill credit changes.
CREATE FUNCTION match_skills_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leye_match', 'skills');
    RETURN NULL;
END $$;
CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OF parent_id ON skill
    FOR EACH STATEMENT EXECUTE FUNCTION match_skills_notify();

CREATE FUNCTION match_weights_json(w match_kind_weights) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'vacancy_kind', w.kind,
        'skill', w.w_skill, 'cert', w.w_cert, 'distance', w.w_distance, 'wage', w.w_wage,
        'kind', w.w_kind, 'availability', w.w_availability, 'priority', w.w_priority,
        'level_step', w.level_step, 'related_credit', w.related_credit,
        'must_level_slack', w.must_level_slack, 'transport_factor', w.transport_factor,
        'accommodation_km', w.accommodation_km, 'prio_relocated', w.prio_relocated,
        'prio_monitoring', w.prio_monitoring, 'prio_zero_employment', w.prio_zero_employment,
        'one_per_household', w.one_per_household, 'no_double_post', w.no_double_post,
        'residents_only', w.residents_only, 'version', w.version, 'updated_at', w.updated_at,
        'updated_by', w.updated_by);
$$;

CREATE FUNCTION api_match_weights_list(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE sql STABLE AS $$
    SELECT 200, NULL::integer,
           jsonb_build_object('items', jsonb_agg(match_weights_json(w) ORDER BY
               array_position(ARRAY['regular', 'work_relief', 'public_welfare', 'forest_ranger',
                                    'workshop', 'labor_export'], w.kind)))
    FROM match_kind_weights w;
$$;

CREATE FUNCTION api_match_weights_get(p_kind text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    w match_kind_weights;
BEGIN
    SELECT * INTO w FROM match_kind_weights WHERE kind = p_kind;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'kind', 'not_found');
    END IF;
    status := 200; version := w.version; body := match_weights_json(w);
END $$;

-- The patch holds checked fields: skill … priority (part weights), level_step, …
CREATE FUNCTION api_match_weights_update(p_kind text, p_version integer, p jsonb, p_actor text,
                                         OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w match_kind_weights;
    ws jsonb := p;
BEGIN
    SELECT * INTO w FROM match_kind_weights WHERE kind = p_kind FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'kind', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND p_version <> w.version THEN
        PERFORM api_fail('LY412', 'version', 'stale');
    END IF;
    UPDATE match_kind_weights t SET
        w_skill = coalesce((ws ->> 'skill')::real, t.w_skill),
        w_cert = coalesce((ws ->> 'cert')::real, t.w_cert),
        w_distance = coalesce((ws ->> 'distance')::real, t.w_distance),
        w_wage = coalesce((ws ->> 'wage')::real, t.w_wage),
        w_kind = coalesce((ws ->> 'kind')::real, t.w_kind),
        w_availability = coalesce((ws ->> 'availability')::real, t.w_availability),
        w_priority = coalesce((ws ->> 'priority')::real, t.w_priority),
        level_step = coalesce((p ->> 'level_step')::real, t.level_step),
        related_credit = coalesce((p ->> 'related_credit')::real, t.related_credit),
        must_level_slack = coalesce((p ->> 'must_level_slack')::smallint, t.must_level_slack),
        transport_factor = coalesce((p ->> 'transport_factor')::real, t.transport_factor),
        accommodation_km = coalesce((p ->> 'accommodation_km')::real, t.accommodation_km),
        prio_relocated = coalesce((p ->> 'prio_relocated')::real, t.prio_relocated),
        prio_monitoring = coalesce((p ->> 'prio_monitoring')::real, t.prio_monitoring),
        prio_zero_employment = coalesce((p ->> 'prio_zero_employment')::real, t.prio_zero_employment),
        one_per_household = coalesce((p ->> 'one_per_household')::boolean, t.one_per_household),
        no_double_post = coalesce((p ->> 'no_double_post')::boolean, t.no_double_post),
        residents_only = coalesce((p ->> 'residents_only')::boolean, t.residents_only),
        version = t.version + 1, updated_at = now(), updated_by = p_actor
    WHERE t.kind = p_kind RETURNING * INTO w;
    status := 200; version := w.version; body := match_weights_json(w);
EXCEPTION WHEN check_violation THEN
    PERFORM api_fail('LY422', 'weights', 'out_of_range');
END $$;

-- What the index loads.  Day numbers count from 1970-01-01; lists are
-- "id:level,…" text.  p_ids NULL: every row after p_after, p_limit of them.
CREATE FUNCTION match_worker_rows(p_after bigint, p_limit integer, p_ids bigint[])
RETURNS TABLE (id bigint, household_id bigint, flags integer, birth_day integer,
               available_day integer, county_code integer, lat double precision,
               lon double precision, max_commute_km integer, wage_floor integer, kinds text,
               skills text, certs text)
LANGUAGE sql STABLE AS $$
    SELECT w.id, w.household_id,
           (CASE WHEN w.employment_status = 'seeking' THEN 1 ELSE 0 END)
           | (CASE WHEN w.consent_brokers THEN 2 ELSE 0 END)
           | (CASE WHEN w.willing_outside_county THEN 4 ELSE 0 END)
           | (CASE WHEN w.willing_outside_province THEN 8 ELSE 0 END)
           | (CASE WHEN w.needs_accommodation THEN 16 ELSE 0 END)
           | 32
           | (CASE WHEN h.origin_county_code = s.county_code THEN 64 ELSE 0 END)
           | (CASE WHEN EXISTS (SELECT 1 FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
                                WHERE p.worker_id = w.id AND p.ended_on IS NULL
                                  AND v.kind = 'public_welfare') THEN 128 ELSE 0 END)
           | (CASE WHEN EXISTS (SELECT 1 FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
                                WHERE p.worker_id = w.id AND p.ended_on IS NULL
                                  AND v.kind = 'forest_ranger') THEN 256 ELSE 0 END),
           w.birth_date - DATE '1970-01-01', w.available_from - DATE '1970-01-01',
           s.county_code, coalesce(s.lat, r.lat), coalesce(s.lon, r.lon), w.max_commute_km,
           w.wage_floor, array_to_string(w.job_kinds_wanted, ','),
           (SELECT string_agg(ws.skill_id || ':' || ws.level, ',') FROM worker_skill ws
            WHERE ws.worker_id = w.id),
           (SELECT string_agg(wc.certificate_type_id || ':'
                              || coalesce((wc.expires_on - DATE '1970-01-01')::text, ''), ',')
            FROM worker_certificate wc WHERE wc.worker_id = w.id)
    FROM worker w
    JOIN household h ON h.id = w.household_id
    JOIN site s ON s.id = h.site_id
    LEFT JOIN region r ON r.code = s.county_code
    WHERE NOT w.archived AND NOT h.archived
      AND (p_ids IS NULL OR w.id = ANY (p_ids)) AND (p_after IS NULL OR w.id > p_after)
    ORDER BY w.id LIMIT p_limit;
$$;

-- The same for a full load: every row, in one pass with the lists
-- aggregated once (read through a cursor, in batches).
CREATE FUNCTION match_worker_rows_all()
RETURNS TABLE (id bigint, household_id bigint, flags integer, birth_day integer,
               available_day integer, county_code integer, lat double precision,
               lon double precision, max_commute_km integer, wage_floor integer, kinds text,
               skills text, certs text)
LANGUAGE sql STABLE AS $$
    WITH sk AS (SELECT worker_id, string_agg(skill_id || ':' || level, ',') AS list
                FROM worker_skill GROUP BY worker_id),
         ce AS (SELECT worker_id, string_agg(certificate_type_id || ':'
                                             || coalesce((expires_on - DATE '1970-01-01')::text, ''), ',') AS list
                FROM worker_certificate GROUP BY worker_id),
         posts AS (SELECT p.worker_id, bool_or(v.kind = 'public_welfare') AS pw,
                          bool_or(v.kind = 'forest_ranger') AS fr
                   FROM placement p JOIN vacancy v ON v.id = p.vacancy_id
                   WHERE p.ended_on IS NULL GROUP BY p.worker_id)
    SELECT w.id, w.household_id,
           (CASE WHEN w.employment_status = 'seeking' THEN 1 ELSE 0 END)
           | (CASE WHEN w.consent_brokers THEN 2 ELSE 0 END)
           | (CASE WHEN w.willing_outside_county THEN 4 ELSE 0 END)
           | (CASE WHEN w.willing_outside_province THEN 8 ELSE 0 END)
           | (CASE WHEN w.needs_accommodation THEN 16 ELSE 0 END)
           | 32
           | (CASE WHEN h.origin_county_code = s.county_code THEN 64 ELSE 0 END)
           | (CASE WHEN coalesce(po.pw, false) THEN 128 ELSE 0 END)
           | (CASE WHEN coalesce(po.fr, false) THEN 256 ELSE 0 END),
           w.birth_date - DATE '1970-01-01', w.available_from - DATE '1970-01-01',
           s.county_code, coalesce(s.lat, r.lat), coalesce(s.lon, r.lon), w.max_commute_km,
           w.wage_floor, array_to_string(w.job_kinds_wanted, ','), sk.list, ce.list
    FROM worker w
    JOIN household h ON h.id = w.household_id
    JOIN site s ON s.id = h.site_id
    LEFT JOIN region r ON r.code = s.county_code
    LEFT JOIN sk ON sk.worker_id = w.id
    LEFT JOIN ce ON ce.worker_id = w.id
    LEFT JOIN posts po ON po.worker_id = w.id
    WHERE NOT w.archived AND NOT h.archived;
$$;

CREATE FUNCTION match_household_rows_all()
RETURNS TABLE (id bigint, zero_employment boolean, monitoring_status text, public_welfare_posts integer)
LANGUAGE sql STABLE AS $$
    SELECT h.id, coalesce(h.zero_employment, false), h.monitoring_status, coalesce(pw.n, 0)::integer
    FROM household h
    LEFT JOIN (SELECT w.household_id, count(*) AS n
               FROM placement p JOIN worker w ON w.id = p.worker_id JOIN vacancy v ON v.id = p.vacancy_id
               WHERE p.ended_on IS NULL AND v.kind = 'public_welfare'
               GROUP BY w.household_id) pw ON pw.household_id = h.id
    WHERE NOT h.archived;
$$;

CREATE FUNCTION match_household_rows(p_after bigint, p_limit integer, p_ids bigint[])
RETURNS TABLE (id bigint, zero_employment boolean, monitoring_status text, public_welfare_posts integer)
LANGUAGE sql STABLE AS $$
    SELECT h.id, coalesce(h.zero_employment, false), h.monitoring_status,
           (SELECT count(*)::integer FROM worker w JOIN placement p ON p.worker_id = w.id
            JOIN vacancy v ON v.id = p.vacancy_id
            WHERE w.household_id = h.id AND p.ended_on IS NULL AND v.kind = 'public_welfare')
    FROM household h
    WHERE NOT h.archived
      AND (p_ids IS NULL OR h.id = ANY (p_ids)) AND (p_after IS NULL OR h.id > p_after)
    ORDER BY h.id LIMIT p_limit;
$$;

CREATE FUNCTION match_vacancy_rows(p_after bigint, p_limit integer, p_ids bigint[])
RETURNS TABLE (id bigint, kind text, open boolean, headcount integer, filled integer,
               county_code integer, lat double precision, lon double precision,
               dest_province integer, wage_min integer, wage_max integer, wage_period text,
               age_min integer, age_max integer, accommodation boolean, transport boolean,
               start_day integer, skills text, certs text)
LANGUAGE sql STABLE AS $$
    SELECT v.id, v.kind, v.status = 'open', v.headcount, v.filled, v.county_code, v.lat, v.lon,
           v.dest_province_code, v.wage_min, v.wage_max, v.wage_period, v.age_min, v.age_max,
           v.accommodation, v.transport, v.start_date - DATE '1970-01-01',
           (SELECT string_agg(vs.skill_id || ':' || vs.min_level || ':' || vs.weight || ':'
                              || CASE WHEN vs.must_have THEN 1 ELSE 0 END, ',' ORDER BY vs.skill_id)
            FROM vacancy_skill vs WHERE vs.vacancy_id = v.id),
           (SELECT string_agg(vc.certificate_type_id::text, ',' ORDER BY vc.certificate_type_id)
            FROM vacancy_certificate vc WHERE vc.vacancy_id = v.id)
    FROM vacancy v
    WHERE NOT v.archived
      AND (p_ids IS NULL OR v.id = ANY (p_ids)) AND (p_after IS NULL OR v.id > p_after)
    ORDER BY v.id LIMIT p_limit;
$$;

-- Display cards of match results, in the caller's scope: records the caller
-- may not see are left out.  Brokers get no poverty status, phone or ID.
CREATE FUNCTION match_vacancy_cards(p_ids bigint[]) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(v.id, jsonb_build_object(
        'id', v.id, 'title', v.title, 'employer_id', v.employer_id, 'employer_name', e.name,
        'kind', v.kind, 'status', v.status, 'wage_min', v.wage_min, 'wage_max', v.wage_max,
        'wage_period', v.wage_period, 'county_code', v.county_code, 'county_name', r.name,
        'dest_province_code', v.dest_province_code, 'dest_city', v.dest_city,
        'address', concat_ws(' ', r.name, nullif(v.dest_city, ''), nullif(e.address, '')),
        'accommodation', v.accommodation, 'transport', v.transport, 'start_date', v.start_date,
        'headcount', v.headcount, 'filled', v.filled, 'contact_phone', e.contact_phone)), '{}')
    FROM vacancy v
    JOIN employer e ON e.id = v.employer_id
    LEFT JOIN region r ON r.code = v.county_code
    WHERE v.id = ANY (p_ids);
$$;

-- Which workers the caller may see is decided by row-level security on
-- worker alone; their site and household are then read for the card
-- (brokers and kiosks may not read households themselves).
CREATE FUNCTION match_worker_cards(p_ids bigint[], p_broker boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    caller text := leye_scope();
    visible bigint[];
    cards jsonb;
BEGIN
    SELECT array_agg(id) INTO visible FROM worker WHERE id = ANY (p_ids) AND NOT archived;
    PERFORM set_config('leye.scope', '*', true);
    SELECT coalesce(jsonb_object_agg(w.id,
        CASE WHEN p_broker THEN jsonb_build_object(
                 'id', w.id, 'name', left(w.name, 1) || repeat('*', greatest(length(w.name) - 2, 1))
                                     || CASE WHEN length(w.name) > 2 THEN right(w.name, 1) ELSE '' END,
                 'sex', w.sex, 'age', date_part('year', age(placement_today(), w.birth_date))::integer,
                 'site_id', s.id, 'site_name', s.name, 'county_code', s.county_code,
                 'county_name', r.name, 'education', w.education,
                 'willing_outside_province', w.willing_outside_province)
             ELSE jsonb_build_object(
                 'id', w.id, 'name', w.name, 'sex', w.sex,
                 'age', date_part('year', age(placement_today(), w.birth_date))::integer,
                 'household_id', w.household_id, 'site_id', s.id, 'site_name', s.name,
                 'county_code', s.county_code, 'county_name', r.name,
                 'employment_status', w.employment_status, 'education', w.education,
                 'monitoring_status', h.monitoring_status, 'zero_employment', h.zero_employment,
                 'id_number_masked', w.id_number_masked) END), '{}')
    INTO cards
    FROM worker w
    JOIN household h ON h.id = w.household_id
    JOIN site s ON s.id = h.site_id
    LEFT JOIN region r ON r.code = s.county_code
    WHERE w.id = ANY (visible);
    PERFORM set_config('leye.scope', caller, true);
    RETURN cards;
END $$;

-- Whether the caller may see a record (row-level security decides).
CREATE FUNCTION match_visible(p_kind text, p_id bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE p_kind WHEN 'w' THEN EXISTS (SELECT 1 FROM worker WHERE id = p_id AND NOT archived)
                       ELSE EXISTS (SELECT 1 FROM vacancy WHERE id = p_id AND NOT archived) END;
$$;

-- Row-level security makes the planner's cost estimates large enough to
-- trigger JIT compilation, which costs a few hundred milliseconds per query
-- and buys nothing for these short statements: off for this database.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'not the owner of the database: set jit = off in postgresql.conf instead';
END $$;
