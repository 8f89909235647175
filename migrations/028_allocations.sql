-- 028_allocations: bulk allocation of posts (docs/matching.md, "Allocation").
--
-- Staff ask for an allocation of a set of open vacancies of one county; it is
-- queued here and a solver thread of any server instance claims it
-- (allocation_claim, FOR UPDATE SKIP LOCKED), reports progress and stores the
-- draft.  A claim whose heartbeat stops (the instance died) is taken over.
-- Staff review the draft (drop, restore, swap), confirm it (offered
-- applications, source 'allocation', in one transaction), and for
-- work-relief, public-welfare and forest-ranger posts publish a notice (公示)
-- during which objections put an assignment back to staff.

CREATE TABLE allocation (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    county_code   integer NOT NULL REFERENCES region (code),
    project_id    bigint REFERENCES work_relief_project (id),
    vacancy_ids   bigint[] NOT NULL CHECK (cardinality(vacancy_ids) BETWEEN 1 AND 100000),
    pool          bigint[] CHECK (cardinality(pool) BETWEEN 1 AND 100000), -- NULL: all seeking workers
    k             integer NOT NULL CHECK (k BETWEEN 1 AND 200),
    notice_days   integer NOT NULL CHECK (notice_days BETWEEN 0 AND 30),
    state         text NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'draft', 'confirmed', 'cancelled', 'failed')),
    progress      integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    runner        text,
    heartbeat_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    summary       jsonb,
    error         text,
    notice_until  date,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    confirmed_by  text,
    confirmed_at  timestamptz,
    cancelled_by  text,
    cancelled_at  timestamptz,
    version       integer NOT NULL DEFAULT 1,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX allocation_pending ON allocation (id) WHERE state IN ('queued', 'running');
CREATE INDEX allocation_county ON allocation (county_code, id);

CREATE TABLE allocation_assignment (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    allocation_id  bigint NOT NULL REFERENCES allocation (id),
    vacancy_id     bigint NOT NULL REFERENCES vacancy (id),
    worker_id      bigint NOT NULL REFERENCES worker (id),
    score          integer NOT NULL CHECK (score BETWEEN 0 AND 10000), -- hundredths of a point
    covers         text[] NOT NULL DEFAULT '{}',  -- 'zero_employment', 'monitored'
    reasons        jsonb NOT NULL DEFAULT '{}',   -- {"zh": [{code, text}], "en": [...]}
    state          text NOT NULL DEFAULT 'proposed'
        CHECK (state IN ('proposed', 'dropped', 'confirmed', 'objected', 'withdrawn')),
    proposed_worker_id bigint NOT NULL,            -- the solver's choice, kept when swapped
    application_id bigint REFERENCES application (id),
    updated_by     text,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX allocation_assignment_allocation ON allocation_assignment (allocation_id, vacancy_id, worker_id);
-- a worker holds at most one live assignment of an allocation
CREATE UNIQUE INDEX allocation_assignment_worker ON allocation_assignment (allocation_id, worker_id)
    WHERE state NOT IN ('dropped', 'withdrawn');

CREATE TABLE allocation_unassigned (
    allocation_id   bigint NOT NULL REFERENCES allocation (id),
    worker_id       bigint NOT NULL,
    why             text NOT NULL CHECK (why IN ('outscored', 'no_eligible_post', 'household_rule')),
    best_vacancy_id bigint,
    best_score      integer,
    PRIMARY KEY (allocation_id, worker_id)
);
CREATE INDEX allocation_unassigned_best ON allocation_unassigned (allocation_id, best_score DESC, worker_id);

CREATE TABLE allocation_objection (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id  bigint NOT NULL REFERENCES allocation_assignment (id),
    objector       text NOT NULL DEFAULT '' CHECK (length(objector) <= 100),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    received_on    date NOT NULL,
    recorded_by    text NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    decision       text CHECK (decision IN ('upheld', 'dismissed')),
    decision_note  text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 2000),
    decided_by     text,
    decided_at     timestamptz
);
CREATE INDEX allocation_objection_assignment ON allocation_objection (assignment_id, id);

-- Scope: staff of the allocation's county (site staff: their sites' counties);
-- kiosks and brokers never.
CREATE FUNCTION allocation_visible(p_county integer) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (SELECT leye_scope()) NOT LIKE 'k:%' AND (SELECT leye_scope()) NOT LIKE 'b:%'
       AND leye_county_ok(p_county);
$$;

ALTER TABLE allocation ENABLE ROW LEVEL SECURITY;
ALTER TABLE allocation FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON allocation FOR SELECT USING (allocation_visible(county_code));
CREATE POLICY scope_insert ON allocation FOR INSERT WITH CHECK (allocation_visible(county_code)
    AND leye_county_write_ok(county_code));
