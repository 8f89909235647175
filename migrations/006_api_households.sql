-- 006_api_households: households, the unit that matters.  labor_count,
-- employed_count and zero_employment are kept by the triggers on worker and
-- are never written here.

CREATE INDEX household_origin ON household (origin_county_code, id);

-- The answer for a household, from the row, its site and the two region
-- names.  Free of subqueries so that lists can inline it over a join.
CREATE FUNCTION household_json_of(h household, s site, county_name text, origin_name text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', h.id, 'site_id', h.site_id, 'site_name', s.name,
        'county_code', s.county_code, 'county_name', county_name,
        'origin_county_code', h.origin_county_code, 'origin_county_name', origin_name,
        'origin_village', h.origin_village, 'members', h.members,
        'monitoring_status', h.monitoring_status, 'monitoring_found_by', h.monitoring_found_by,
        'monitoring_found_on', h.monitoring_found_on,
        'labor_count', h.labor_count, 'employed_count', h.employed_count,
        'zero_employment', h.zero_employment,
        'archived', h.archived, 'version', h.version,
        'created_at', h.created_at, 'updated_at', h.updated_at);
$$;

CREATE FUNCTION household_json(h household) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT household_json_of(h, s, (SELECT name FROM region WHERE code = s.county_code),
                             (SELECT name FROM region WHERE code = h.origin_county_code))
    FROM (SELECT 1) one LEFT JOIN site s ON s.id = h.site_id;
$$;

-- One household with its current (non-archived) workers.
CREATE FUNCTION household_json_full(h household) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT household_json(h) || jsonb_build_object(
        'workers', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                 'id', w.id, 'name', w.name,
                                 'employment_status', w.employment_status) ORDER BY w.id)
                             FROM worker w WHERE w.household_id = h.id AND NOT w.archived), '[]'));
$$;

-- The site a household lives in: visible to the caller and not archived.
CREATE FUNCTION household_check_site(p_site bigint) RETURNS void LANGUAGE plpgsql STABLE AS $$
DECLARE
    s site;
BEGIN
    SELECT * INTO s FROM site WHERE id = p_site;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'site_id', 'not_found');
    ELSIF s.archived THEN
        PERFORM api_fail('LY422', 'site_id', 'archived');
    END IF;
END $$;

-- Monitoring (防返贫动态监测): a monitored household says how and when it
-- was found, not after today (China Standard Time); an unmonitored one says
-- neither.  p is the request: found_by/found_on sent with status 'none' are
-- refused, stored ones are cleared.  Returns h with the rules applied.
CREATE FUNCTION household_check_monitoring(h household, p jsonb) RETURNS household
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF h.monitoring_status = 'none' THEN
        IF p ->> 'monitoring_found_by' IS NOT NULL THEN
            PERFORM api_fail('LY422', 'monitoring_found_by', 'not_allowed');
        ELSIF p ->> 'monitoring_found_on' IS NOT NULL THEN
            PERFORM api_fail('LY422', 'monitoring_found_on', 'not_allowed');
        END IF;
        h.monitoring_found_by := NULL;
        h.monitoring_found_on := NULL;
    ELSIF h.monitoring_found_by IS NULL THEN
        PERFORM api_fail('LY422', 'monitoring_found_by', 'required');
    ELSIF h.monitoring_found_on IS NULL THEN
        PERFORM api_fail('LY422', 'monitoring_found_on', 'required');
    ELSIF h.monitoring_found_on > (now() AT TIME ZONE 'Asia/Shanghai')::date THEN
        PERFORM api_fail('LY422', 'monitoring_found_on', 'invalid_date');
    END IF;
    RETURN h;
END $$;

