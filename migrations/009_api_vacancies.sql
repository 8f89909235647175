-- 009_api_vacancies: work-relief (以工代赈) projects and vacancies.

-- People a project hired outside Leye (e.g. registered local residents who
-- were not relocated); jobs_filled counts them with the vacancies' hires.
ALTER TABLE work_relief_project
    ADD COLUMN local_hires integer NOT NULL DEFAULT 0 CHECK (local_hires BETWEEN 0 AND 1000000);

CREATE INDEX remuneration_payment_project ON remuneration_payment (project_id);
CREATE INDEX vacancy_created ON vacancy (created_at DESC, id DESC);
CREATE INDEX vacancy_wage ON vacancy (wage_max DESC, id);
CREATE INDEX vacancy_skill_skill ON vacancy_skill (skill_id, vacancy_id);

-- Rollups of projects: hires through their vacancies and remuneration paid,
-- once per statement.  Hiring may be done by someone whose scope does not
-- cover the project, so the counts are taken over the whole database
-- (scope "*" for the moment).
CREATE FUNCTION project_recount_many(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    saved text := current_setting('leye.scope', true);
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM set_config('leye.scope', '*', true);
    UPDATE work_relief_project p SET
        filled_by_relocated = s.filled,
        jobs_filled = s.filled + p.local_hires,
        remuneration_paid = s.paid
    FROM (SELECT pid,
                 coalesce((SELECT sum(filled) FROM vacancy WHERE project_id = pid), 0)::integer AS filled,
                 coalesce((SELECT sum(amount) FROM remuneration_payment WHERE project_id = pid), 0) AS paid
          FROM unnest(ids) AS pid) s
    WHERE p.id = s.pid
      AND (p.filled_by_relocated, p.jobs_filled, p.remuneration_paid)
          IS DISTINCT FROM (s.filled, s.filled + p.local_hires, s.paid);
    PERFORM set_config('leye.scope', coalesce(saved, ''), true);
END $$;

CREATE FUNCTION project_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM project_recount_many(ARRAY(SELECT DISTINCT project_id FROM new_rows WHERE project_id IS NOT NULL));
    RETURN NULL;
END $$;

CREATE FUNCTION project_rollup_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM project_recount_many(ARRAY(SELECT DISTINCT project_id FROM old_rows WHERE project_id IS NOT NULL));
    RETURN NULL;
END $$;

-- TG_ARGV[0]: the column whose change moves the rollups ('filled' or 'amount').
CREATE FUNCTION project_rollup_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE format('SELECT ARRAY(SELECT DISTINCT x FROM new_rows n JOIN old_rows o ON o.id = n.id, '
                   'LATERAL (VALUES (n.project_id), (o.project_id)) v (x) WHERE x IS NOT NULL '
                   'AND (n.project_id, n.%1$I) IS DISTINCT FROM (o.project_id, o.%1$I))', TG_ARGV[0])
        INTO ids;
    PERFORM project_recount_many(ids);
    RETURN NULL;
END $$;

CREATE TRIGGER project_rollup_insert AFTER INSERT ON vacancy
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_insert();
CREATE TRIGGER project_rollup_update AFTER UPDATE ON vacancy
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_update('filled');
CREATE TRIGGER project_rollup_delete AFTER DELETE ON vacancy
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_delete();

CREATE TRIGGER project_rollup_insert AFTER INSERT ON remuneration_payment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_insert();
CREATE TRIGGER project_rollup_update AFTER UPDATE ON remuneration_payment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_update('amount');
CREATE TRIGGER project_rollup_delete AFTER DELETE ON remuneration_payment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION project_rollup_delete();

-- A vacancy whose places are all taken is 'filled'; when a place frees up
-- again (a placement ends, the headcount grows) a filled vacancy reopens.
CREATE FUNCTION vacancy_fill_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.filled >= NEW.headcount AND NEW.status IN ('open', 'closed') THEN
        NEW.status := 'filled';
    ELSIF NEW.filled < NEW.headcount AND NEW.status = 'filled' THEN
        NEW.status := 'open';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER vacancy_fill_status
    BEFORE INSERT OR UPDATE OF filled, headcount, status ON vacancy
    FOR EACH ROW EXECUTE FUNCTION vacancy_fill_status();

-- ---------------------------------------------------------------------------
-- Work-relief projects.

CREATE FUNCTION project_json(p work_relief_project) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', p.id, 'county_code', p.county_code,
        'county_name', (SELECT name FROM region WHERE code = p.county_code),
        'name', p.name, 'funding', p.funding,
        'total_investment', p.total_investment, 'remuneration_budget', p.remuneration_budget,
        'remuneration_share', round(p.remuneration_share, 4),
        'planned_jobs', p.planned_jobs, 'local_hires', p.local_hires,
        'jobs_filled', p.jobs_filled, 'filled_by_relocated', p.filled_by_relocated,
        'share_filled_by_relocated',
            CASE WHEN p.jobs_filled > 0 THEN round(p.filled_by_relocated::numeric / p.jobs_filled, 4) END,
        'remuneration_paid', p.remuneration_paid,
        'start_date', p.start_date, 'end_date', p.end_date,
        'vacancies', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'id', v.id, 'title', v.title, 'headcount', v.headcount,
                                   'filled', v.filled, 'status', v.status) ORDER BY v.id)
                               FROM vacancy v WHERE v.project_id = p.id), '[]'),
        'archived', p.archived, 'version', p.version,
        'created_at', p.created_at, 'updated_at', p.updated_at);
