-- 031_privacy_masks: ID numbers masked to their region and check character,
-- no birth date in worker answers, and brokers' scores without the priority
-- part in the matching oracle as in the index.
--
-- The mask showed the last four characters (530622********2204); beside a
-- birth date, or even an age and sex, that left tens of candidates for the
-- full number.  It now shows the region and the check character only
-- (530622***********4), and answers carry the age instead of the birth date,
-- which leaves over 10,000 candidates (the arithmetic: docs/privacy.md).
-- The birth date is read, with the full number, through the audited reveal.
-- Every statement here can run again without harm.

UPDATE worker
SET id_number_masked = CASE WHEN id_number_masked ~ '^[0-9]{6}.{11}[0-9Xx*]$'
                            THEN left(id_number_masked, 6) || repeat('*', 11)
                                 || upper(right(id_number_masked, 1))
                            ELSE repeat('*', 18) END
WHERE id_number_masked !~ '^[0-9]{6}\*{11}[0-9X*]$';

-- The answer for a worker in lists, from the row, its household, site and
-- county name: the age, not the birth date.  The phone is only ever answered
-- masked (the full number, ID number and birth date: POST
-- /v1/workers/{id}/reveal).
CREATE OR REPLACE FUNCTION worker_json_of(w worker, h household, s site, county_name text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', w.id, 'household_id', w.household_id, 'site_id', h.site_id, 'site_name', s.name,
        'county_code', s.county_code, 'county_name', county_name,
        'name', w.name, 'id_number_masked', w.id_number_masked, 'sex', w.sex,
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

-- The matching oracle (migration 027) as a broker's query now sees a pair:
-- without the priority part (its points are 0, the other parts keep theirs),
-- as the index scores a query with match_query.no_priority.  Only that line
-- differs from 027.
CREATE OR REPLACE FUNCTION match_oracle_pairs(p_target text, p_workers bigint[], p_vacancies bigint[],
                                   p_today date DEFAULT placement_today(),
                                   p_broker boolean DEFAULT false,
                                   p_counties integer[] DEFAULT NULL, p_kinds text[] DEFAULT NULL,
                                   p_max_km real DEFAULT 0, p_min_score integer DEFAULT 0)
RETURNS TABLE (worker_id bigint, vacancy_id bigint, score integer, points real, km real,
               parts integer[], failed text[])
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    today integer := p_today - DATE '1970-01-01';
    by_workers boolean := p_target = 'workers';
BEGIN
    IF p_target NOT IN ('workers', 'vacancies') THEN
        RAISE EXCEPTION 'match_oracle_pairs: p_target is workers or vacancies, not %', p_target;
    END IF;
    RETURN QUERY
    WITH kw AS (
        SELECT k.*, ARRAY[100::real * k.w_skill / s, 100::real * k.w_cert / s,
                          100::real * k.w_distance / s, 100::real * k.w_wage / s,
                          100::real * k.w_kind / s, 100::real * k.w_availability / s,
                          CASE WHEN p_broker THEN 0::real ELSE 100::real * k.w_priority / s END] AS pt
        FROM match_kind_weights k,
             LATERAL (SELECT (((((k.w_skill + k.w_cert) + k.w_distance) + k.w_wage) + k.w_kind)
                              + k.w_availability) + k.w_priority AS s) t),
    wk AS MATERIALIZED (
        SELECT w.id, s.county_code AS county, match_oracle_unit(s.lat, s.lon) AS q,
               w.employment_status = 'seeking' AS seeking, w.consent_brokers AS consent,
               w.willing_outside_county AS will_county, w.willing_outside_province AS will_province,
               w.needs_accommodation AS needs_acc, true AS relocated,
               h.origin_county_code = s.county_code AS local_resident,
               greatest(w.max_commute_km, 1)::real AS radius, w.wage_floor AS floor,
               w.job_kinds_wanted AS kinds,
               match_oracle_ymd(least(greatest(w.birth_date, DATE '1900-01-01'), DATE '1900-01-01' + 65535))
                   AS birth_ymd,
               CASE WHEN w.available_from IS NULL OR w.available_from <= DATE '2000-01-01' THEN NULL
                    ELSE least(w.available_from, DATE '2000-01-01' + 65535) - DATE '1970-01-01' END AS avail,
               h.zero_employment AS zero, h.monitoring_status <> 'none' AS monitored,
               EXISTS (SELECT 1 FROM placement p JOIN vacancy pv ON pv.id = p.vacancy_id
                       WHERE p.worker_id = w.id AND p.ended_on IS NULL AND pv.kind = 'public_welfare')
                   AS holds_pw,
               EXISTS (SELECT 1 FROM placement p JOIN vacancy pv ON pv.id = p.vacancy_id
                       WHERE p.worker_id = w.id AND p.ended_on IS NULL AND pv.kind = 'forest_ranger')
                   AS holds_fr,
               EXISTS (SELECT 1 FROM worker m JOIN placement p ON p.worker_id = m.id
                       JOIN vacancy pv ON pv.id = p.vacancy_id
                       WHERE m.household_id = h.id AND p.ended_on IS NULL AND pv.kind = 'public_welfare')
                   AS household_post
        FROM worker w
        JOIN household h ON h.id = w.household_id
        JOIN site s ON s.id = h.site_id
        WHERE NOT w.archived AND NOT h.archived AND (p_workers IS NULL OR w.id = ANY (p_workers))),
    vc AS MATERIALIZED (
        SELECT v.id, v.kind, v.status = 'open' AS open, v.filled >= v.headcount AS full,
               v.county_code AS county, match_oracle_unit(v.lat, v.lon) AS q,
               CASE WHEN v.kind = 'labor_export' THEN v.dest_province_code END AS dest,
               trunc(v.wage_min::float8 * m.f + 0.5::float8)::bigint AS wage_lo,
               trunc(v.wage_max::float8 * m.f + 0.5::float8)::bigint AS wage_hi,
               v.wage_period = 'piece' AS piece,
               greatest(v.age_min, 16) AS age_lo, least(v.age_max, 65) AS age_hi,
               v.accommodation, v.transport, d.day,
               match_oracle_ymd(DATE '1970-01-01' + d.day) AS day_ymd,
               (SELECT sum(vs.weight ORDER BY vs.skill_id) FROM vacancy_skill vs
                WHERE vs.vacancy_id = v.id AND vs.skill_id BETWEEN 1 AND 255) AS skill_weights
        FROM vacancy v,
             LATERAL (SELECT CASE v.wage_period WHEN 'day' THEN 21.75::float8
                                                WHEN 'hour' THEN 174::float8 ELSE 1::float8 END AS f) m,
             LATERAL (SELECT greatest(coalesce(v.start_date - DATE '1970-01-01', today), today) AS day) d
        WHERE NOT v.archived AND (p_vacancies IS NULL OR v.id = ANY (p_vacancies))),
    -- skill s is related to skill t: same parent, or one the other's parent
    rel AS (
        SELECT a.id AS s, b.id AS t FROM skill a
        JOIN skill b ON b.id <> a.id AND ((a.parent_id IS NOT NULL AND b.parent_id = a.parent_id)
                                          OR b.id = a.parent_id OR b.parent_id = a.id)),
    vsk AS (
        SELECT vs.vacancy_id, vs.skill_id, vs.min_level, vs.weight, vs.must_have
        FROM vacancy_skill vs JOIN vc ON vc.id = vs.vacancy_id
        WHERE vs.skill_id BETWEEN 1 AND 255),
    ws AS (
        SELECT x.worker_id, x.skill_id, x.level FROM worker_skill x JOIN wk ON wk.id = x.worker_id
        WHERE x.skill_id BETWEEN 1 AND 255),
    -- (worker, s): the worker holds a skill related to skill s, a listed one
    wrel AS (
        SELECT DISTINCT ws.worker_id, rel.s FROM ws JOIN rel ON rel.t = ws.skill_id
        WHERE rel.s IN (SELECT skill_id FROM vsk)),
    psk AS (
        SELECT wk.id AS w_id, vsk.vacancy_id AS v_id,
               sum(vsk.weight * cr.credit ORDER BY vsk.skill_id) AS credit,
               bool_or(vsk.must_have AND ws.level IS NULL) AS must_missing,
               bool_or(vsk.must_have AND ws.level + k.must_level_slack < vsk.min_level) AS level_short
        FROM vsk
        JOIN vc ON vc.id = vsk.vacancy_id
        JOIN kw k ON k.kind = vc.kind
        CROSS JOIN wk
        LEFT JOIN ws ON ws.worker_id = wk.id AND ws.skill_id = vsk.skill_id
        LEFT JOIN wrel ON wrel.worker_id = wk.id AND wrel.s = vsk.skill_id
        CROSS JOIN LATERAL (
            SELECT CASE WHEN ws.level >= vsk.min_level THEN 1::real
                        ELSE greatest(CASE WHEN ws.level IS NULL THEN 0::real
                                           ELSE greatest(0::real, least(1::real, 1::real - k.level_step
                                                                   * (vsk.min_level - ws.level)::real)) END,
                                      CASE WHEN wrel.s IS NULL THEN 0::real ELSE k.related_credit END)
                   END AS credit) cr
        GROUP BY wk.id, vsk.vacancy_id),
    -- certificates the index keeps for a worker: each type once with its
    -- latest expiry; of those that expire, the four latest
    wce AS (
        SELECT g.worker_id, g.cert, g.exp
        FROM (SELECT c.*, row_number() OVER (PARTITION BY c.worker_id, c.exp < 2147483647
                                             ORDER BY c.exp DESC, c.cert) AS rank
              FROM (SELECT x.worker_id, x.certificate_type_id AS cert,
                           max(coalesce(x.expires_on - DATE '1970-01-01', 2147483647)) AS exp
                    FROM worker_certificate x JOIN wk ON wk.id = x.worker_id
                    WHERE x.certificate_type_id BETWEEN 1 AND 63
                    GROUP BY 1, 2) c) g
        WHERE g.exp = 2147483647 OR g.rank <= 4),
    pce AS (
        SELECT wk.id AS w_id, vx.vacancy_id AS v_id, count(*) AS n_all,
               count(*) FILTER (WHERE wc.exp >= vc.day) AS n_valid,
               bool_or(wc.cert IS NULL) AS must_missing,
               bool_or(wc.exp < vc.day) AS expired
        FROM vacancy_certificate vx
        JOIN vc ON vc.id = vx.vacancy_id
        CROSS JOIN wk
        LEFT JOIN wce wc ON wc.worker_id = wk.id AND wc.cert = vx.certificate_type_id
        WHERE vx.certificate_type_id BETWEEN 1 AND 63
        GROUP BY wk.id, vx.vacancy_id),
    pr AS (
        SELECT wk.id AS w_id, vc.id AS v_id, k.pt, d.km, e.*,
               ARRAY[CASE WHEN NOT vc.open THEN 'vacancy_closed' END,
                     CASE WHEN vc.full THEN 'vacancy_full' END,
                     CASE WHEN psk.must_missing THEN 'must_skill' END,
                     CASE WHEN pce.must_missing THEN 'must_cert' END,
                     CASE WHEN NOT wk.seeking THEN 'not_seeking' END,
                     CASE WHEN p_broker AND NOT wk.consent THEN 'no_consent' END,
                     CASE WHEN wk.avail > vc.day THEN 'not_available' END,
                     CASE WHEN NOT (vc.age_lo <= vc.age_hi
                                    AND wk.birth_ymd > vc.day_ymd - (vc.age_hi + 1) * 10000
                                    AND wk.birth_ymd <= vc.day_ymd - vc.age_lo * 10000) THEN 'age' END,
                     CASE WHEN k.one_per_household AND wk.household_post THEN 'household_post' END,
                     CASE WHEN k.no_double_post AND (wk.holds_pw OR wk.holds_fr) THEN 'double_post' END,
                     CASE WHEN k.residents_only
                               AND NOT ((wk.relocated OR wk.local_resident) AND wk.county = vc.county)
                          THEN 'not_resident' END,
                     CASE WHEN psk.level_short THEN 'skill_level' END,
                     CASE WHEN pce.expired THEN 'cert_expired' END,
                     CASE WHEN cardinality(p_counties) > 0
                               AND NOT (CASE WHEN by_workers THEN wk.county ELSE vc.county END) = ANY (p_counties)
                          THEN 'county' END,
                     CASE WHEN cardinality(p_kinds) > 0
                               AND CASE WHEN by_workers
                                        THEN cardinality(wk.kinds) > 0 AND NOT wk.kinds && p_kinds
                                        ELSE NOT vc.kind = ANY (p_kinds) END
                          THEN 'kind' END,
                     CASE WHEN p_max_km > 0::real AND d.km > p_max_km THEN 'distance' END] AS hard
        FROM vc
        JOIN kw k ON k.kind = vc.kind
        CROSS JOIN wk
        LEFT JOIN psk ON psk.w_id = wk.id AND psk.v_id = vc.id
        LEFT JOIN pce ON pce.w_id = wk.id AND pce.v_id = vc.id
        -- (OFFSET 0 keeps each step a row of its own: computed once, not inlined into every use)
        CROSS JOIN LATERAL (SELECT match_oracle_half_chord(wk.q, vc.q) AS h OFFSET 0) hc
        -- great-circle km, as match_km_from_chord2: 2R asin(h), a series below h = 0.125
        CROSS JOIN LATERAL (
            SELECT (2::float8 * 6371.0088::float8)::real
                   * CASE WHEN hc.h < 0.125::real
                          THEN hc.h * (1::real + (hc.h * hc.h) * (1::real / 6::real + (hc.h * hc.h)
                                       * (3::real / 40::real + (hc.h * hc.h) * (15::real / 336::real))))
                          ELSE asin(least(hc.h, 1::real))::real END AS km OFFSET 0) d
        CROSS JOIN LATERAL (
            SELECT CASE WHEN vc.accommodation AND k.accommodation_km > r.r0 THEN k.accommodation_km
                        ELSE r.r0 END AS reff
            FROM (SELECT CASE WHEN vc.transport THEN wk.radius * k.transport_factor
                              ELSE wk.radius END AS r0) r) rr
        CROSS JOIN LATERAL (
            SELECT CASE WHEN psk.credit IS NULL THEN 1::real
                        ELSE least(psk.credit / vc.skill_weights, 1::real) END AS p_skill,
                   CASE WHEN pce.n_all IS NULL THEN 1::real
                        ELSE pce.n_valid::real / pce.n_all::real END AS p_cert,
                   CASE WHEN vc.kind = 'labor_export' THEN
                            CASE WHEN CASE WHEN vc.dest IS NOT NULL AND vc.dest <> 530000 THEN wk.will_province
                                           ELSE wk.will_county OR wk.will_province END
                                 THEN 1::real ELSE 0::real END
                        WHEN wk.needs_acc AND NOT vc.accommodation AND d.km > wk.radius
                            THEN dp.p * 0.5::real
                        ELSE dp.p END AS p_dist,
                   CASE WHEN vc.piece THEN 0.5::real
                        WHEN wk.floor = 0 OR vc.wage_lo >= wk.floor THEN 1::real
                        WHEN vc.wage_hi >= wk.floor THEN 0.7::real
                        ELSE 0.5::real * greatest(0::real, least(1::real, 1::real - 2::real * (wk.floor - vc.wage_hi)::real
                                                                    / wk.floor::real)) END AS p_wage,
                   CASE WHEN cardinality(wk.kinds) = 0 OR vc.kind = ANY (wk.kinds) THEN 1::real
                        ELSE 0::real END AS p_kind,
                   CASE WHEN wk.avail IS NULL OR wk.avail <= today OR vc.day <= today THEN 1::real
                        ELSE greatest(0::real, least(1::real, 1::real - 0.5::real * (wk.avail - today)::real
                                                          / (vc.day - today)::real)) END AS p_avail,
                   least(((0::real + CASE WHEN wk.relocated THEN k.prio_relocated ELSE 0::real END)
                          + CASE WHEN wk.monitored THEN k.prio_monitoring ELSE 0::real END)
                         + CASE WHEN wk.zero THEN k.prio_zero_employment ELSE 0::real END,
                         1::real) AS p_prio
            FROM (SELECT CASE WHEN d.km <= rr.reff THEN 1::real - 0.2::real * d.km / rr.reff
                              ELSE greatest(0::real, least(1::real, 0.8::real * (2::real - d.km / rr.reff))) END AS p) dp
            OFFSET 0) e),
    sc AS (
        SELECT pr.*, t.total,
               least(greatest(trunc((t.total * 100::real + 0.5::real)::float8), 0), 10000)::integer AS hundredths
        FROM pr,
             LATERAL (SELECT ((((((pr.pt[1] * pr.p_skill + pr.pt[2] * pr.p_cert) + pr.pt[3] * pr.p_dist)
                                 + pr.pt[4] * pr.p_wage) + pr.pt[5] * pr.p_kind) + pr.pt[6] * pr.p_avail)
                              + pr.pt[7] * pr.p_prio) AS total OFFSET 0) t)
    SELECT sc.w_id, sc.v_id, sc.hundredths, sc.total, sc.km,
           ARRAY[trunc((sc.pt[1] * sc.p_skill * 100::real + 0.5::real)::float8)::integer,
                 trunc((sc.pt[2] * sc.p_cert * 100::real + 0.5::real)::float8)::integer,
                 trunc((sc.pt[3] * sc.p_dist * 100::real + 0.5::real)::float8)::integer,
                 trunc((sc.pt[4] * sc.p_wage * 100::real + 0.5::real)::float8)::integer,
                 trunc((sc.pt[5] * sc.p_kind * 100::real + 0.5::real)::float8)::integer,
                 trunc((sc.pt[6] * sc.p_avail * 100::real + 0.5::real)::float8)::integer,
                 trunc((sc.pt[7] * sc.p_prio * 100::real + 0.5::real)::float8)::integer],
           array_remove(sc.hard || CASE WHEN sc.hundredths < p_min_score THEN 'min_score' END, NULL)
    FROM sc;
END $$;