CREATE FUNCTION api_household_create(p jsonb, actor text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    h household := jsonb_populate_record(NULL::household, p);
BEGIN
    PERFORM household_check_site(h.site_id);
    PERFORM api_require_county('origin_county_code', h.origin_county_code);
    h.monitoring_status := coalesce(h.monitoring_status, 'none');
    h := household_check_monitoring(h, p);
    INSERT INTO household (site_id, origin_county_code, origin_village, members,
                           monitoring_status, monitoring_found_by, monitoring_found_on)
    VALUES (h.site_id, h.origin_county_code, coalesce(h.origin_village, ''), h.members,
            h.monitoring_status, h.monitoring_found_by, h.monitoring_found_on)
    RETURNING * INTO h;
    status := 201;
    version := h.version;
    body := household_json_full(h);
END $$;

CREATE FUNCTION api_household_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    h household;
BEGIN
    SELECT * INTO h FROM household WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := h.version;
    body := household_json_full(h);
END $$;

CREATE FUNCTION api_household_update(p_id bigint, p_version integer, p jsonb, actor text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    old household;
    h household;
BEGIN
    SELECT * INTO old FROM household WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND old.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    h := jsonb_populate_record(old, p);
    IF h.site_id <> old.site_id THEN
        PERFORM household_check_site(h.site_id);
    END IF;
    IF h.origin_county_code <> old.origin_county_code THEN
        PERFORM api_require_county('origin_county_code', h.origin_county_code);
    END IF;
    h := household_check_monitoring(h, p);
    UPDATE household SET
        site_id = h.site_id, origin_county_code = h.origin_county_code,
        origin_village = h.origin_village, members = h.members,
        monitoring_status = h.monitoring_status, monitoring_found_by = h.monitoring_found_by,
        monitoring_found_on = h.monitoring_found_on, archived = h.archived,
        version = household.version + 1, updated_at = now()
    WHERE id = p_id
    RETURNING * INTO h;
    status := 200;
    version := h.version;
    body := household_json_full(h);
END $$;

-- Filters: site_id, county_code (the site's county), origin_county_code,
-- monitoring_status, monitored (status other than 'none'), zero_employment,
-- archived (default false).  An inlined set function, so each sort below can
-- walk its own index.
CREATE FUNCTION household_filtered(f jsonb) RETURNS SETOF household LANGUAGE sql STABLE AS $$
    SELECT * FROM household h
    WHERE (f ->> 'site_id' IS NULL OR h.site_id = (f ->> 'site_id')::bigint)
      AND (f ->> 'county_code' IS NULL
           OR h.site_id IN (SELECT s.id FROM site s WHERE s.county_code = (f ->> 'county_code')::integer))
      AND (f ->> 'origin_county_code' IS NULL
           OR h.origin_county_code = (f ->> 'origin_county_code')::integer)
      AND (f ->> 'monitoring_status' IS NULL OR h.monitoring_status = f ->> 'monitoring_status')
      AND (f ->> 'monitored' IS NULL OR (h.monitoring_status <> 'none') = (f ->> 'monitored')::boolean)
      AND (f ->> 'zero_employment' IS NULL OR h.zero_employment = (f ->> 'zero_employment')::boolean)
      AND h.archived = coalesce((f ->> 'archived')::boolean, false);
$$;

-- Sorts: id, site (site id, then id).  Cursor: {"id": …, "site_id": …} of
-- the last row shown.
CREATE FUNCTION api_household_list(f jsonb, cur jsonb, lim integer, sort text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows household[];
    last household;
BEGIN
    IF sort = 'site' THEN
        SELECT array_agg(h ORDER BY h.site_id, h.id) INTO rows
        FROM (SELECT * FROM household_filtered(f) h
              WHERE cur IS NULL
                 OR (h.site_id, h.id) > ((cur ->> 'site_id')::bigint, (cur ->> 'id')::bigint)
              ORDER BY h.site_id, h.id
              LIMIT n + 1) h;
    ELSE
        SELECT array_agg(h ORDER BY h.id) INTO rows
        FROM (SELECT * FROM household_filtered(f) h
              WHERE cur IS NULL OR h.id > (cur ->> 'id')::bigint
              ORDER BY h.id
              LIMIT n + 1) h;
    END IF;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', (SELECT coalesce(jsonb_agg(household_json_of(h, s, c.name, o.name)
                                            ORDER BY CASE WHEN sort = 'site' THEN h.site_id END, h.id), '[]')
                  FROM unnest(rows[1:n]) h
                  LEFT JOIN site s ON s.id = h.site_id
                  LEFT JOIN region c ON c.code = s.county_code
                  LEFT JOIN region o ON o.code = h.origin_county_code),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}',
                          jsonb_build_object('id', last.id, 'site_id', last.site_id));
    END IF;
END $$;