$$;

-- The rules a project's money follows.  Central-budget projects pay at least
-- 30% of the investment as labour remuneration (NDRC, 2022).
CREATE FUNCTION project_check(p work_relief_project) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p.total_investment <= 0 THEN
        PERFORM api_fail('LY422', 'total_investment', 'out_of_range');
    END IF;
    IF p.remuneration_budget > p.total_investment
       OR (p.funding = 'central' AND p.remuneration_budget < 0.30 * p.total_investment) THEN
        PERFORM api_fail('LY422', 'remuneration_budget', 'out_of_range');
    END IF;
    IF p.end_date < p.start_date THEN
        PERFORM api_fail('LY422', 'end_date', 'invalid_range');
    END IF;
END $$;

CREATE FUNCTION api_project_create(p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c region := api_require_county('county_code', (p ->> 'county_code')::integer);
    r work_relief_project := jsonb_populate_record(NULL::work_relief_project, p);
BEGIN
    r.funding := coalesce(r.funding, 'central');
    r.local_hires := coalesce(r.local_hires, 0);
    PERFORM project_check(r);
    INSERT INTO work_relief_project (county_code, name, funding, total_investment, remuneration_budget,
                                     planned_jobs, local_hires, jobs_filled, start_date, end_date)
    VALUES (c.code, r.name, r.funding, r.total_investment, r.remuneration_budget,
            r.planned_jobs, r.local_hires, r.local_hires, r.start_date, r.end_date)
    RETURNING * INTO r;
    status := 201;
    version := r.version;
    body := project_json(r);
END $$;

CREATE FUNCTION api_project_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r work_relief_project;
BEGIN
    SELECT * INTO r FROM work_relief_project WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := r.version;
    body := project_json(r);
END $$;

CREATE FUNCTION api_project_update(p_id bigint, p_version integer, p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    old work_relief_project;
    r work_relief_project;
BEGIN
    SELECT * INTO old FROM work_relief_project WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND old.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    r := jsonb_populate_record(old, p);
    IF r.county_code <> old.county_code THEN
        PERFORM api_require_county('county_code', r.county_code);
        -- a project's vacancies are in its county
        IF EXISTS (SELECT 1 FROM vacancy WHERE project_id = p_id) THEN
            PERFORM api_fail('LY422', 'county_code', 'not_allowed');
        END IF;
    END IF;
    PERFORM project_check(r);
    UPDATE work_relief_project SET
        county_code = r.county_code, name = r.name, funding = r.funding,
        total_investment = r.total_investment, remuneration_budget = r.remuneration_budget,
        planned_jobs = r.planned_jobs, local_hires = r.local_hires,
        jobs_filled = work_relief_project.filled_by_relocated + r.local_hires,
        start_date = r.start_date, end_date = r.end_date, archived = r.archived,
        version = work_relief_project.version + 1, updated_at = now()
    WHERE id = p_id
    RETURNING * INTO r;
    status := 200;
    version := r.version;
    body := project_json(r);
END $$;

-- Filters: county_code, funding, archived (default false), q (name contains).
-- Sorts: id, name.  Cursor: {"id": …, "name": …} of the last row shown.
CREATE FUNCTION api_project_list(f jsonb, cur jsonb, lim integer, sort text,
                                 OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows work_relief_project[];
    last work_relief_project;
BEGIN
    SELECT array_agg(p ORDER BY CASE WHEN sort = 'name' THEN p.name END, p.id) INTO rows
    FROM (SELECT * FROM work_relief_project p
          WHERE (f ->> 'county_code' IS NULL OR p.county_code = (f ->> 'county_code')::integer)
            AND (f ->> 'funding' IS NULL OR p.funding = f ->> 'funding')
            AND p.archived = coalesce((f ->> 'archived')::boolean, false)
            AND (f ->> 'q' IS NULL OR p.name LIKE '%' || api_like(f ->> 'q') || '%')
            AND (cur IS NULL OR CASE WHEN sort = 'name'
                                     THEN (p.name, p.id) > (cur ->> 'name', (cur ->> 'id')::bigint)
                                     ELSE p.id > (cur ->> 'id')::bigint END)
          ORDER BY CASE WHEN sort = 'name' THEN p.name END, p.id
          LIMIT n + 1) p;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(project_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', last.id, 'name', last.name));
    END IF;
END $$;

-- Labour remuneration paid out by a project: p = {project_id, amount, paid_on, note}.
CREATE FUNCTION api_project_payment_create(p jsonb, actor text,
                                           OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    r work_relief_project;
    pay remuneration_payment;
BEGIN
    SELECT * INTO r FROM work_relief_project WHERE id = (p ->> 'project_id')::bigint FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF round((p ->> 'amount')::numeric, 2) <= 0 THEN
        PERFORM api_fail('LY422', 'amount', 'out_of_range');
    END IF;
    IF (p ->> 'paid_on')::date > (now() AT TIME ZONE 'Asia/Shanghai')::date THEN
        PERFORM api_fail('LY422', 'paid_on', 'out_of_range');
    END IF;
    INSERT INTO remuneration_payment (project_id, amount, paid_on, note)
    VALUES (r.id, round((p ->> 'amount')::numeric, 2), (p ->> 'paid_on')::date, coalesce(p ->> 'note', ''))
    RETURNING * INTO pay;
    status := 201;
    body := jsonb_build_object(
        'id', pay.id, 'project_id', pay.project_id, 'amount', pay.amount, 'paid_on', pay.paid_on,
        'note', pay.note, 'created_at', pay.created_at,
        'remuneration_paid', (SELECT remuneration_paid FROM work_relief_project WHERE id = r.id));
END $$;

-- ---------------------------------------------------------------------------
-- Vacancies.

-- Whether text states a requirement on sex, ethnicity, household
-- registration (origin) or marital status, which the Employment Promotion
-- Law forbids.  "不限男女", "男女不限" and the like are not requirements.
CREATE FUNCTION vacancy_discriminatory(t text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT t ~* ('(?<!不)(限|只招|只要|只收|只聘|仅招|仅收|仅聘)于?(男|女)'
              || '|(?<!妇)(男|女)(性|士|生|工)?优先'
              || '|不(招|收|要|聘)(男|女|少数民族|外地|外省|农村)'
              || '|(?<!不)(限|只招|只要|只收|仅招|仅收)(汉族|少数民族|[\u4e00-\u9fa5]{1,3}族)'
              || '|汉族(者|人)?优先'
              || '|(?<!不)(限|只招|只要|只收|仅招|仅收)(本地|本市|本县|本省|本区|城镇|农村|非农|外地|当地)?(户口|户籍)'
              || '|(户口|户籍)(者|人员)?优先'
              || '|(?<!不)(限|只招|只要|仅招)(未婚|已婚)'
              || '|(未婚|已婚)(者)?优先'
              || '|\m(men|women|males?|females?|han|locals?)\s+only\M'
              || '|\monly\s+(men|women|males?|females?)\M'
              || '|\m(males?|females?|men|women)\s+(applicants\s+|candidates\s+|workers\s+)?(preferred|wanted)\M'
              || '|\mlocal\s+hukou\M');
$$;

CREATE FUNCTION vacancy_json(v vacancy) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', v.id, 'employer_id', v.employer_id,
        'employer_name', (SELECT name FROM employer WHERE id = v.employer_id),
        'project_id', v.project_id,
        'project_name', (SELECT name FROM work_relief_project WHERE id = v.project_id),
        'title', v.title, 'description', v.description, 'occupation_code', v.occupation_code,
        'occupation_name', (SELECT name FROM occupation WHERE code = v.occupation_code),
        'kind', v.kind, 'county_code', v.county_code,
        'county_name', (SELECT name FROM region WHERE code = v.county_code),
        'lat', v.lat, 'lon', v.lon, 'dest_province_code', v.dest_province_code,
        'dest_province_name', (SELECT name FROM province WHERE code = v.dest_province_code),
        'dest_city', v.dest_city, 'headcount', v.headcount, 'filled', v.filled,
        'open_places', v.headcount - v.filled,
        'wage_min', v.wage_min, 'wage_max', v.wage_max, 'wage_period', v.wage_period,
        'age_min', v.age_min, 'age_max', v.age_max,
        'accommodation', v.accommodation, 'transport', v.transport,
        'start_date', v.start_date, 'end_date', v.end_date, 'status', v.status,
        'required_skills', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                         'skill_id', s.skill_id, 'name', k.name_zh, 'name_en', k.name_en,
                                         'min_level', s.min_level, 'weight', s.weight,
                                         'must_have', s.must_have) ORDER BY s.skill_id)
                                     FROM vacancy_skill s JOIN skill k ON k.id = s.skill_id
                                     WHERE s.vacancy_id = v.id), '[]'),
        'required_certificates', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                               'certificate_type_id', c.certificate_type_id,
                                               'name', t.name_zh, 'name_en', t.name_en)
                                               ORDER BY c.certificate_type_id)
                                           FROM vacancy_certificate c
                                           JOIN certificate_type t ON t.id = c.certificate_type_id
                                           WHERE c.vacancy_id = v.id), '[]'),
        'archived', v.archived, 'version', v.version,
        'created_at', v.created_at, 'updated_at', v.updated_at);
