-- 008_api_employers: the reference taxonomies (occupations, skills,
-- certificate types, skill levels, provinces) and employers.

-- Staff extend the skill and certificate taxonomies; a change needs If-Match.
ALTER TABLE skill ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE certificate_type ADD COLUMN version integer NOT NULL DEFAULT 1;
CREATE INDEX skill_parent ON skill (parent_id);
CREATE INDEX certificate_type_parent ON certificate_type (parent_id);
CREATE INDEX employer_name ON employer (name, id);
CREATE INDEX employer_partner ON employer (partner_province_code, id)
    WHERE partner_province_code IS NOT NULL;

-- ---------------------------------------------------------------------------
-- Occupations (职业分类大典 2022), read-only.

CREATE FUNCTION occupation_json(o occupation) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('code', o.code, 'level', o.level, 'name', o.name,
                              'parent_code', o.parent_code, 'digital', o.is_digital,
                              'green', o.is_green);
$$;

-- One occupation with its ancestors (大类 first) and the number of its children.
CREATE FUNCTION api_occupation_get(p_code text, OUT status integer, OUT version integer,
                                   OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    o occupation;
BEGIN
    SELECT * INTO o FROM occupation x WHERE x.code = p_code;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    body := occupation_json(o) || jsonb_build_object(
        'parents', (WITH RECURSIVE up AS (
                        SELECT a.code, a.level, a.name, a.parent_code FROM occupation a
                        WHERE a.code = o.parent_code
                        UNION
                        SELECT a.code, a.level, a.name, a.parent_code
                        FROM occupation a JOIN up ON a.code = up.parent_code)
                    SELECT coalesce(jsonb_agg(jsonb_build_object('code', up.code, 'level', up.level,
                                                                 'name', up.name)
                                              ORDER BY up.level), '[]')
                    FROM up),
        'children_count', (SELECT count(*) FROM occupation c WHERE c.parent_code = o.code));
END $$;

-- Filters: level (1-4), parent (code), q (name contains), digital, green.
-- Sort: code.  Cursor: {"code": …} of the last row shown.
CREATE FUNCTION api_occupation_list(f jsonb, cur jsonb, lim integer, sort text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows occupation[];
    last occupation;
BEGIN
    SELECT array_agg(o ORDER BY o.code COLLATE "C") INTO rows
    FROM (SELECT * FROM occupation o
          WHERE (f ->> 'level' IS NULL OR o.level = (f ->> 'level')::smallint)
            AND (f ->> 'parent' IS NULL OR o.parent_code = f ->> 'parent')
            AND (f ->> 'q' IS NULL OR o.name LIKE '%' || api_like(f ->> 'q') || '%')
            AND (f ->> 'digital' IS NULL OR o.is_digital = (f ->> 'digital')::boolean)
            AND (f ->> 'green' IS NULL OR o.is_green = (f ->> 'green')::boolean)
            AND (cur IS NULL OR o.code COLLATE "C" > (cur ->> 'code'))
          ORDER BY o.code COLLATE "C"
          LIMIT n + 1) o;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(occupation_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('code', last.code));
    END IF;
END $$;

-- ---------------------------------------------------------------------------
-- Skill levels and provinces, read-only.

-- The ladder of skill levels.  worker_level is the level a worker's or a
-- vacancy's skill is recorded at (1 初级工/五级 … 5 高级技师/一级); NULL for
-- the ranks outside the classic five.
CREATE FUNCTION api_skill_levels() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('items', coalesce(jsonb_agg(jsonb_build_object(
        'rank', l.rank, 'name', l.name, 'national_level', l.national_level, 'name_en', l.name_en,
        'in_5_level_system', l.in_5_level_system,
        'worker_level', CASE WHEN l.in_5_level_system THEN l.rank - 1 END,
        'note', l.note) ORDER BY l.rank), '[]'))
    FROM skill_level l;
$$;

CREATE FUNCTION api_provinces() RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('items', coalesce(jsonb_agg(jsonb_build_object(
        'code', p.code, 'name', p.name, 'name_en', p.name_en) ORDER BY p.code), '[]'))
    FROM province p;
$$;

-- ---------------------------------------------------------------------------
-- Skills.  Ids are given by the server: the next after the highest, taken
-- under a lock so that concurrent creations do not collide.

CREATE FUNCTION skill_json(s skill) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', s.id, 'code', s.code, 'name_zh', s.name_zh, 'name_en', s.name_en,
        'category', s.category, 'parent_id', s.parent_id,
        'parent', (SELECT jsonb_build_object('id', p.id, 'code', p.code, 'name_zh', p.name_zh,
                                             'name_en', p.name_en)
                   FROM skill p WHERE p.id = s.parent_id),
        'occupation_code', s.occupation_code,
        'occupation_name', (SELECT o.name FROM occupation o WHERE o.code = s.occupation_code),
        'version', s.version);
$$;

-- The rules of a skill (new or changed): a unique code, an existing parent
-- that is not the skill itself or one of its descendants, an existing
-- occupation.  A new skill without a category takes its parent's.
CREATE FUNCTION skill_check(s skill) RETURNS skill LANGUAGE plpgsql STABLE AS $$
DECLARE
    parent skill;
BEGIN
    IF EXISTS (SELECT 1 FROM skill k WHERE k.code = s.code AND k.id <> s.id) THEN
        PERFORM api_fail('LY409', 'code', 'duplicate');
    END IF;
    IF s.parent_id IS NOT NULL THEN
        SELECT * INTO parent FROM skill k WHERE k.id = s.parent_id;
        IF NOT FOUND THEN
            PERFORM api_fail('LY422', 'parent_id', 'not_found');
        END IF;
        IF EXISTS (WITH RECURSIVE up AS (
                       SELECT k.id, k.parent_id FROM skill k WHERE k.id = s.parent_id
                       UNION
                       SELECT k.id, k.parent_id FROM skill k JOIN up ON k.id = up.parent_id)
                   SELECT 1 FROM up WHERE up.id = s.id) THEN
            PERFORM api_fail('LY422', 'parent_id', 'not_allowed');
        END IF;
        s.category := coalesce(s.category, parent.category);
    END IF;
    IF s.category IS NULL THEN
        PERFORM api_fail('LY422', 'category', 'required');
    END IF;
    IF s.occupation_code IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM occupation o WHERE o.code = s.occupation_code) THEN
        PERFORM api_fail('LY422', 'occupation_code', 'not_found');
    END IF;
    RETURN s;
