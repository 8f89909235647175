-- 005_api_sites: resettlement sites.

-- Escapes LIKE wildcards in user text.
CREATE FUNCTION api_like(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_');
$$;

CREATE FUNCTION site_json(s site) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', s.id, 'name', s.name, 'county_code', s.county_code,
        'county_name', (SELECT name FROM region WHERE code = s.county_code),
        'lat', s.lat, 'lon', s.lon, 'kind', s.kind, 'households', s.households,
        'people', s.people, 'archived', s.archived, 'version', s.version,
        'created_at', s.created_at, 'updated_at', s.updated_at);
$$;

CREATE FUNCTION api_require_county(field text, code integer) RETURNS region
LANGUAGE plpgsql STABLE AS $$
DECLARE
    r region;
BEGIN
    SELECT * INTO r FROM region WHERE region.code = api_require_county.code AND level = 'county';
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', field, 'not_found');
    END IF;
    RETURN r;
END $$;

CREATE FUNCTION api_site_create(p jsonb, actor text,
                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c region := api_require_county('county_code', (p ->> 'county_code')::integer);
    s site;
BEGIN
    INSERT INTO site (name, county_code, lat, lon, kind, households, people)
    VALUES (p ->> 'name', c.code, coalesce((p ->> 'lat')::float8, c.lat),
            coalesce((p ->> 'lon')::float8, c.lon), p ->> 'kind',
            coalesce((p ->> 'households')::integer, 0), coalesce((p ->> 'people')::integer, 0))
    RETURNING * INTO s;
    status := 201;
    version := s.version;
    body := site_json(s);
END $$;

CREATE FUNCTION api_site_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    s site;
BEGIN
    SELECT * INTO s FROM site WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := s.version;
    body := site_json(s);
END $$;

CREATE FUNCTION api_site_update(p_id bigint, p_version integer, p jsonb, actor text,
                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s site;
BEGIN
    SELECT * INTO s FROM site WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND s.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    IF p ? 'county_code' THEN
        PERFORM api_require_county('county_code', (p ->> 'county_code')::integer);
    END IF;
    UPDATE site SET
        name = coalesce(p ->> 'name', site.name),
        county_code = coalesce((p ->> 'county_code')::integer, site.county_code),
        lat = coalesce((p ->> 'lat')::float8, site.lat),
        lon = coalesce((p ->> 'lon')::float8, site.lon),
        kind = coalesce(p ->> 'kind', site.kind),
        households = coalesce((p ->> 'households')::integer, site.households),
        people = coalesce((p ->> 'people')::integer, site.people),
        archived = coalesce((p ->> 'archived')::boolean, site.archived),
        version = site.version + 1,
        updated_at = now()
    WHERE id = p_id
    RETURNING * INTO s;
    status := 200;
    version := s.version;
    body := site_json(s);
END $$;

-- Filters: county_code, kind, archived (default false), q (name contains).
-- Sorts: id, name.  Cursor: {"id": …, "name": …} of the last row shown.
CREATE FUNCTION api_site_list(f jsonb, cur jsonb, lim integer, sort text,
                              OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows site[];
    last site;
BEGIN
    SELECT array_agg(s ORDER BY CASE WHEN sort = 'name' THEN s.name END, s.id) INTO rows
    FROM (SELECT * FROM site s
          WHERE (f ->> 'county_code' IS NULL OR s.county_code = (f ->> 'county_code')::integer)
            AND (f ->> 'kind' IS NULL OR s.kind = f ->> 'kind')
            AND s.archived = coalesce((f ->> 'archived')::boolean, false)
            AND (f ->> 'q' IS NULL OR s.name LIKE '%' || api_like(f ->> 'q') || '%')
            AND (cur IS NULL OR CASE WHEN sort = 'name'
                                     THEN (s.name, s.id) > (cur ->> 'name', (cur ->> 'id')::bigint)
                                     ELSE s.id > (cur ->> 'id')::bigint END)
          ORDER BY CASE WHEN sort = 'name' THEN s.name END, s.id
          LIMIT n + 1) s;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(site_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', last.id, 'name', last.name));
    END IF;
END $$;