$$;

-- References of a vacancy (old is NULL on create): employer, occupation,
-- county, project.  Returns v with its position defaulted to the county's centre.
CREATE FUNCTION vacancy_check_refs(v vacancy, old vacancy) RETURNS vacancy
LANGUAGE plpgsql AS $$
DECLARE
    c region;
    e employer;
    pr work_relief_project;
BEGIN
    IF old.id IS NULL OR v.employer_id <> old.employer_id THEN
        SELECT * INTO e FROM employer WHERE id = v.employer_id;
        IF NOT FOUND THEN
            PERFORM api_fail('LY422', 'employer_id', 'not_found');
        ELSIF e.archived THEN
            PERFORM api_fail('LY422', 'employer_id', 'archived');
        END IF;
    END IF;
    IF v.occupation_code !~ '^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}$' THEN
        PERFORM api_fail('LY422', 'occupation_code', 'invalid_format');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM occupation WHERE code = v.occupation_code AND level = 4) THEN
        PERFORM api_fail('LY422', 'occupation_code', 'not_found');
    END IF;
    c := api_require_county('county_code', v.county_code);
    v.lat := coalesce(v.lat, c.lat);
    v.lon := coalesce(v.lon, c.lon);
    IF v.project_id IS NOT NULL THEN
        SELECT * INTO pr FROM work_relief_project WHERE id = v.project_id;
        IF NOT FOUND THEN
            PERFORM api_fail('LY422', 'project_id', 'not_found');
        ELSIF v.kind <> 'work_relief' OR pr.county_code <> v.county_code THEN
            PERFORM api_fail('LY422', 'project_id', 'not_allowed');
        ELSIF pr.archived AND v.project_id IS DISTINCT FROM old.project_id THEN
            PERFORM api_fail('LY422', 'project_id', 'archived');
        END IF;
    END IF;
    RETURN v;