END $$;

CREATE FUNCTION api_skill_create(p jsonb, actor text,
                                 OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s skill := jsonb_populate_record(NULL::skill, p);
BEGIN
    LOCK TABLE skill IN SHARE ROW EXCLUSIVE MODE;
    s.id := (SELECT coalesce(max(k.id), 0) + 1 FROM skill k);
    s.version := 1;
    s := skill_check(s);
    INSERT INTO skill SELECT (s).* RETURNING * INTO s;
    status := 201;
    version := s.version;
    body := skill_json(s);
END $$;

CREATE FUNCTION api_skill_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s skill;
BEGIN
    SELECT * INTO s FROM skill k WHERE k.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := s.version;
    body := skill_json(s);
END $$;

CREATE FUNCTION api_skill_update(p_id bigint, p_version integer, p jsonb, actor text,
                                 OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s skill;
BEGIN
    SELECT * INTO s FROM skill k WHERE k.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND s.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    s := skill_check(jsonb_populate_record(s, p));
    UPDATE skill k SET
        code = s.code, name_zh = s.name_zh, name_en = s.name_en, category = s.category,
        parent_id = s.parent_id, occupation_code = s.occupation_code, version = k.version + 1
    WHERE k.id = p_id
    RETURNING * INTO s;
    status := 200;
    version := s.version;
    body := skill_json(s);
END $$;

-- Every skill, in id order.  Filters: category; q (code, Chinese or English
-- name contains).
CREATE FUNCTION api_skill_all(f jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('items', coalesce(jsonb_agg(skill_json(s) ORDER BY s.id), '[]'))
    FROM skill s
    WHERE (f ->> 'category' IS NULL OR s.category = f ->> 'category')
      AND (f ->> 'q' IS NULL OR s.code LIKE '%' || api_like(f ->> 'q') || '%'
           OR s.name_zh LIKE '%' || api_like(f ->> 'q') || '%'
           OR s.name_en ILIKE '%' || api_like(f ->> 'q') || '%');
$$;

-- ---------------------------------------------------------------------------
-- Certificate types: the same rules as skills (without occupations).

CREATE FUNCTION certificate_type_json(c certificate_type) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'code', c.code, 'name_zh', c.name_zh, 'name_en', c.name_en,
        'category', c.category, 'parent_id', c.parent_id,
        'parent', (SELECT jsonb_build_object('id', p.id, 'code', p.code, 'name_zh', p.name_zh,
                                             'name_en', p.name_en)
                   FROM certificate_type p WHERE p.id = c.parent_id),
        'version', c.version);
$$;

CREATE FUNCTION certificate_type_check(c certificate_type) RETURNS certificate_type
LANGUAGE plpgsql STABLE AS $$
DECLARE
    parent certificate_type;
BEGIN
    IF EXISTS (SELECT 1 FROM certificate_type t WHERE t.code = c.code AND t.id <> c.id) THEN
        PERFORM api_fail('LY409', 'code', 'duplicate');
    END IF;
    IF c.parent_id IS NOT NULL THEN
        SELECT * INTO parent FROM certificate_type t WHERE t.id = c.parent_id;
        IF NOT FOUND THEN
            PERFORM api_fail('LY422', 'parent_id', 'not_found');
        END IF;
        IF EXISTS (WITH RECURSIVE up AS (
                       SELECT t.id, t.parent_id FROM certificate_type t WHERE t.id = c.parent_id
                       UNION
                       SELECT t.id, t.parent_id FROM certificate_type t JOIN up ON t.id = up.parent_id)
                   SELECT 1 FROM up WHERE up.id = c.id) THEN
            PERFORM api_fail('LY422', 'parent_id', 'not_allowed');
        END IF;
        c.category := coalesce(c.category, parent.category);
    END IF;
    IF c.category IS NULL THEN
        PERFORM api_fail('LY422', 'category', 'required');
    END IF;
    RETURN c;
END $$;

CREATE FUNCTION api_certificate_type_create(p jsonb, actor text,
                                            OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c certificate_type := jsonb_populate_record(NULL::certificate_type, p);
BEGIN
    LOCK TABLE certificate_type IN SHARE ROW EXCLUSIVE MODE;
    c.id := (SELECT coalesce(max(t.id), 0) + 1 FROM certificate_type t);
    c.version := 1;
    c := certificate_type_check(c);
    INSERT INTO certificate_type SELECT (c).* RETURNING * INTO c;
    status := 201;
    version := c.version;
    body := certificate_type_json(c);
END $$;

CREATE FUNCTION api_certificate_type_get(p_id bigint,
                                         OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    c certificate_type;
BEGIN
    SELECT * INTO c FROM certificate_type t WHERE t.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := c.version;
    body := certificate_type_json(c);
END $$;

CREATE FUNCTION api_certificate_type_update(p_id bigint, p_version integer, p jsonb, actor text,
                                            OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c certificate_type;
BEGIN
    SELECT * INTO c FROM certificate_type t WHERE t.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND c.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    c := certificate_type_check(jsonb_populate_record(c, p));
    UPDATE certificate_type t SET
        code = c.code, name_zh = c.name_zh, name_en = c.name_en, category = c.category,
        parent_id = c.parent_id, version = t.version + 1
    WHERE t.id = p_id
    RETURNING * INTO c;
    status := 200;
    version := c.version;
    body := certificate_type_json(c);
END $$;

-- Every certificate type, in id order.  Filters: category; q (code, Chinese
-- or English name contains).
CREATE FUNCTION api_certificate_type_all(f jsonb) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('items', coalesce(jsonb_agg(certificate_type_json(c) ORDER BY c.id),
                                                '[]'))
    FROM certificate_type c
    WHERE (f ->> 'category' IS NULL OR c.category = f ->> 'category')
      AND (f ->> 'q' IS NULL OR c.code LIKE '%' || api_like(f ->> 'q') || '%'
           OR c.name_zh LIKE '%' || api_like(f ->> 'q') || '%'
           OR c.name_en ILIKE '%' || api_like(f ->> 'q') || '%');
$$;

-- ---------------------------------------------------------------------------
-- Employers.  The contact phone is written but only ever answered masked.

-- 13812345678 -> 138****5678; 0871-65123456 -> 0871-****3456.
CREATE FUNCTION employer_phone_mask(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p IS NULL THEN NULL
                WHEN p !~ '-' THEN left(p, 3) || '****' || right(p, 4)
                ELSE split_part(p, '-', 1) || '-'
                     || repeat('*', length(split_part(p, '-', 2)) - 4) || right(p, 4) END;
$$;

-- open_vacancies and open_places count the employer's open, unarchived
-- vacancies that the caller can see.
CREATE FUNCTION employer_json(e employer) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'name', e.name, 'credit_code', e.credit_code, 'kind', e.kind,
        'county_code', e.county_code,
        'county_name', (SELECT r.name FROM region r WHERE r.code = e.county_code),
        'partner_province_code', e.partner_province_code,
        'partner_province_name', (SELECT p.name FROM province p
                                  WHERE p.code = e.partner_province_code),
        'contact_name', e.contact_name,
        'contact_phone_masked', employer_phone_mask(e.contact_phone),
        'address', e.address, 'open_vacancies', v.n, 'open_places', v.places,
        'archived', e.archived, 'version', e.version,
        'created_at', e.created_at, 'updated_at', e.updated_at)
    FROM (SELECT count(*) AS n, coalesce(sum(x.headcount - x.filled), 0) AS places
          FROM vacancy x
          WHERE x.employer_id = e.id AND x.status = 'open' AND NOT x.archived) v;
$$;

-- An employer's references: a county-level region, a known partner province.
CREATE FUNCTION employer_check(e employer) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    PERFORM api_require_county('county_code', e.county_code);
    IF e.partner_province_code IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM province p WHERE p.code = e.partner_province_code) THEN
        PERFORM api_fail('LY422', 'partner_province_code', 'not_found');
    END IF;
END $$;

-- The credit code is unique over all employers, also those outside the
-- caller's scope, so a duplicate is told by the unique index.
CREATE FUNCTION api_employer_create(p jsonb, actor text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    e employer := jsonb_populate_record(NULL::employer, p);
BEGIN
    PERFORM employer_check(e);
    BEGIN
        INSERT INTO employer (name, credit_code, kind, county_code, partner_province_code,
                              contact_name, contact_phone, address)
        VALUES (e.name, e.credit_code, e.kind, e.county_code, e.partner_province_code,
                coalesce(e.contact_name, ''), e.contact_phone, coalesce(e.address, ''))
        RETURNING * INTO e;
    EXCEPTION WHEN unique_violation THEN
        PERFORM api_fail('LY409', 'credit_code', 'duplicate');
    END;
    status := 201;
    version := e.version;
    body := employer_json(e);
END $$;

CREATE FUNCTION api_employer_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    e employer;
BEGIN
    SELECT * INTO e FROM employer x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := e.version;
    body := employer_json(e);
END $$;

CREATE FUNCTION api_employer_update(p_id bigint, p_version integer, p jsonb, actor text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    e employer;
BEGIN
    SELECT * INTO e FROM employer x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND e.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    e := jsonb_populate_record(e, p);
    PERFORM employer_check(e);
    BEGIN
        UPDATE employer x SET
            name = e.name, credit_code = e.credit_code, kind = e.kind,
            county_code = e.county_code, partner_province_code = e.partner_province_code,
            contact_name = e.contact_name, contact_phone = e.contact_phone,
            address = e.address, archived = e.archived,
            version = x.version + 1, updated_at = now()
        WHERE x.id = p_id
        RETURNING * INTO e;
    EXCEPTION WHEN unique_violation THEN
        PERFORM api_fail('LY409', 'credit_code', 'duplicate');
    END;
    status := 200;
    version := e.version;
    body := employer_json(e);
END $$;

-- Filters: county_code, kind, partner_province_code, archived (default
-- false), q (name contains).  Sorts: id, name.  Cursor: {"id", "name"} of
-- the last row shown.
CREATE FUNCTION api_employer_list(f jsonb, cur jsonb, lim integer, sort text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows employer[];
    last employer;
BEGIN
    SELECT array_agg(e ORDER BY CASE WHEN sort = 'name' THEN e.name END, e.id) INTO rows
    FROM (SELECT * FROM employer e
          WHERE (f ->> 'county_code' IS NULL OR e.county_code = (f ->> 'county_code')::integer)
            AND (f ->> 'kind' IS NULL OR e.kind = f ->> 'kind')
            AND (f ->> 'partner_province_code' IS NULL
                 OR e.partner_province_code = (f ->> 'partner_province_code')::integer)
            AND e.archived = coalesce((f ->> 'archived')::boolean, false)
            AND (f ->> 'q' IS NULL OR e.name LIKE '%' || api_like(f ->> 'q') || '%')
            AND (cur IS NULL OR CASE WHEN sort = 'name'
                                     THEN (e.name, e.id) > (cur ->> 'name', (cur ->> 'id')::bigint)
                                     ELSE e.id > (cur ->> 'id')::bigint END)
          ORDER BY CASE WHEN sort = 'name' THEN e.name END, e.id
          LIMIT n + 1) e;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(employer_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', last.id, 'name', last.name));
    END IF;
END $$;
