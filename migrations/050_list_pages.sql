-- 050_list_pages: one home for the tail every list function repeated, and one
-- for ending a placement.
--
-- A list function reads up to n + 1 rows after its cursor; the first n are
-- the page, and a row beyond them means there is a next page, whose cursor is
-- made from the n-th row.  api_page builds that answer, {items, next_cursor},
-- from the rows read, the page size, the page's items and the cursor of the
-- n-th row (next_cursor is null when no row lies beyond the page).  The list
-- functions below are those of earlier migrations with their tails replaced
-- by api_page; what they answer is unchanged.
--
-- POST /v1/placements/{id}/end ends the placement through placement_close
-- (035), as every other job loss does, instead of its own copy of the same
-- steps.

CREATE FUNCTION api_page(rows anyarray, n integer, items jsonb, next_cursor jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('items', coalesce(items, '[]'),
                              'next_cursor', CASE WHEN cardinality(rows) > n THEN next_cursor END);
$$;

CREATE OR REPLACE FUNCTION api_account_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows staff_account[];
BEGIN
    SELECT array_agg(a ORDER BY CASE WHEN sort = 'username' THEN a.username END, a.id) INTO rows
    FROM (SELECT * FROM staff_account a
          WHERE account_manageable(a)
            AND a.archived = coalesce((f ->> 'archived')::boolean, false)
            AND (f ->> 'role' IS NULL OR a.role = f ->> 'role')
            AND (f ->> 'q' IS NULL OR a.username LIKE '%' || api_like(f ->> 'q') || '%'
                 OR a.display_name LIKE '%' || api_like(f ->> 'q') || '%')
            AND (cur IS NULL OR CASE WHEN sort = 'username'
                                     THEN (a.username, a.id) > (cur ->> 'username', (cur ->> 'id')::bigint)
                                     ELSE a.id > (cur ->> 'id')::bigint END)
          ORDER BY CASE WHEN sort = 'username' THEN a.username END, a.id
          LIMIT n + 1) a;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(account_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id, 'username', (rows[n]).username));
END $$;