CREATE POLICY scope_update ON allocation FOR UPDATE USING (allocation_visible(county_code));
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['allocation_assignment', 'allocation_unassigned'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY scope ON %I USING ((SELECT leye_scope()) = ''*'' '
                       'OR EXISTS (SELECT 1 FROM allocation a WHERE a.id = allocation_id))', t);
    END LOOP;
END $$;
ALTER TABLE allocation_objection ENABLE ROW LEVEL SECURITY;
ALTER TABLE allocation_objection FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON allocation_objection USING ((SELECT leye_scope()) = '*'
    OR EXISTS (SELECT 1 FROM allocation_assignment x WHERE x.id = assignment_id));

-- Every change is in the audit log, as for the other records.
DO $$
DECLARE spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ['allocation', 'x.id::text'], ['allocation_assignment', 'x.id::text'],
        ['allocation_objection', 'x.id::text']] LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)',
                       spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
    END LOOP;
END $$;

-- Posts whose allocation is published before it is final.
CREATE FUNCTION allocation_public_kind(p_kind text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT p_kind IN ('work_relief', 'public_welfare', 'forest_ranger');
$$;

-- A name as a public notice shows it: 张*明, 张*, 欧**明.
CREATE FUNCTION allocation_mask_name(n text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN length(n) <= 1 THEN n
                WHEN length(n) = 2 THEN left(n, 1) || '*'
                ELSE left(n, 1) || repeat('*', length(n) - 2) || right(n, 1) END;
$$;

CREATE FUNCTION allocation_why_text(p_why text, p_lang text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_lang = 'en'
        WHEN true THEN CASE p_why
            WHEN 'outscored' THEN 'Eligible, but the posts went to people who covered a household with nobody employed or scored higher'
            WHEN 'no_eligible_post' THEN 'Not eligible for any of these posts'
            WHEN 'household_rule' THEN 'Only one member of a household may hold a public-welfare post, and another member got one'
            WHEN 'dropped' THEN 'Dropped by staff from the draft' END
        ELSE CASE p_why
            WHEN 'outscored' THEN '符合条件，但岗位已优先安排给零就业家庭成员或得分更高者'
            WHEN 'no_eligible_post' THEN '不符合这些岗位的条件'
            WHEN 'household_rule' THEN '公益性岗位每户限一人，同户已有成员获得安排'
            WHEN 'dropped' THEN '工作人员已从草案中移除' END
    END;
$$;

CREATE FUNCTION allocation_assignment_json(x allocation_assignment, p_lang text, p_notice date)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', x.id, 'allocation_id', x.allocation_id,
        'worker_id', x.worker_id, 'worker_name', w.name, 'household_id', w.household_id,
        'vacancy_id', x.vacancy_id, 'vacancy_title', v.title, 'vacancy_kind', v.kind,
        'score', round(x.score / 100.0, 2), 'covers', to_jsonb(x.covers),
        'reasons', coalesce(x.reasons -> (CASE WHEN p_lang = 'en' THEN 'en' ELSE 'zh' END), '[]'),
        'state', x.state, 'swapped', x.worker_id <> x.proposed_worker_id,
        'proposed_worker_id', x.proposed_worker_id,
        'application_id', x.application_id,
        'public', allocation_public_kind(v.kind),
        'final', x.state = 'confirmed' AND (NOT allocation_public_kind(v.kind)
                                            OR (p_notice IS NOT NULL AND placement_today() > p_notice)),
        'objections', coalesce((SELECT jsonb_agg(jsonb_build_object(
                'id', o.id, 'objector', o.objector, 'reason', o.reason, 'received_on', o.received_on,
                'recorded_by', o.recorded_by, 'decision', o.decision, 'decision_note', o.decision_note,
                'decided_by', o.decided_by, 'decided_at', o.decided_at) ORDER BY o.id)
            FROM allocation_objection o WHERE o.assignment_id = x.id), '[]'),
        'updated_by', x.updated_by, 'updated_at', x.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN worker w ON w.id = x.worker_id
    LEFT JOIN vacancy v ON v.id = x.vacancy_id;
$$;

CREATE FUNCTION allocation_json(a allocation) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'county_code', a.county_code, 'project_id', a.project_id,
        'vacancy_ids', to_jsonb(a.vacancy_ids), 'worker_ids', to_jsonb(a.pool),
        'k', a.k, 'notice_days', a.notice_days, 'state', a.state, 'progress', a.progress,
        'summary', a.summary, 'error', a.error, 'notice_until', a.notice_until,
        'objection_window_open', a.state = 'confirmed' AND a.notice_until IS NOT NULL
                                 AND placement_today() <= a.notice_until,
        'created_by', a.created_by, 'created_at', a.created_at, 'started_at', a.started_at,
        'finished_at', a.finished_at, 'confirmed_by', a.confirmed_by, 'confirmed_at', a.confirmed_at,
        'cancelled_by', a.cancelled_by, 'cancelled_at', a.cancelled_at,
        'version', a.version, 'updated_at', a.updated_at);
$$;

CREATE FUNCTION allocation_unassigned_json(x allocation_unassigned, p_lang text)
RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('worker_id', x.worker_id, 'worker_name', w.name,
                              'why', x.why, 'why_text', allocation_why_text(x.why, p_lang),
                              'best_vacancy_id', x.best_vacancy_id,
                              'best_score', round(x.best_score / 100.0, 2))
    FROM (SELECT 1) one LEFT JOIN worker w ON w.id = x.worker_id;
$$;

-- The allocation with its assignments and the best-placed unassigned workers
-- (all of them: api_allocation_unassigned).
CREATE FUNCTION allocation_json_full(a allocation, p_lang text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT allocation_json(a) || jsonb_build_object(
        'assignments', coalesce((SELECT jsonb_agg(allocation_assignment_json(x, p_lang, a.notice_until)
                                                  ORDER BY x.vacancy_id, x.id)
                                 FROM allocation_assignment x WHERE x.allocation_id = a.id), '[]'),
        'unassigned', coalesce((SELECT jsonb_agg(u.j ORDER BY u.o1, u.o2, u.worker_id)
                                FROM (SELECT x.worker_id, x.why = 'no_eligible_post' AS o1,
                                             -coalesce(x.best_score, -1) AS o2,
                                             allocation_unassigned_json(x, p_lang) AS j
                                      FROM allocation_unassigned x WHERE x.allocation_id = a.id
                                      ORDER BY x.why = 'no_eligible_post', x.best_score DESC NULLS LAST,
                                               x.worker_id
                                      LIMIT 500) u), '[]'),
        'unassigned_total', (SELECT count(*) FROM allocation_unassigned x WHERE x.allocation_id = a.id));
$$;

-- ---------- requests ----------

-- p: {vacancy_ids} | {project_id} | {county_code, kind}; worker_ids, k, notice_days.
CREATE FUNCTION api_allocation_create(p jsonb, p_actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    pool bigint[];
    county integer;
    project bigint;
    bad bigint;
    n integer;
    a allocation;
BEGIN
    n := (p ? 'vacancy_ids')::integer + (p ? 'project_id')::integer + (p ? 'county_code')::integer;
    IF n <> 1 THEN
        PERFORM api_fail('LY422', 'vacancy_ids', CASE WHEN n = 0 THEN 'required' ELSE 'conflicts' END);
    END IF;
    IF p ? 'county_code' AND NOT p ? 'kind' THEN
        PERFORM api_fail('LY422', 'kind', 'required');
    END IF;
    IF p ? 'vacancy_ids' THEN
        SELECT array_agg(DISTINCT x::bigint ORDER BY x::bigint) INTO ids
        FROM jsonb_array_elements_text(p -> 'vacancy_ids') x;
        IF ids IS NULL THEN
            PERFORM api_fail('LY422', 'vacancy_ids', 'too_short');
        END IF;
        SELECT i INTO bad FROM unnest(ids) i
        WHERE NOT EXISTS (SELECT 1 FROM vacancy v WHERE v.id = i AND NOT v.archived) LIMIT 1;
        IF FOUND THEN
            PERFORM api_fail('LY422', 'vacancy_ids', 'not_found');
        END IF;
        IF EXISTS (SELECT 1 FROM vacancy v WHERE v.id = ANY (ids) AND v.status <> 'open') THEN
            PERFORM api_fail('LY422', 'vacancy_ids', 'not_open');
        END IF;
        IF EXISTS (SELECT 1 FROM vacancy v WHERE v.id = ANY (ids) AND v.filled >= v.headcount) THEN
            PERFORM api_fail('LY422', 'vacancy_ids', 'full');
        END IF;
        SELECT min(v.county_code), count(DISTINCT v.county_code) INTO county, n
        FROM vacancy v WHERE v.id = ANY (ids);
        IF n > 1 THEN
            PERFORM api_fail('LY422', 'vacancy_ids', 'mixed_counties');
        END IF;
    ELSIF p ? 'project_id' THEN
        SELECT x.id, x.county_code INTO project, county FROM work_relief_project x
        WHERE x.id = (p ->> 'project_id')::bigint;
        IF NOT FOUND THEN
            PERFORM api_fail('LY422', 'project_id', 'not_found');
        END IF;
        SELECT array_agg(v.id ORDER BY v.id) INTO ids FROM vacancy v
        WHERE v.project_id = project AND NOT v.archived AND v.status = 'open' AND v.filled < v.headcount;
        IF ids IS NULL THEN
            PERFORM api_fail('LY422', 'project_id', 'no_open_vacancies');
        END IF;
    ELSE
        county := (p ->> 'county_code')::integer;
        SELECT array_agg(v.id ORDER BY v.id) INTO ids FROM vacancy v
        WHERE v.county_code = county AND v.kind = p ->> 'kind' AND NOT v.archived
          AND v.status = 'open' AND v.filled < v.headcount;
        IF ids IS NULL THEN
            PERFORM api_fail('LY422', 'county_code', 'no_open_vacancies');
        END IF;
    END IF;
    IF cardinality(ids) > 100000 THEN
        PERFORM api_fail('LY422', 'vacancy_ids', 'too_long');
    END IF;
    IF NOT leye_county_write_ok(county) THEN
        PERFORM api_fail('LY422', CASE WHEN p ? 'vacancy_ids' THEN 'vacancy_ids'
                                       WHEN p ? 'project_id' THEN 'project_id' ELSE 'county_code' END,
                         'not_found');
    END IF;
    IF p ? 'worker_ids' THEN
        SELECT array_agg(DISTINCT x::bigint ORDER BY x::bigint) INTO pool
        FROM jsonb_array_elements_text(p -> 'worker_ids') x;
        IF pool IS NULL THEN
            PERFORM api_fail('LY422', 'worker_ids', 'too_short');
        END IF;
        SELECT i INTO bad FROM unnest(pool) i
        WHERE NOT EXISTS (SELECT 1 FROM worker w WHERE w.id = i AND NOT w.archived) LIMIT 1;
        IF FOUND THEN
            PERFORM api_fail('LY422', 'worker_ids', 'not_found');
        END IF;
        IF cardinality(pool)::bigint * cardinality(ids) > 20000000 THEN
            PERFORM api_fail('LY422', 'worker_ids', 'too_long');
        END IF;
    END IF;
    INSERT INTO allocation (county_code, project_id, vacancy_ids, pool, k, notice_days, created_by)
    VALUES (county, coalesce(project, (p ->> 'project_id')::bigint), ids, pool,
            coalesce((p ->> 'k')::integer, 50), coalesce((p ->> 'notice_days')::integer, 5), p_actor)
    RETURNING * INTO a;
    PERFORM pg_notify('leye_alloc', a.id::text);
    status := 202;
    version := a.version;
    body := allocation_json(a);
END $$;

CREATE FUNCTION api_allocation_get(p_id bigint, p_lang text, OUT status integer, OUT version integer,
                                   OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a allocation;
BEGIN
    SELECT * INTO a FROM allocation x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := a.version;
    body := allocation_json_full(a, p_lang);
END $$;

CREATE FUNCTION allocation_list_match(a allocation, f jsonb) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (f ->> 'state' IS NULL OR a.state = f ->> 'state')
       AND (f ->> 'county_code' IS NULL OR a.county_code = (f ->> 'county_code')::integer)
       AND (f ->> 'project_id' IS NULL OR a.project_id = (f ->> 'project_id')::bigint);
$$;

CREATE FUNCTION api_allocation_list(f jsonb, cur jsonb, lim integer, sort text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
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
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(allocation_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', (rows[n]).id));
    END IF;
END $$;

-- Every unassigned worker, best placed first; cursor: the position after the last.
CREATE FUNCTION api_allocation_unassigned(p_id bigint, p_lang text, p_cursor text, p_limit integer,
                                          OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a allocation;
    n integer := api_page_limit(p_limit);
    rows allocation_unassigned[];
BEGIN
    SELECT * INTO a FROM allocation x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    SELECT array_agg(u ORDER BY coalesce(u.best_score, -1) DESC, u.worker_id) INTO rows
    FROM (SELECT * FROM allocation_unassigned u
          WHERE u.allocation_id = a.id
            AND (p_cursor IS NULL OR (coalesce(u.best_score, -1), -u.worker_id)
                                     < (split_part(p_cursor, '.', 1)::integer,
                                        -split_part(p_cursor, '.', 2)::bigint))
          ORDER BY coalesce(u.best_score, -1) DESC, u.worker_id LIMIT n + 1) u;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(allocation_unassigned_json(rows[i], p_lang) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}',
                          to_jsonb(coalesce((rows[n]).best_score, -1) || '.' || (rows[n]).worker_id));
    END IF;
END $$;

-- The allocation, locked, for a change by staff in state p_state.
CREATE FUNCTION allocation_lock(p_id bigint, p_states text[]) RETURNS allocation
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
BEGIN
    SELECT * INTO a FROM allocation x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF NOT allocation_visible(a.county_code) OR NOT leye_county_write_ok(a.county_code) THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF NOT a.state = ANY (p_states) THEN
        PERFORM api_fail('LY409', 'state', 'not_' || p_states[1]);
    END IF;
    RETURN a;
END $$;

CREATE FUNCTION allocation_touch(p_id bigint) RETURNS allocation LANGUAGE sql AS $$
    UPDATE allocation SET version = version + 1, updated_at = now() WHERE id = p_id RETURNING *;
$$;

-- Drops an assignment from the draft (p_drop) or restores it.
CREATE FUNCTION api_allocation_drop(p_id bigint, p_assignment bigint, p_drop boolean, p_actor text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
    x allocation_assignment;
BEGIN
    a := allocation_lock(p_id, ARRAY['draft']);
    SELECT * INTO x FROM allocation_assignment y WHERE y.id = p_assignment AND y.allocation_id = a.id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF x.state <> (CASE WHEN p_drop THEN 'proposed' ELSE 'dropped' END) THEN
        PERFORM api_fail('LY409', 'state', CASE WHEN p_drop THEN 'not_proposed' ELSE 'not_dropped' END);
    END IF;
    IF NOT p_drop AND EXISTS (SELECT 1 FROM allocation_assignment y
                              WHERE y.allocation_id = a.id AND y.worker_id = x.worker_id
                                AND y.state = 'proposed') THEN
        PERFORM api_fail('LY409', 'worker_id', 'already_assigned');
    END IF;
    UPDATE allocation_assignment y
    SET state = CASE WHEN p_drop THEN 'dropped' ELSE 'proposed' END, updated_by = p_actor, updated_at = now()
    WHERE y.id = x.id RETURNING * INTO x;
    a := allocation_touch(a.id);
    status := 200;
    version := a.version;
    body := allocation_assignment_json(x, 'zh', a.notice_until);
END $$;

-- What a swap needs checked in the matching index: the assignment's vacancy.
CREATE FUNCTION api_allocation_swap_target(p_id bigint, p_assignment bigint, p_worker bigint,
                                           OUT vacancy_id bigint, OUT household_rule boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a allocation;
    x allocation_assignment;
BEGIN
    SELECT * INTO a FROM allocation y WHERE y.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    SELECT * INTO x FROM allocation_assignment y WHERE y.id = p_assignment AND y.allocation_id = a.id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM worker w WHERE w.id = p_worker AND NOT w.archived) THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_found');
    END IF;
    vacancy_id := x.vacancy_id;
END $$;

-- Puts p_worker on the assignment's post in place of the one there
-- (eligibility and the score come from the matching index).
CREATE FUNCTION api_allocation_swap(p_id bigint, p_assignment bigint, p_worker bigint, p_score integer,
                                    p_reasons jsonb, p_actor text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
    x allocation_assignment;
    old_worker bigint;
BEGIN
    a := allocation_lock(p_id, ARRAY['draft']);
    SELECT * INTO x FROM allocation_assignment y WHERE y.id = p_assignment AND y.allocation_id = a.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF x.state <> 'proposed' THEN
        PERFORM api_fail('LY409', 'state', 'not_proposed');
    END IF;
    IF x.worker_id = p_worker THEN
        PERFORM api_fail('LY422', 'worker_id', 'same_worker');
    END IF;
    IF EXISTS (SELECT 1 FROM allocation_assignment y
               WHERE y.allocation_id = a.id AND y.worker_id = p_worker AND y.state = 'proposed') THEN
        PERFORM api_fail('LY409', 'worker_id', 'already_assigned');
    END IF;
    -- one member per household on the kinds whose rule says so (match_kind_weights)
    IF (SELECT k.one_per_household FROM vacancy v JOIN match_kind_weights k ON k.kind = v.kind
        WHERE v.id = x.vacancy_id)
       AND EXISTS (SELECT 1 FROM allocation_assignment y
                   JOIN vacancy v ON v.id = y.vacancy_id
                   JOIN match_kind_weights k ON k.kind = v.kind AND k.one_per_household
                   JOIN worker w1 ON w1.id = y.worker_id
                   JOIN worker w2 ON w2.id = p_worker AND w2.household_id = w1.household_id
                   WHERE y.allocation_id = a.id AND y.state = 'proposed' AND y.id <> x.id) THEN
        PERFORM api_fail('LY409', 'worker_id', 'household_rule');
    END IF;
    old_worker := x.worker_id;
    UPDATE allocation_assignment y
    SET worker_id = p_worker, score = p_score, reasons = p_reasons,
        covers = ARRAY(SELECT c FROM (VALUES ('zero_employment', h.zero_employment),
                                             ('monitored', h.monitoring_status <> 'none')) t(c, b)
                       WHERE b AND NOT EXISTS (
                           SELECT 1 FROM allocation_assignment z JOIN worker wz ON wz.id = z.worker_id
                           WHERE z.allocation_id = a.id AND z.state = 'proposed' AND z.id <> x.id
                             AND wz.household_id = h.id)),
        updated_by = p_actor, updated_at = now()
    FROM worker w JOIN household h ON h.id = w.household_id
    WHERE y.id = x.id AND w.id = p_worker
    RETURNING y.* INTO x;
    DELETE FROM allocation_unassigned u WHERE u.allocation_id = a.id AND u.worker_id = p_worker;
    INSERT INTO allocation_unassigned (allocation_id, worker_id, why, best_vacancy_id, best_score)
    VALUES (a.id, old_worker, 'outscored', NULL, NULL)
    ON CONFLICT (allocation_id, worker_id) DO NOTHING;
    a := allocation_touch(a.id);
    status := 200;
    version := a.version;
    body := allocation_assignment_json(x, 'zh', a.notice_until);
END $$;

-- Confirms the draft: every live assignment becomes an offered application
-- (source 'allocation'), all or nothing.  Anything that changed since the
-- draft (a post closed or filled, a worker no longer seeking) is answered
-- with 409 and the list of conflicts, and nothing is written.
CREATE FUNCTION api_allocation_confirm(p_id bigint, p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
    conflicts jsonb;
    x record;
    app application;
    public_posts boolean;
BEGIN
    a := allocation_lock(p_id, ARRAY['draft']);
    -- lock the posts in id order (the hire path locks one vacancy at a time)
    PERFORM 1 FROM vacancy v WHERE v.id IN (SELECT y.vacancy_id FROM allocation_assignment y
                                            WHERE y.allocation_id = a.id AND y.state = 'proposed')
    ORDER BY v.id FOR UPDATE;
    SELECT jsonb_agg(c ORDER BY (c ->> 'assignment_id')::bigint) INTO conflicts FROM (
        SELECT jsonb_build_object('assignment_id', y.id, 'vacancy_id', y.vacancy_id, 'reason', 'vacancy_not_open') c
        FROM allocation_assignment y JOIN vacancy v ON v.id = y.vacancy_id
        WHERE y.allocation_id = a.id AND y.state = 'proposed' AND (v.status <> 'open' OR v.archived)
        UNION ALL
        SELECT jsonb_build_object('assignment_id', y.id, 'vacancy_id', y.vacancy_id, 'reason', 'vacancy_full')
        FROM (SELECT y.*, row_number() OVER (PARTITION BY y.vacancy_id ORDER BY y.score DESC, y.id) AS nth
              FROM allocation_assignment y WHERE y.allocation_id = a.id AND y.state = 'proposed') y
        JOIN vacancy v ON v.id = y.vacancy_id
        WHERE v.status = 'open' AND NOT v.archived AND y.nth > v.headcount - v.filled
        UNION ALL
        SELECT jsonb_build_object('assignment_id', y.id, 'worker_id', y.worker_id, 'reason', 'worker_not_seeking')
        FROM allocation_assignment y JOIN worker w ON w.id = y.worker_id
        WHERE y.allocation_id = a.id AND y.state = 'proposed'
          AND (w.archived OR w.employment_status <> 'seeking')) s;
    IF conflicts IS NOT NULL THEN
        status := 409;
        body := jsonb_build_object('detail', 'The draft no longer fits the records: drop or swap these assignments, or run the allocation again.',
                                   'conflicts', conflicts);
        RETURN;
    END IF;
    FOR x IN SELECT y.* FROM allocation_assignment y
             WHERE y.allocation_id = a.id AND y.state = 'proposed' ORDER BY y.id LOOP
        SELECT * INTO app FROM application z
        WHERE z.worker_id = x.worker_id AND z.vacancy_id = x.vacancy_id
          AND z.status NOT IN ('rejected', 'withdrawn') FOR UPDATE;
        IF FOUND THEN
            IF app.status IN ('applied', 'shortlisted') THEN
                UPDATE application z SET status = 'offered', version = z.version + 1, updated_at = now()
                WHERE z.id = app.id;
                INSERT INTO application_event (application_id, from_status, to_status, actor, note)
                VALUES (app.id, app.status, 'offered', p_actor, 'allocation ' || a.id);
            END IF;
        ELSE
            INSERT INTO application (worker_id, vacancy_id, source, status, note, created_by)
            VALUES (x.worker_id, x.vacancy_id, 'allocation', 'offered', 'allocation ' || a.id, p_actor)
            RETURNING * INTO app;
            INSERT INTO application_event (application_id, from_status, to_status, actor, note)
            VALUES (app.id, NULL, 'offered', p_actor, 'allocation ' || a.id);
        END IF;
        UPDATE allocation_assignment y SET state = 'confirmed', application_id = app.id,
                                           updated_by = p_actor, updated_at = now()
        WHERE y.id = x.id;
    END LOOP;
    SELECT bool_or(allocation_public_kind(v.kind)) INTO public_posts
    FROM allocation_assignment y JOIN vacancy v ON v.id = y.vacancy_id
    WHERE y.allocation_id = a.id AND y.state = 'confirmed';
    UPDATE allocation y SET state = 'confirmed', confirmed_by = p_actor, confirmed_at = now(),
        notice_until = CASE WHEN coalesce(public_posts, false) THEN placement_today() + y.notice_days END,
        version = y.version + 1, updated_at = now()
    WHERE y.id = a.id RETURNING * INTO a;
    status := 200;
    version := a.version;
    body := allocation_json_full(a, 'zh');
END $$;

CREATE FUNCTION api_allocation_cancel(p_id bigint, p_actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
BEGIN
    a := allocation_lock(p_id, ARRAY['queued', 'running', 'draft']);
    UPDATE allocation y SET state = 'cancelled', cancelled_by = p_actor, cancelled_at = now(),
        version = y.version + 1, updated_at = now()
    WHERE y.id = a.id RETURNING * INTO a;
    PERFORM pg_notify('leye_alloc', 'cancel:' || a.id);
    status := 200;
    version := a.version;
    body := allocation_json(a);
END $$;

-- The public notice: confirmed assignments to work-relief, public-welfare
-- and forest-ranger posts, names partly hidden; no ID number, phone or
-- household status.
CREATE FUNCTION api_allocation_notice(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a allocation;
BEGIN
    SELECT * INTO a FROM allocation x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF a.state <> 'confirmed' THEN
        PERFORM api_fail('LY409', 'state', 'not_confirmed');
    END IF;
    status := 200;
    version := a.version;
    body := jsonb_build_object(
        'allocation_id', a.id, 'county_code', a.county_code,
        'county_name', (SELECT r.name FROM region r WHERE r.code = a.county_code),
        'project_name', (SELECT p.name FROM work_relief_project p WHERE p.id = a.project_id),
        'published_on', (a.confirmed_at AT TIME ZONE 'Asia/Shanghai')::date,
        'objections_until', a.notice_until, 'notice_days', a.notice_days,
        'items', coalesce((SELECT jsonb_agg(jsonb_build_object(
                'assignment_id', y.id, 'name', allocation_mask_name(w.name),
                'site_name', s.name, 'vacancy_title', v.title, 'vacancy_kind', v.kind,
                'employer_name', e.name, 'state', y.state) ORDER BY v.kind, v.title, v.id, y.id)
            FROM allocation_assignment y
            JOIN vacancy v ON v.id = y.vacancy_id
            JOIN employer e ON e.id = v.employer_id
            JOIN worker w ON w.id = y.worker_id
            JOIN household h ON h.id = w.household_id
            JOIN site s ON s.id = h.site_id
            WHERE y.allocation_id = a.id AND y.state IN ('confirmed', 'objected')
              AND allocation_public_kind(v.kind)), '[]'));
END $$;

-- An objection received during the notice window puts the assignment back to staff.
CREATE FUNCTION api_allocation_objection(p_id bigint, p_assignment bigint, p jsonb, p_actor text,
                                         OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
    x allocation_assignment;
    received date := coalesce((p ->> 'received_on')::date, placement_today());
BEGIN
    a := allocation_lock(p_id, ARRAY['confirmed']);
    SELECT * INTO x FROM allocation_assignment y WHERE y.id = p_assignment AND y.allocation_id = a.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF NOT (SELECT allocation_public_kind(v.kind) FROM vacancy v WHERE v.id = x.vacancy_id) THEN
        PERFORM api_fail('LY409', 'assignment', 'not_published');
    END IF;
    IF x.state NOT IN ('confirmed', 'objected') THEN
        PERFORM api_fail('LY409', 'state', 'not_confirmed');
    END IF;
    IF received > placement_today() THEN
        PERFORM api_fail('LY422', 'received_on', 'in_future');
    END IF;
    IF a.notice_until IS NULL OR received > a.notice_until
       OR received < (a.confirmed_at AT TIME ZONE 'Asia/Shanghai')::date THEN
        PERFORM api_fail('LY409', 'received_on', 'outside_notice_window');
    END IF;
    INSERT INTO allocation_objection (assignment_id, objector, reason, received_on, recorded_by)
    VALUES (x.id, coalesce(p ->> 'objector', ''), p ->> 'reason', received, p_actor);
    UPDATE allocation_assignment y SET state = 'objected', updated_by = p_actor, updated_at = now()
    WHERE y.id = x.id RETURNING * INTO x;
    a := allocation_touch(a.id);
    status := 201;
    version := a.version;
    body := allocation_assignment_json(x, 'zh', a.notice_until);
END $$;

-- Staff decide an objection: upheld withdraws the assignment and its offer;
-- dismissed puts it back as confirmed.
CREATE FUNCTION api_allocation_resolve(p_id bigint, p_assignment bigint, p jsonb, p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
    x allocation_assignment;
    app application;
    decision text := p ->> 'decision';
BEGIN
    a := allocation_lock(p_id, ARRAY['confirmed']);
    SELECT * INTO x FROM allocation_assignment y WHERE y.id = p_assignment AND y.allocation_id = a.id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF x.state <> 'objected' THEN
        PERFORM api_fail('LY409', 'state', 'not_objected');
    END IF;
    UPDATE allocation_objection o SET decision = p ->> 'decision', decision_note = coalesce(p ->> 'note', ''),
                                      decided_by = p_actor, decided_at = now()
    WHERE o.assignment_id = x.id AND o.decision IS NULL;
    IF decision = 'upheld' THEN
        SELECT * INTO app FROM application z WHERE z.id = x.application_id FOR UPDATE;
        IF FOUND AND app.status IN ('applied', 'shortlisted', 'offered') THEN
            UPDATE application z SET status = 'withdrawn', version = z.version + 1, updated_at = now()
            WHERE z.id = app.id;
            INSERT INTO application_event (application_id, from_status, to_status, actor, note)
            VALUES (app.id, app.status, 'withdrawn', p_actor, 'objection upheld, allocation ' || a.id);
        END IF;
        UPDATE allocation_assignment y SET state = 'withdrawn', updated_by = p_actor, updated_at = now()
        WHERE y.id = x.id RETURNING * INTO x;
    ELSE
        UPDATE allocation_assignment y SET state = 'confirmed', updated_by = p_actor, updated_at = now()
        WHERE y.id = x.id RETURNING * INTO x;
    END IF;
    a := allocation_touch(a.id);
    status := 200;
    version := a.version;
    body := allocation_assignment_json(x, 'zh', a.notice_until);
END $$;

-- An offer made by an allocation is not hired while its notice runs or an
-- objection is open.
CREATE FUNCTION allocation_hire_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'hired' AND OLD.status <> 'hired' AND EXISTS (
        SELECT 1 FROM allocation_assignment y JOIN allocation a ON a.id = y.allocation_id
        WHERE y.application_id = NEW.id
          AND (y.state = 'objected' OR (a.notice_until IS NOT NULL AND placement_today() <= a.notice_until))) THEN
        PERFORM api_fail('LY409', 'status', 'allocation_notice_open');
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER allocation_hire_guard BEFORE UPDATE OF status ON application
    FOR EACH ROW WHEN (NEW.status = 'hired') EXECUTE FUNCTION allocation_hire_guard();

-- ---------- the solver's side (server/allocator.c), with scope '*' ----------

-- Claims the oldest queued allocation, or one whose runner went silent.
CREATE FUNCTION allocation_claim(p_runner text)
RETURNS TABLE (id bigint, vacancy_ids bigint[], pool bigint[], k integer)
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
BEGIN
    SELECT * INTO a FROM allocation x
    WHERE x.state = 'queued' OR (x.state = 'running' AND x.heartbeat_at < now() - interval '30 seconds')
    ORDER BY x.id LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF a.attempts >= 3 THEN
        UPDATE allocation x SET state = 'failed', error = 'the solver stopped three times on this allocation',
                                finished_at = now(), version = x.version + 1, updated_at = now()
        WHERE x.id = a.id;
        RETURN;
    END IF;
    UPDATE allocation x SET state = 'running', runner = p_runner, heartbeat_at = now(), progress = 0,
                            attempts = x.attempts + 1, started_at = now(),
                            version = x.version + 1, updated_at = now()
    WHERE x.id = a.id;
    RETURN QUERY SELECT a.id, a.vacancy_ids, a.pool, a.k;
END $$;

-- Progress; answers the state, so that a cancelled allocation stops.
CREATE FUNCTION allocation_progress(p_id bigint, p_runner text, p_progress integer) RETURNS text
LANGUAGE sql AS $$
    WITH u AS (UPDATE allocation x SET progress = greatest(x.progress, p_progress), heartbeat_at = now()
               WHERE x.id = p_id AND x.runner = p_runner AND x.state = 'running' RETURNING x.state)
    SELECT coalesce((SELECT state FROM u), (SELECT x.state FROM allocation x WHERE x.id = p_id), 'lost');
$$;

-- The households of the given workers, as the solver weighs them.
CREATE FUNCTION allocation_households(p_workers bigint[])
RETURNS TABLE (worker_id bigint, household_id bigint, zero_employment boolean, monitored boolean)
LANGUAGE sql STABLE AS $$
    SELECT w.id, w.household_id, coalesce(h.zero_employment, false), h.monitoring_status <> 'none'
    FROM worker w JOIN household h ON h.id = w.household_id
    WHERE w.id = ANY (p_workers);
$$;

-- Stores the draft: p {summary, assignments: [{v, w, s, c, r}], unassigned: [{w, why, bv, bs}]}.
CREATE FUNCTION allocation_store(p_id bigint, p_runner text, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    a allocation;
BEGIN
    SELECT * INTO a FROM allocation x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND OR a.state <> 'running' OR a.runner IS DISTINCT FROM p_runner THEN
        RETURN coalesce(a.state, 'lost');
    END IF;
    DELETE FROM allocation_assignment x WHERE x.allocation_id = a.id;
    DELETE FROM allocation_unassigned x WHERE x.allocation_id = a.id;
    INSERT INTO allocation_assignment (allocation_id, vacancy_id, worker_id, proposed_worker_id, score,
                                       covers, reasons)
    SELECT a.id, r.v, r.w, r.w, r.s, ARRAY(SELECT jsonb_array_elements_text(coalesce(r.c, '[]'))), r.r
    FROM jsonb_to_recordset(p -> 'assignments') AS r(v bigint, w bigint, s integer, c jsonb, r jsonb)
    ORDER BY r.v, r.w;
    INSERT INTO allocation_unassigned (allocation_id, worker_id, why, best_vacancy_id, best_score)
    SELECT a.id, r.w, r.why, r.bv, r.bs
    FROM jsonb_to_recordset(p -> 'unassigned') AS r(w bigint, why text, bv bigint, bs integer);
    UPDATE allocation x SET state = 'draft', progress = 100, summary = p -> 'summary', finished_at = now(),
                            version = x.version + 1, updated_at = now()
    WHERE x.id = a.id;
    RETURN 'draft';
END $$;

CREATE FUNCTION allocation_fail(p_id bigint, p_runner text, p_error text) RETURNS void
LANGUAGE sql AS $$
    UPDATE allocation x SET state = 'failed', error = p_error, finished_at = now(),
                            version = x.version + 1, updated_at = now()
    WHERE x.id = p_id AND x.runner = p_runner AND x.state = 'running';
$$;