END $$;

-- The rules between a vacancy's fields.
CREATE FUNCTION vacancy_check(v vacancy) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF vacancy_discriminatory(v.title) THEN
        PERFORM api_fail('LY422', 'title', 'discriminatory');
    END IF;
    IF vacancy_discriminatory(v.description) THEN
        PERFORM api_fail('LY422', 'description', 'discriminatory');
    END IF;
    IF v.kind = 'labor_export' THEN
        IF v.dest_province_code IS NULL THEN
            PERFORM api_fail('LY422', 'dest_province_code', 'required');
        ELSIF NOT EXISTS (SELECT 1 FROM province WHERE code = v.dest_province_code) THEN
            PERFORM api_fail('LY422', 'dest_province_code', 'not_found');
        ELSIF v.dest_city = '' THEN
            PERFORM api_fail('LY422', 'dest_city', 'required');
        END IF;
    ELSIF v.dest_province_code IS NOT NULL THEN
        PERFORM api_fail('LY422', 'dest_province_code', 'not_allowed');
    ELSIF v.dest_city <> '' THEN
        PERFORM api_fail('LY422', 'dest_city', 'not_allowed');
    END IF;
    IF v.headcount < v.filled THEN
        PERFORM api_fail('LY422', 'headcount', 'out_of_range');
    END IF;
    IF v.wage_max < v.wage_min THEN
        PERFORM api_fail('LY422', 'wage_max', 'invalid_range');
    END IF;
    IF v.age_min < 16 OR v.age_min > 65 THEN
        PERFORM api_fail('LY422', 'age_min', 'out_of_range');
    ELSIF v.age_max < 16 OR v.age_max > 65 THEN
        PERFORM api_fail('LY422', 'age_max', 'out_of_range');
    ELSIF v.age_max < v.age_min THEN
        PERFORM api_fail('LY422', 'age_max', 'invalid_range');
    END IF;
    IF v.end_date < v.start_date THEN
        PERFORM api_fail('LY422', 'end_date', 'invalid_range');
    END IF;
