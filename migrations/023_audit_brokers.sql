-- 023_audit_brokers: the audit log as a resource for administrators, and
-- each broker's record (applications, hires, six-month retention) for staff.

CREATE FUNCTION audit_json(a audit_log) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'at', a.at, 'actor_kind', a.actor_kind, 'actor_id', a.actor_id,
        'actor_name', a.actor_name, 'action', a.action, 'resource', a.resource,
        'resource_id', a.resource_id, 'peer', a.peer, 'request_id', a.request_id,
        'detail', a.detail);
$$;

-- Filters: actor_kind, actor_name, action, resource, resource_id, request_id,
-- from and to (dates, China time, both inclusive).  Newest first; the cursor
-- is {"id"} of the last row shown.
CREATE FUNCTION api_audit_list(f jsonb, cur jsonb, lim integer, sort text,
                               OUT status integer, OUT version integer, OUT body jsonb)
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
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(audit_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', (rows[n]).id));
    END IF;
END $$;

-- A broker with what it achieved, counted over the applications the caller
-- may see (row-level security): staff of a county see their county's share.
-- Retention: of the hires that started six months ago or earlier, those
-- still in the job six months after they started.
CREATE FUNCTION broker_json(b broker) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', b.id, 'name', b.name, 'contact_name', b.contact_name, 'archived', b.archived,
        'created_at', b.created_at,
        'keys', (SELECT count(*) FROM broker_key k WHERE k.broker_id = b.id AND k.revoked_at IS NULL),
        'applications', s.applications, 'hires', s.hires, 'active_placements', s.active,
        'due_6m', s.due_6m, 'retained_6m', s.retained_6m,
        'retention_6m', CASE WHEN s.due_6m > 0 THEN round(s.retained_6m::numeric / s.due_6m, 4) END)
    FROM (SELECT count(DISTINCT a.id) AS applications,
                 count(p.id) AS hires,
                 count(p.id) FILTER (WHERE p.ended_on IS NULL) AS active,
                 count(p.id) FILTER (WHERE p.start_date + interval '6 months' <= placement_today()) AS due_6m,
                 count(p.id) FILTER (WHERE p.start_date + interval '6 months' <= placement_today()
                                       AND (p.ended_on IS NULL
                                            OR p.ended_on >= p.start_date + interval '6 months')) AS retained_6m
          FROM application a LEFT JOIN placement p ON p.application_id = a.id
          WHERE a.broker_id = b.id) s;
$$;

CREATE FUNCTION api_broker_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    b broker;
BEGIN
    SELECT * INTO b FROM broker WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    status := 200;
    version := b.version;
    body := broker_json(b);
END $$;

-- Filters: archived, q (part of the name).  Sorts: id, name.
CREATE FUNCTION api_broker_list(f jsonb, cur jsonb, lim integer, sort text,
                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows broker[];
    last broker;
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
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(broker_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', last.id, 'name', last.name));
    END IF;
END $$;

-- Applications name the broker who submitted them, and can be listed by it.
CREATE OR REPLACE FUNCTION application_list_match(a application, f jsonb) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (f ->> 'worker_id' IS NULL OR a.worker_id = (f ->> 'worker_id')::bigint)
       AND (f ->> 'vacancy_id' IS NULL OR a.vacancy_id = (f ->> 'vacancy_id')::bigint)
       AND (f ->> 'status' IS NULL OR a.status = f ->> 'status')
       AND (f ->> 'source' IS NULL OR a.source = f ->> 'source')
       AND (f ->> 'broker_id' IS NULL OR a.broker_id = (f ->> 'broker_id')::bigint);
$$;

CREATE OR REPLACE FUNCTION application_json(a application) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'worker_id', a.worker_id, 'worker_name', w.name,
        'vacancy_id', a.vacancy_id, 'vacancy_title', v.title,
        'employer_id', v.employer_id, 'employer_name', e.name, 'county_code', v.county_code,
        'source', a.source, 'status', a.status, 'note', a.note, 'created_by', a.created_by,
        'broker_id', a.broker_id, 'broker_name', b.name,
        'placement_id', (SELECT p.id FROM placement p WHERE p.application_id = a.id),
        'version', a.version, 'created_at', a.created_at, 'updated_at', a.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN worker w ON w.id = a.worker_id
    LEFT JOIN vacancy v ON v.id = a.vacancy_id
    LEFT JOIN employer e ON e.id = v.employer_id
    LEFT JOIN broker b ON b.id = a.broker_id;
$$;

CREATE INDEX application_broker ON application (broker_id, id) WHERE broker_id IS NOT NULL;