CREATE OR REPLACE FUNCTION api_allocation_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows allocation[];
BEGIN
    IF sort = 'id' THEN
        SELECT array_agg(a ORDER BY a.id) INTO rows
        FROM (SELECT * FROM allocation a
              WHERE allocation_list_match(a, f) AND (cur IS NULL OR a.id > (cur ->> 'id')::bigint)
              ORDER BY a.id LIMIT n + 1) a;
    ELSE
        SELECT array_agg(a ORDER BY a.id DESC) INTO rows
        FROM (SELECT * FROM allocation a
              WHERE allocation_list_match(a, f) AND (cur IS NULL OR a.id < (cur ->> 'id')::bigint)
              ORDER BY a.id DESC LIMIT n + 1) a;
    END IF;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(allocation_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_application_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows application[];
BEGIN
    IF sort = '-id' THEN
        SELECT array_agg(a ORDER BY a.id DESC) INTO rows
        FROM (SELECT * FROM application a
              WHERE application_list_match(a, f) AND (cur IS NULL OR a.id < (cur ->> 'id')::bigint)
              ORDER BY a.id DESC LIMIT n + 1) a;
    ELSE
        SELECT array_agg(a ORDER BY a.id) INTO rows
        FROM (SELECT * FROM application a
              WHERE application_list_match(a, f) AND (cur IS NULL OR a.id > (cur ->> 'id')::bigint)
              ORDER BY a.id LIMIT n + 1) a;
    END IF;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(application_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_audit_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows audit_log[];
    t0 timestamptz := ((f ->> 'from')::date)::timestamp AT TIME ZONE 'Asia/Shanghai';
    t1 timestamptz := ((f ->> 'to')::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai';
BEGIN
    IF t0 IS NOT NULL AND t1 IS NOT NULL AND t1 <= t0 THEN
        PERFORM api_fail('LY422', 'to', 'invalid_range');
    END IF;
    SELECT array_agg(a ORDER BY a.id DESC) INTO rows
    FROM (SELECT * FROM audit_log a
          WHERE (f ->> 'actor_kind' IS NULL OR a.actor_kind = f ->> 'actor_kind')
            AND (f ->> 'actor_name' IS NULL OR a.actor_name = f ->> 'actor_name')
            AND (f ->> 'action' IS NULL OR a.action = f ->> 'action')
            AND (f ->> 'resource' IS NULL OR a.resource = f ->> 'resource')
            AND (f ->> 'resource_id' IS NULL OR a.resource_id = f ->> 'resource_id')
            AND (f ->> 'request_id' IS NULL OR a.request_id = f ->> 'request_id')
            AND (t0 IS NULL OR a.at >= t0)
            AND (t1 IS NULL OR a.at < t1)
            AND (cur IS NULL OR a.id < (cur ->> 'id')::bigint)
          ORDER BY a.id DESC LIMIT n + 1) a;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(audit_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_broker_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows broker[];
BEGIN
    SELECT array_agg(b ORDER BY CASE WHEN sort = 'name' THEN b.name END, b.id) INTO rows
    FROM (SELECT * FROM broker b
          WHERE b.archived = coalesce((f ->> 'archived')::boolean, false)
            AND (f ->> 'q' IS NULL OR b.name LIKE '%' || api_like(f ->> 'q') || '%')
            AND (cur IS NULL OR CASE WHEN sort = 'name'
                                     THEN (b.name, b.id) > (cur ->> 'name', (cur ->> 'id')::bigint)
                                     ELSE b.id > (cur ->> 'id')::bigint END)
          ORDER BY CASE WHEN sort = 'name' THEN b.name END, b.id
          LIMIT n + 1) b;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(broker_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id, 'name', (rows[n]).name));
END $$;

CREATE OR REPLACE FUNCTION api_course_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := api_page_limit(lim);
    by_id boolean := sort = 'id';
    rows course[];
BEGIN
    SELECT array_agg(c ORDER BY CASE WHEN NOT by_id THEN c.starts_on END, c.id) INTO rows
    FROM (SELECT * FROM course c
          WHERE (f ->> 'county_code' IS NULL OR c.county_code = (f ->> 'county_code')::integer)
            AND (f ->> 'site_id' IS NULL OR c.site_id = (f ->> 'site_id')::bigint)
            AND (f ->> 'skill_id' IS NULL OR c.skill_id = (f ->> 'skill_id')::integer)
            AND (f ->> 'certificate_type_id' IS NULL
                 OR c.certificate_type_id = (f ->> 'certificate_type_id')::integer)
            AND (f ->> 'language' IS NULL OR c.language = f ->> 'language')
            AND (f ->> 'upcoming' IS NULL
                 OR (c.starts_on > placement_today() AND c.status = 'open') = (f ->> 'upcoming')::boolean)
            AND c.archived = coalesce((f ->> 'archived')::boolean, false)
            AND (cur IS NULL OR CASE WHEN by_id THEN c.id > (cur ->> 'id')::bigint
                                     ELSE (c.starts_on, c.id) > ((cur ->> 'starts_on')::date,
                                                                 (cur ->> 'id')::bigint) END)
          ORDER BY CASE WHEN NOT by_id THEN c.starts_on END, c.id
          LIMIT n + 1) c;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(course_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id, 'starts_on', (rows[n]).starts_on));
END $$;

CREATE OR REPLACE FUNCTION api_employer_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows employer[];
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
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(employer_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id, 'name', (rows[n]).name));
END $$;

CREATE OR REPLACE FUNCTION api_enrolment_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows course_enrolment[];
BEGIN
    SELECT array_agg(e ORDER BY e.id) INTO rows
    FROM (SELECT * FROM course_enrolment e
          WHERE (f ->> 'course_id' IS NULL OR e.course_id = (f ->> 'course_id')::bigint)
            AND (f ->> 'worker_id' IS NULL OR e.worker_id = (f ->> 'worker_id')::bigint)
            AND (f ->> 'status' IS NULL OR e.status = f ->> 'status')
            AND (cur IS NULL OR e.id > (cur ->> 'id')::bigint)
          ORDER BY e.id LIMIT n + 1) e;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(enrolment_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_export_trip_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows export_trip[];
BEGIN
    SELECT array_agg(t ORDER BY CASE WHEN sort = '-id' THEN -t.id END,
                                CASE WHEN sort <> '-id' THEN t.departure_on END, t.id) INTO rows
    FROM (SELECT * FROM export_trip t
          WHERE (f ->> 'status' IS NULL OR t.status = f ->> 'status')
            AND (f ->> 'county_code' IS NULL OR t.county_code = (f ->> 'county_code')::integer)
            AND (f ->> 'upcoming' IS NULL
                 OR (t.departure_on >= placement_today()) = (f ->> 'upcoming')::boolean)
            AND (cur IS NULL OR CASE WHEN sort = '-id' THEN t.id < (cur ->> 'id')::bigint
                                     ELSE (t.departure_on, t.id) > ((cur ->> 'd')::date, (cur ->> 'id')::bigint) END)
          ORDER BY CASE WHEN sort = '-id' THEN -t.id END,
                   CASE WHEN sort <> '-id' THEN t.departure_on END, t.id
          LIMIT n + 1) t;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(export_trip_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id, 'd', (rows[n]).departure_on));
END $$;

CREATE OR REPLACE FUNCTION api_followup_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows followup[];
BEGIN
    SELECT array_agg(fu ORDER BY fu.due_on, fu.id) INTO rows
    FROM (SELECT * FROM followup fu
          WHERE followup_list_match(fu, f)
            AND (cur IS NULL OR (fu.due_on, fu.id)
                                > ((cur ->> 'due_on')::date, (cur ->> 'id')::bigint))
          ORDER BY fu.due_on, fu.id LIMIT n + 1) fu;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(followup_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('due_on', (rows[n]).due_on, 'id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_household_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows household[];
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
    status := 200;
    body := api_page(rows, n,
        (SELECT coalesce(jsonb_agg(household_json_of(h, s, c.name, o.name)
                                            ORDER BY CASE WHEN sort = 'site' THEN h.site_id END, h.id), '[]')
                  FROM unnest(rows[1:n]) h
                  LEFT JOIN site s ON s.id = h.site_id
                  LEFT JOIN region c ON c.code = s.county_code
                  LEFT JOIN region o ON o.code = h.origin_county_code),
        jsonb_build_object('id', (rows[n]).id, 'site_id', (rows[n]).site_id));
END $$;

CREATE OR REPLACE FUNCTION api_notify_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows notify_outbox[];
BEGIN
    SELECT array_agg(o ORDER BY o.id DESC) INTO rows
    FROM (SELECT * FROM notify_outbox o
          WHERE (f ->> 'status' IS NULL OR o.status = f ->> 'status')
            AND (f ->> 'channel' IS NULL OR o.channel = f ->> 'channel')
            AND (cur IS NULL OR o.id < (cur ->> 'id')::bigint)
          ORDER BY o.id DESC LIMIT n + 1) o;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(notify_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_occupation_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows occupation[];
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
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(occupation_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('code', (rows[n]).code));
END $$;

CREATE OR REPLACE FUNCTION api_placement_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows placement[];
BEGIN
    IF sort = '-id' THEN
        SELECT array_agg(p ORDER BY p.id DESC) INTO rows
        FROM (SELECT * FROM placement p
              WHERE placement_list_match(p, f) AND (cur IS NULL OR p.id < (cur ->> 'id')::bigint)
              ORDER BY p.id DESC LIMIT n + 1) p;
    ELSE
        SELECT array_agg(p ORDER BY p.id) INTO rows
        FROM (SELECT * FROM placement p
              WHERE placement_list_match(p, f) AND (cur IS NULL OR p.id > (cur ->> 'id')::bigint)
              ORDER BY p.id LIMIT n + 1) p;
    END IF;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(placement_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_project_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows work_relief_project[];
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
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(project_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id, 'name', (rows[n]).name));
END $$;

CREATE OR REPLACE FUNCTION api_site_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows site[];
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
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(site_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('id', (rows[n]).id, 'name', (rows[n]).name));
END $$;

CREATE OR REPLACE FUNCTION api_vacancy_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows vacancy[];
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
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(vacancy_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object( 'id', (rows[n]).id, 'created_at', (rows[n]).created_at, 'wage_max', (rows[n]).wage_max));
END $$;

CREATE OR REPLACE FUNCTION api_warning_task_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows early_warning_task[];
BEGIN
    IF sort = 'due_on' THEN
        SELECT array_agg(t ORDER BY t.due_on, t.id) INTO rows
        FROM (SELECT * FROM early_warning_task t
              WHERE warning_task_list_match(t, f)
                AND (cur IS NULL OR (t.due_on, t.id)
                                    > ((cur ->> 'due_on')::date, (cur ->> 'id')::bigint))
              ORDER BY t.due_on, t.id LIMIT n + 1) t;
    ELSE
        SELECT array_agg(t ORDER BY t.id) INTO rows
        FROM (SELECT * FROM early_warning_task t
              WHERE warning_task_list_match(t, f) AND (cur IS NULL OR t.id > (cur ->> 'id')::bigint)
              ORDER BY t.id LIMIT n + 1) t;
    END IF;
    status := 200;
    body := api_page(rows, n, (SELECT jsonb_agg(warning_task_json(rows[i]) ORDER BY i)
                               FROM generate_subscripts(rows, 1) i WHERE i <= n),
                     jsonb_build_object('due_on', (rows[n]).due_on, 'id', (rows[n]).id));
END $$;

CREATE OR REPLACE FUNCTION api_worker_list(f jsonb, cur jsonb, lim integer, sort text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE SET jit TO 'off' AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows worker[];
BEGIN
    IF sort = 'name' THEN
        SELECT array_agg(w ORDER BY w.name, w.id) INTO rows
        FROM (SELECT * FROM worker_filtered(f) w
              WHERE cur IS NULL OR (w.name, w.id) > (cur ->> 'name', (cur ->> 'id')::bigint)
              ORDER BY w.name, w.id
              LIMIT n + 1) w;
    ELSE
        SELECT array_agg(w ORDER BY w.id) INTO rows
        FROM (SELECT * FROM worker_filtered(f) w
              WHERE cur IS NULL OR w.id > (cur ->> 'id')::bigint
              ORDER BY w.id
              LIMIT n + 1) w;
    END IF;
    status := 200;
    body := api_page(rows, n,
        (SELECT coalesce(jsonb_agg(worker_json_of(w, h, s, c.name)
                                            ORDER BY CASE WHEN sort = 'name' THEN w.name END, w.id),
                                  '[]')
                  FROM unnest(rows[1:n]) w
                  LEFT JOIN household h ON h.id = w.household_id
                  LEFT JOIN site s ON s.id = h.site_id
                  LEFT JOIN region c ON c.code = s.county_code),
        jsonb_build_object('id', (rows[n]).id, 'name', (rows[n]).name));
END $$;

CREATE OR REPLACE FUNCTION api_placement_end(p_id bigint, p_version integer, p jsonb, p_actor text,
                                             OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    pl placement;
    t early_warning_task;
    ended date := (p ->> 'ended_on')::date;
BEGIN
    SELECT * INTO pl FROM placement x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND pl.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    IF pl.ended_on IS NOT NULL THEN
        PERFORM api_fail('LY409', 'ended_on', 'illegal_transition');
    END IF;
    IF ended IS NULL THEN
        PERFORM api_fail('LY422', 'ended_on', 'required');
    ELSIF ended < pl.start_date OR ended > placement_today() THEN
        PERFORM api_fail('LY422', 'ended_on', 'out_of_range');
    END IF;
    -- placement_close gives the place back under the province's scope; the
    -- caller must see the vacancy to end its placement
    PERFORM 1 FROM vacancy x WHERE x.id = pl.vacancy_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY409', 'vacancy_id', 'outside_scope');
    END IF;
    t := placement_close(pl.id, ended, p ->> 'end_reason', coalesce(p ->> 'note', ''));
    SELECT * INTO pl FROM placement x WHERE x.id = p_id;
    status := 200;
    version := pl.version;
    body := placement_json_full(pl) || jsonb_build_object(
        'early_warning_task', CASE WHEN t.id IS NULL THEN NULL ELSE warning_task_json(t) END);
END $$;