END $$;

-- Status changes staff may make: draft→open, open→closed, closed→open and
-- filled→open while places are free, filled→closed.  'filled' itself is set
-- by vacancy_fill_status only.
CREATE FUNCTION vacancy_transition(from_status text, v vacancy) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF v.status = from_status THEN
        RETURN;
    ELSIF v.status = 'filled' THEN
        PERFORM api_fail('LY422', 'status', 'not_allowed');
    ELSIF (from_status, v.status) NOT IN (('draft', 'open'), ('open', 'closed'), ('closed', 'open'),
                                         ('filled', 'open'), ('filled', 'closed')) THEN
        PERFORM api_fail('LY422', 'status', 'illegal_transition');
    ELSIF v.status = 'open' AND v.filled >= v.headcount THEN
        PERFORM api_fail('LY422', 'status', 'full');
    END IF;
END $$;

-- Replaces a vacancy's required skills: items [{skill_id, min_level, weight, must_have}].
CREATE FUNCTION vacancy_set_skills(vid bigint, items jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT e.i - 1 INTO bad
    FROM jsonb_array_elements(items) WITH ORDINALITY AS e(x, i)
    WHERE NOT EXISTS (SELECT 1 FROM skill WHERE id = (e.x ->> 'skill_id')::bigint)
    ORDER BY e.i LIMIT 1;
    IF FOUND THEN
        PERFORM api_fail('LY422', 'required_skills/' || bad || '/skill_id', 'not_found');
    END IF;
    DELETE FROM vacancy_skill WHERE vacancy_id = vid;
    INSERT INTO vacancy_skill (vacancy_id, skill_id, min_level, weight, must_have)
    SELECT vid, (x ->> 'skill_id')::integer, coalesce((x ->> 'min_level')::smallint, 1),
           coalesce((x ->> 'weight')::real, 1), coalesce((x ->> 'must_have')::boolean, false)
    FROM jsonb_array_elements(items) x;
END $$;

-- Replaces a vacancy's required certificates: ids [certificate_type_id, …].
CREATE FUNCTION vacancy_set_certificates(vid bigint, ids jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    SELECT e.i - 1 INTO bad
    FROM jsonb_array_elements_text(ids) WITH ORDINALITY AS e(x, i)
    WHERE NOT EXISTS (SELECT 1 FROM certificate_type WHERE id = e.x::bigint)
    ORDER BY e.i LIMIT 1;
    IF FOUND THEN
        PERFORM api_fail('LY422', 'required_certificates/' || bad, 'not_found');
    END IF;
    DELETE FROM vacancy_certificate WHERE vacancy_id = vid;
    INSERT INTO vacancy_certificate (vacancy_id, certificate_type_id)
    SELECT vid, x::integer FROM jsonb_array_elements_text(ids) x;
END $$;

CREATE FUNCTION api_vacancy_create(p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    v vacancy := jsonb_populate_record(NULL::vacancy, p - 'required_skills' - 'required_certificates');
BEGIN
    v.description := coalesce(v.description, '');
    v.dest_city := coalesce(v.dest_city, '');
    v.wage_period := coalesce(v.wage_period, 'month');
    v.age_min := coalesce(v.age_min, 16);
    v.age_max := coalesce(v.age_max, greatest(60, v.age_min));
    v.accommodation := coalesce(v.accommodation, false);
    v.transport := coalesce(v.transport, false);
    v.filled := 0;
    v.status := coalesce(v.status, 'draft');
    IF v.status = 'filled' THEN
        PERFORM api_fail('LY422', 'status', 'not_allowed');
    ELSIF v.status NOT IN ('draft', 'open') THEN
        PERFORM api_fail('LY422', 'status', 'illegal_transition');
    END IF;
    v := vacancy_check_refs(v, NULL);
    PERFORM vacancy_check(v);
    INSERT INTO vacancy (employer_id, project_id, title, description, occupation_code, kind,
                         county_code, lat, lon, dest_province_code, dest_city, headcount,
                         wage_min, wage_max, wage_period, age_min, age_max, accommodation,
                         transport, start_date, end_date, status)
    VALUES (v.employer_id, v.project_id, v.title, v.description, v.occupation_code, v.kind,
            v.county_code, v.lat, v.lon, v.dest_province_code, v.dest_city, v.headcount,
            v.wage_min, v.wage_max, v.wage_period, v.age_min, v.age_max, v.accommodation,
            v.transport, v.start_date, v.end_date, v.status)
    RETURNING * INTO v;
    PERFORM vacancy_set_skills(v.id, coalesce(p -> 'required_skills', '[]'));
    PERFORM vacancy_set_certificates(v.id, coalesce(p -> 'required_certificates', '[]'));
    status := 201;
    version := v.version;
    body := vacancy_json(v);
END $$;

CREATE FUNCTION api_vacancy_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v vacancy;
BEGIN
    SELECT * INTO v FROM vacancy WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := v.version;
    body := vacancy_json(v);
END $$;

CREATE FUNCTION api_vacancy_update(p_id bigint, p_version integer, p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    old vacancy;
    v vacancy;
BEGIN
    SELECT * INTO old FROM vacancy WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND old.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    v := jsonb_populate_record(old, p - 'required_skills' - 'required_certificates');
    v.dest_city := coalesce(v.dest_city, '');
    IF v.county_code <> old.county_code THEN
        -- a vacancy that moves county moves to the new county's centre unless told otherwise
        v.lat := CASE WHEN p ? 'lat' THEN v.lat END;
        v.lon := CASE WHEN p ? 'lon' THEN v.lon END;
    END IF;
    v := vacancy_check_refs(v, old);
    PERFORM vacancy_check(v);
    PERFORM vacancy_transition(old.status, v);
    UPDATE vacancy SET
        employer_id = v.employer_id, project_id = v.project_id, title = v.title,
        description = v.description, occupation_code = v.occupation_code, kind = v.kind,
        county_code = v.county_code, lat = v.lat, lon = v.lon,
        dest_province_code = v.dest_province_code, dest_city = v.dest_city,
        headcount = v.headcount, wage_min = v.wage_min, wage_max = v.wage_max,
        wage_period = v.wage_period, age_min = v.age_min, age_max = v.age_max,
        accommodation = v.accommodation, transport = v.transport,
        start_date = v.start_date, end_date = v.end_date, status = v.status,
        archived = v.archived, version = vacancy.version + 1, updated_at = now()
    WHERE id = p_id
    RETURNING * INTO v;
    IF p ? 'required_skills' THEN
        PERFORM vacancy_set_skills(v.id, p -> 'required_skills');
    END IF;
    IF p ? 'required_certificates' THEN
        PERFORM vacancy_set_certificates(v.id, p -> 'required_certificates');
    END IF;
    status := 200;
    version := v.version;
    body := vacancy_json(v);
END $$;

-- The list filters of vacancies (see api_vacancy_list).
CREATE FUNCTION vacancy_list_match(v vacancy, f jsonb) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (f ->> 'county_code' IS NULL OR v.county_code = (f ->> 'county_code')::integer)
       AND (f ->> 'kind' IS NULL OR v.kind = f ->> 'kind')
       AND (f ->> 'status' IS NULL OR v.status = f ->> 'status')
       AND (f ->> 'employer_id' IS NULL OR v.employer_id = (f ->> 'employer_id')::bigint)
       AND (f ->> 'project_id' IS NULL OR v.project_id = (f ->> 'project_id')::bigint)
       AND (f ->> 'occupation_code' IS NULL OR v.occupation_code = f ->> 'occupation_code')
       AND (f ->> 'accommodation' IS NULL OR v.accommodation = (f ->> 'accommodation')::boolean)
       AND v.archived = coalesce((f ->> 'archived')::boolean, false)
       AND (f ->> 'skill_id' IS NULL
            OR EXISTS (SELECT 1 FROM vacancy_skill s
                       WHERE s.vacancy_id = v.id AND s.skill_id = (f ->> 'skill_id')::bigint))
       AND (f ->> 'q' IS NULL OR v.title LIKE '%' || api_like(f ->> 'q') || '%');
$$;

-- Filters: county_code, kind, status, employer_id, project_id, skill_id,
-- occupation_code, accommodation, archived (default false), q (title contains).
-- Sorts: id; -created (newest first); wage (highest wage_max first).
-- Cursor: {"id", "created_at", "wage_max"} of the last row shown.
CREATE FUNCTION api_vacancy_list(f jsonb, cur jsonb, lim integer, sort text,
                                 OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows vacancy[];
    last vacancy;
BEGIN
    IF sort = '-created' THEN
        SELECT array_agg(v ORDER BY v.created_at DESC, v.id DESC) INTO rows
        FROM (SELECT * FROM vacancy v
              WHERE vacancy_list_match(v, f)
                AND (cur IS NULL OR (v.created_at, v.id)
                                    < ((cur ->> 'created_at')::timestamptz, (cur ->> 'id')::bigint))
              ORDER BY v.created_at DESC, v.id DESC LIMIT n + 1) v;
    ELSIF sort = 'wage' THEN
        SELECT array_agg(v ORDER BY v.wage_max DESC, v.id) INTO rows
        FROM (SELECT * FROM vacancy v
              WHERE vacancy_list_match(v, f)
                AND (cur IS NULL OR v.wage_max < (cur ->> 'wage_max')::integer
                     OR (v.wage_max = (cur ->> 'wage_max')::integer AND v.id > (cur ->> 'id')::bigint))
              ORDER BY v.wage_max DESC, v.id LIMIT n + 1) v;
    ELSE
        SELECT array_agg(v ORDER BY v.id) INTO rows
        FROM (SELECT * FROM vacancy v
              WHERE vacancy_list_match(v, f) AND (cur IS NULL OR v.id > (cur ->> 'id')::bigint)
              ORDER BY v.id LIMIT n + 1) v;
    END IF;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(vacancy_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object(
            'id', last.id, 'created_at', last.created_at, 'wage_max', last.wage_max));
    END IF;
END $$;
