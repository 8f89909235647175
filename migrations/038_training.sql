-- 038_training: courses (专项技能培训), enrolment with seats and a waiting
-- list, attendance, results, and the subsidy record of each pass.
--
-- * A course teaches one skill at a level, or one certificate, or both.
-- * Enrolment (staff or the job seeker at a kiosk) is refused once the
--   course has started, twice for one worker, and when seats and waiting
--   list are both full (LY409, the field and the reason).  A withdrawal
--   from a seat moves the first of the waiting list up.
-- * A result "passed" writes, in the same transaction, the skill level (never
--   lowering one held) and the certificate into the worker's profile, marked
--   as proven by the course (worker_skill.proven_level,
--   worker_certificate.course_id), a completed training, and the subsidy
--   record the county claims (training_subsidy).  The triggers of 011/018
--   tell the matching index, so the worker's matches change within a second.
-- * The quarterly report gains three figures per county and site,
--   computed by training_quarter_figures() (docs/reports.md).

ALTER TABLE worker_skill ADD COLUMN proven_level smallint CHECK (proven_level BETWEEN 1 AND 5);
ALTER TABLE worker_skill ADD COLUMN proven_course_id bigint;
ALTER TABLE worker_certificate ADD COLUMN course_id bigint;

CREATE TABLE course (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    provider            text NOT NULL CHECK (length(provider) BETWEEN 1 AND 100),
    skill_id            integer REFERENCES skill (id),
    skill_level         smallint CHECK (skill_level BETWEEN 1 AND 5),
    certificate_type_id integer REFERENCES certificate_type (id),
    occupation_code     text REFERENCES occupation (code),
    county_code         integer NOT NULL REFERENCES region (code),
    site_id             bigint REFERENCES site (id),
    place               text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    starts_on           date NOT NULL,
    ends_on             date NOT NULL,
    hours               integer NOT NULL CHECK (hours BETWEEN 1 AND 2000),
    seats               integer NOT NULL CHECK (seats BETWEEN 1 AND 500),
    waitlist_max        integer NOT NULL DEFAULT 0 CHECK (waitlist_max BETWEEN 0 AND 500),
    cost_cny            integer NOT NULL DEFAULT 0 CHECK (cost_cny BETWEEN 0 AND 100000),
    subsidy_cny         integer NOT NULL DEFAULT 0 CHECK (subsidy_cny BETWEEN 0 AND 100000),
    language            text NOT NULL DEFAULT 'zh' CHECK (language ~ '^[a-z]{2,3}$'),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    archived            boolean NOT NULL DEFAULT false,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (skill_id IS NOT NULL OR certificate_type_id IS NOT NULL),
    CHECK ((skill_id IS NULL) = (skill_level IS NULL)),
    CHECK (ends_on >= starts_on),
    CHECK (subsidy_cny <= cost_cny)
);
CREATE INDEX course_county ON course (county_code, starts_on);
CREATE INDEX course_skill ON course (skill_id);

CREATE TABLE course_enrolment (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    course_id      bigint NOT NULL REFERENCES course (id),
    worker_id      bigint NOT NULL REFERENCES worker (id),
    status         text NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'withdrawn', 'completed')),
    source         text NOT NULL CHECK (source IN ('staff', 'kiosk')),
    hours_attended numeric(6, 1) NOT NULL DEFAULT 0,
    result         text CHECK (result IN ('passed', 'failed', 'dropped_out')),
    result_on      date,
    enrolled_at    timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((result IS NULL) = (status <> 'completed'))
);
-- one live enrolment per worker and course (a withdrawn one may be followed by another)
CREATE UNIQUE INDEX course_enrolment_once ON course_enrolment (course_id, worker_id)
    WHERE status <> 'withdrawn';
CREATE INDEX course_enrolment_worker ON course_enrolment (worker_id);

CREATE TABLE course_attendance (
    enrolment_id bigint NOT NULL REFERENCES course_enrolment (id),
    day          date NOT NULL,
    hours        numeric(4, 1) NOT NULL CHECK (hours > 0 AND hours <= 24),
    PRIMARY KEY (enrolment_id, day)
);

-- What the county claims: one row per passed course and person, with the
-- worker's site and county at the time of the pass.
CREATE TABLE training_subsidy (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enrolment_id bigint NOT NULL UNIQUE REFERENCES course_enrolment (id),
    course_id    bigint NOT NULL REFERENCES course (id),
    worker_id    bigint NOT NULL REFERENCES worker (id),
    county_code  integer NOT NULL,
    site_id      bigint NOT NULL,
    amount_cny   integer NOT NULL CHECK (amount_cny >= 0),
    completed_on date NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX training_subsidy_place ON training_subsidy (county_code, site_id, completed_on);

-- Row-level security as for the records they belong to: courses as
-- county-level records (013), enrolments, attendance and subsidies through
-- the worker (019).
ALTER TABLE course ENABLE ROW LEVEL SECURITY;
ALTER TABLE course FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON course FOR SELECT USING (leye_county_ok(county_code));
CREATE POLICY scope_insert ON course FOR INSERT WITH CHECK (leye_county_write_ok(county_code));
CREATE POLICY scope_update ON course FOR UPDATE USING (leye_county_write_ok(county_code));

ALTER TABLE course_enrolment ENABLE ROW LEVEL SECURITY;
ALTER TABLE course_enrolment FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON course_enrolment USING (
    (SELECT leye_scope()) = '*' OR EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));
ALTER TABLE course_attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE course_attendance FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON course_attendance USING (
    (SELECT leye_scope()) = '*' OR EXISTS (SELECT 1 FROM course_enrolment e WHERE e.id = enrolment_id));
ALTER TABLE training_subsidy ENABLE ROW LEVEL SECURITY;
ALTER TABLE training_subsidy FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON training_subsidy USING (
    (SELECT leye_scope()) = '*' OR EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));

-- Audit: the statement triggers of 018/036 on every new table.
DO $$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[['course', 'x.id::text'], ['course_enrolment', 'x.id::text'],
                                        ['course_attendance', 'x.enrolment_id || ''/'' || x.day'],
                                        ['training_subsidy', 'x.id::text']] LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)',
                       spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
    END LOOP;
END $$;

-- A worker's skills: proven marks a level shown by a passed course (the
-- level held now is no higher than the level the course proved).
CREATE OR REPLACE FUNCTION worker_skills_json(wid bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'skill_id', s.skill_id, 'code', k.code, 'name', k.name_zh, 'name_en', k.name_en,
               'level', s.level, 'proven', coalesce(s.level <= s.proven_level, false),
               'proven_course_id', CASE WHEN s.level <= s.proven_level THEN s.proven_course_id END)
               ORDER BY s.skill_id), '[]')
    FROM worker_skill s JOIN skill k ON k.id = s.skill_id
    WHERE s.worker_id = wid;
$$;

-- The seats taken and the waiting list of a course, counted over every
-- enrolment whoever asks (a kiosk sees only its own enrolments): the scope
-- is widened for this one query.
CREATE FUNCTION course_counts(p_course bigint, OUT taken integer, OUT waiting integer)
LANGUAGE plpgsql AS $$
DECLARE
    saved text := coalesce(current_setting('leye.scope', true), '');
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    SELECT count(*) FILTER (WHERE x.status IN ('enrolled', 'completed')),
           count(*) FILTER (WHERE x.status = 'waitlisted')
    INTO taken, waiting
    FROM course_enrolment x WHERE x.course_id = p_course;
    PERFORM set_config('leye.scope', saved, true);
END $$;

-- An enrolment's place on its course's waiting list (1 = next), or NULL.
CREATE FUNCTION course_waitlist_position(e course_enrolment) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    saved text := coalesce(current_setting('leye.scope', true), '');
    n integer;
BEGIN
    IF e.status <> 'waitlisted' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('leye.scope', '*', true);
    SELECT count(*) INTO n FROM course_enrolment x
    WHERE x.course_id = e.course_id AND x.status = 'waitlisted' AND x.id <= e.id;
    PERFORM set_config('leye.scope', saved, true);
    RETURN n;
END $$;

CREATE FUNCTION course_json(c course) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'title', c.title, 'provider', c.provider,
        'skill_id', c.skill_id, 'skill_level', c.skill_level,
        'skill_name', (SELECT name_zh FROM skill WHERE id = c.skill_id),
        'skill_name_en', (SELECT name_en FROM skill WHERE id = c.skill_id),
        'certificate_type_id', c.certificate_type_id,
        'certificate_name', (SELECT name_zh FROM certificate_type WHERE id = c.certificate_type_id),
        'certificate_name_en', (SELECT name_en FROM certificate_type WHERE id = c.certificate_type_id),
        'occupation_code', c.occupation_code, 'county_code', c.county_code,
        'county_name', (SELECT name FROM region WHERE code = c.county_code),
        'site_id', c.site_id, 'place', c.place, 'starts_on', c.starts_on, 'ends_on', c.ends_on,
        'hours', c.hours, 'seats', c.seats, 'waitlist_max', c.waitlist_max,
        'cost_cny', c.cost_cny, 'subsidy_cny', c.subsidy_cny, 'language', c.language,
        'status', c.status, 'archived', c.archived,
        'enrolled', (course_counts(c.id)).taken, 'waitlisted', (course_counts(c.id)).waiting,
        'started', c.starts_on <= placement_today(),
        'version', c.version, 'created_at', c.created_at, 'updated_at', c.updated_at);
$$;

-- Checks what a course's payload refers to and says together.
CREATE FUNCTION course_check(p jsonb, c course) RETURNS void LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF c.skill_id IS NULL AND c.certificate_type_id IS NULL THEN
        PERFORM api_fail('LY422', 'skill_id', 'required');
    END IF;
    IF (c.skill_id IS NULL) <> (c.skill_level IS NULL) THEN
        PERFORM api_fail('LY422', CASE WHEN c.skill_id IS NULL THEN 'skill_id' ELSE 'skill_level' END,
                         'required');
    END IF;
    IF c.skill_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM skill WHERE id = c.skill_id) THEN
        PERFORM api_fail('LY422', 'skill_id', 'not_found');
    END IF;
    IF c.certificate_type_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM certificate_type WHERE id = c.certificate_type_id) THEN
        PERFORM api_fail('LY422', 'certificate_type_id', 'not_found');
    END IF;
    IF c.occupation_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM occupation WHERE code = c.occupation_code) THEN
        PERFORM api_fail('LY422', 'occupation_code', 'not_found');
    END IF;
    IF c.site_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM site WHERE id = c.site_id
                                                                   AND county_code = c.county_code) THEN
        PERFORM api_fail('LY422', 'site_id', 'not_found');
    END IF;
    IF c.ends_on < c.starts_on THEN
        PERFORM api_fail('LY422', 'ends_on', 'invalid_range');
    END IF;
    IF c.subsidy_cny > c.cost_cny THEN
        PERFORM api_fail('LY422', 'subsidy_cny', 'out_of_range');
    END IF;
END $$;

CREATE FUNCTION api_course_create(p jsonb, actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c course;
BEGIN
    PERFORM api_require_county('county_code', (p ->> 'county_code')::integer);
    c := jsonb_populate_record(NULL::course, p);
    c.waitlist_max := coalesce(c.waitlist_max, 0);
    c.cost_cny := coalesce(c.cost_cny, 0);
    c.subsidy_cny := coalesce(c.subsidy_cny, 0);
    PERFORM course_check(p, c);
    INSERT INTO course (title, provider, skill_id, skill_level, certificate_type_id, occupation_code,
                        county_code, site_id, place, starts_on, ends_on, hours, seats, waitlist_max,
                        cost_cny, subsidy_cny, language)
    VALUES (c.title, c.provider, c.skill_id, c.skill_level, c.certificate_type_id, c.occupation_code,
            c.county_code, c.site_id, coalesce(c.place, ''), c.starts_on, c.ends_on, c.hours, c.seats,
            c.waitlist_max, c.cost_cny, c.subsidy_cny, coalesce(c.language, 'zh'))
    RETURNING * INTO c;
    status := 201;
    version := c.version;
    body := course_json(c);
END $$;

CREATE FUNCTION api_course_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c course;
BEGIN
    SELECT * INTO c FROM course WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := c.version;
    body := course_json(c);
END $$;

-- Seats may not go below the seats taken; the skill, certificate and dates
-- may change only before anyone has completed the course.
CREATE FUNCTION api_course_update(p_id bigint, p_version integer, p jsonb, actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c course;
    n course;
BEGIN
    SELECT * INTO c FROM course WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND c.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    n := jsonb_populate_record(c, p);
    IF n.county_code <> c.county_code THEN
        PERFORM api_require_county('county_code', n.county_code);
    END IF;
    PERFORM course_check(p, n);
    IF n.seats < (SELECT count(*) FROM course_enrolment e
                  WHERE e.course_id = p_id AND e.status IN ('enrolled', 'completed')) THEN
        PERFORM api_fail('LY409', 'seats', 'out_of_range');
    END IF;
    IF (n.skill_id, n.skill_level, n.certificate_type_id) IS DISTINCT FROM
       (c.skill_id, c.skill_level, c.certificate_type_id)
       AND EXISTS (SELECT 1 FROM course_enrolment e WHERE e.course_id = p_id AND e.status = 'completed') THEN
        PERFORM api_fail('LY409', CASE WHEN n.skill_id IS DISTINCT FROM c.skill_id THEN 'skill_id'
                                       WHEN n.skill_level IS DISTINCT FROM c.skill_level THEN 'skill_level'
                                       ELSE 'certificate_type_id' END, 'not_allowed');
    END IF;
    UPDATE course SET title = n.title, provider = n.provider, skill_id = n.skill_id,
        skill_level = n.skill_level, certificate_type_id = n.certificate_type_id,
        occupation_code = n.occupation_code, county_code = n.county_code, site_id = n.site_id,
        place = n.place, starts_on = n.starts_on, ends_on = n.ends_on, hours = n.hours,
        seats = n.seats, waitlist_max = n.waitlist_max, cost_cny = n.cost_cny,
        subsidy_cny = n.subsidy_cny, language = n.language, status = n.status,
        archived = n.archived, version = course.version + 1, updated_at = now()
    WHERE id = p_id
    RETURNING * INTO c;
    status := 200;
    version := c.version;
    body := course_json(c);
END $$;

-- Filters: county_code, site_id, skill_id, certificate_type_id, language,
-- upcoming (not started yet), archived (default false).  Sort: starts_on
-- (default) or id.  Cursor: {"id", "starts_on"} of the last row shown.
CREATE FUNCTION api_course_list(f jsonb, cur jsonb, lim integer, sort text,
                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := api_page_limit(lim);
    by_id boolean := sort = 'id';
    rows course[];
    last course;
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
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(course_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}',
                          jsonb_build_object('id', last.id, 'starts_on', last.starts_on));
    END IF;
END $$;

CREATE FUNCTION enrolment_json(e course_enrolment) RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'course_id', e.course_id,
        'course_title', (SELECT title FROM course WHERE id = e.course_id),
        'worker_id', e.worker_id, 'worker_name', (SELECT name FROM worker WHERE id = e.worker_id),
        'status', e.status, 'source', e.source,
        'waitlist_position', course_waitlist_position(e),
        'hours_attended', e.hours_attended, 'result', e.result, 'result_on', e.result_on,
        'subsidy_cny', (SELECT amount_cny FROM training_subsidy s WHERE s.enrolment_id = e.id),
        'enrolled_at', e.enrolled_at, 'version', e.version, 'updated_at', e.updated_at);
$$;

-- Enrolments, withdrawals and results of one course wait for each other
-- (a kiosk may not lock the course row itself: it may not update courses).
CREATE FUNCTION course_lock(p_course bigint) RETURNS void LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtext('course'), (p_course % 2147483647)::integer);
$$;

-- Enrols p.worker_id (seen by the caller, not archived) in p.course_id:
-- a seat while there is one, else the waiting list while it has room.
-- Refused (LY409, nothing written) for a course cancelled or started, a
-- worker already enrolled or waiting, and a course with seats and waiting
-- list full.  The course row is locked, so concurrent enrolments count
-- seats one after the other.
CREATE FUNCTION course_enrol(p_course bigint, p_worker bigint, p_source text) RETURNS course_enrolment
LANGUAGE plpgsql AS $$
DECLARE
    c course;
    e course_enrolment;
    taken integer;
    waiting integer;
BEGIN
    SELECT * INTO c FROM course WHERE id = p_course AND NOT archived;
    IF NOT FOUND THEN
        PERFORM api_fail('LY422', 'course_id', 'not_found');
    END IF;
    PERFORM course_lock(p_course);
    IF NOT EXISTS (SELECT 1 FROM worker WHERE id = p_worker AND NOT archived) THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_found');
    END IF;
    IF c.status <> 'open' THEN
        PERFORM api_fail('LY409', 'course_id', 'not_open');
    END IF;
    IF c.starts_on <= placement_today() THEN
        PERFORM api_fail('LY409', 'course_id', 'course_started');
    END IF;
    IF EXISTS (SELECT 1 FROM course_enrolment x WHERE x.course_id = p_course AND x.worker_id = p_worker
                                                  AND x.status <> 'withdrawn') THEN
        PERFORM api_fail('LY409', 'worker_id', 'already_enrolled');
    END IF;
    SELECT * INTO taken, waiting FROM course_counts(p_course);
    IF taken >= c.seats AND waiting >= c.waitlist_max THEN
        PERFORM api_fail('LY409', 'course_id', 'course_full');
    END IF;
    INSERT INTO course_enrolment (course_id, worker_id, status, source)
    VALUES (p_course, p_worker, CASE WHEN taken < c.seats THEN 'enrolled' ELSE 'waitlisted' END, p_source)
    RETURNING * INTO e;
    RETURN e;
END $$;

-- POST /v1/enrolments {course_id, worker_id}: staff enrol a worker.
CREATE FUNCTION api_enrolment_create(p jsonb, actor text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    e course_enrolment := course_enrol((p ->> 'course_id')::bigint, (p ->> 'worker_id')::bigint, 'staff');
BEGIN
    status := 201;
    version := e.version;
    body := enrolment_json(e);
END $$;

-- POST /v1/kiosk/enrolments {course_id}: the job seeker enrols themselves.
CREATE FUNCTION api_kiosk_enrolment_create(p jsonb, actor text,
                                           OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
    e course_enrolment := course_enrol((p ->> 'course_id')::bigint, w.id, 'kiosk');
BEGIN
    status := 201;
    version := e.version;
    body := enrolment_json(e);
END $$;

CREATE FUNCTION api_enrolment_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    e course_enrolment;
BEGIN
    SELECT * INTO e FROM course_enrolment WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := e.version;
    body := enrolment_json(e);
END $$;

-- Filters: course_id, worker_id, status.  Sort: id.  Cursor: {"id"}.
CREATE FUNCTION api_enrolment_list(f jsonb, cur jsonb, lim integer, sort text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
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
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(enrolment_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', CASE WHEN array_length(rows, 1) > n
                            THEN jsonb_build_object('id', (rows[n]).id) END);
END $$;

-- The kiosk's own enrolments, newest first.
CREATE FUNCTION api_kiosk_enrolment_list(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
BEGIN
    status := 200;
    body := jsonb_build_object('items', coalesce((
        SELECT jsonb_agg(enrolment_json(e) || jsonb_build_object('course', course_json(c)) ORDER BY e.id DESC)
        FROM course_enrolment e JOIN course c ON c.id = e.course_id
        WHERE e.worker_id = w.id), '[]'));
END $$;

-- POST /v1/enrolments/{id}/withdraw: a seat given up goes to the first of
-- the waiting list.  A completed enrolment cannot be withdrawn.
CREATE FUNCTION api_enrolment_withdraw(p_id bigint, p_version integer, p jsonb, actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    e course_enrolment;
    was text;
BEGIN
    SELECT * INTO e FROM course_enrolment WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    PERFORM course_lock(e.course_id);
    SELECT * INTO e FROM course_enrolment WHERE id = p_id FOR UPDATE;
    IF e.status NOT IN ('enrolled', 'waitlisted') THEN
        PERFORM api_fail('LY409', 'status', 'illegal_transition');
    END IF;
    was := e.status;
    UPDATE course_enrolment SET status = 'withdrawn', version = course_enrolment.version + 1,
        updated_at = now()
    WHERE id = p_id RETURNING * INTO e;
    IF was = 'enrolled' THEN
        UPDATE course_enrolment SET status = 'enrolled', version = course_enrolment.version + 1,
            updated_at = now()
        WHERE id = (SELECT x.id FROM course_enrolment x WHERE x.course_id = e.course_id
                                                          AND x.status = 'waitlisted'
                    ORDER BY x.id LIMIT 1);
    END IF;
    status := 200;
    version := e.version;
    body := enrolment_json(e);
END $$;

-- POST /v1/enrolments/{id}/attendance {day, hours}: a day's hours of an
-- enrolled worker, on a day of the course up to today (a day recorded
-- again is replaced).
CREATE FUNCTION api_enrolment_attendance(p_id bigint, p_version integer, p jsonb, actor text,
                                         OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    e course_enrolment;
    c course;
    d date := (p ->> 'day')::date;
BEGIN
    SELECT * INTO e FROM course_enrolment WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    SELECT * INTO c FROM course WHERE id = e.course_id;
    IF e.status <> 'enrolled' THEN
        PERFORM api_fail('LY409', 'status', 'not_enrolled');
    END IF;
    IF d < c.starts_on OR d > c.ends_on OR d > placement_today() THEN
        PERFORM api_fail('LY422', 'day', 'out_of_range');
    END IF;
    INSERT INTO course_attendance (enrolment_id, day, hours) VALUES (p_id, d, (p ->> 'hours')::numeric)
    ON CONFLICT (enrolment_id, day) DO UPDATE SET hours = EXCLUDED.hours;
    UPDATE course_enrolment SET
        hours_attended = (SELECT coalesce(sum(hours), 0) FROM course_attendance WHERE enrolment_id = p_id),
        version = course_enrolment.version + 1, updated_at = now()
    WHERE id = p_id RETURNING * INTO e;
    status := 200;
    version := e.version;
    body := enrolment_json(e);
END $$;

-- POST /v1/courses/{id}/results {worker_id, result, result_on}: the result
-- of a worker holding a seat.  A pass writes the skill level (raised, never
-- lowered) and the certificate as proven by the course, a completed
-- training and the subsidy record, all in this transaction.  Refused
-- (LY409) for a worker not enrolled in the course (waiting, withdrawn or
-- never enrolled) and for a result recorded already.
CREATE FUNCTION api_course_result(p_id bigint, p_version integer, p jsonb, actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c course;
    e course_enrolment;
    wid bigint := (p ->> 'worker_id')::bigint;
    res text := p ->> 'result';
    d date := coalesce((p ->> 'result_on')::date, placement_today());
    place record;
    saved text := coalesce(current_setting('leye.scope', true), '');
BEGIN
    SELECT * INTO c FROM course WHERE id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    PERFORM course_lock(p_id);
    IF NOT EXISTS (SELECT 1 FROM worker WHERE id = wid) THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_found');
    END IF;
    SELECT * INTO e FROM course_enrolment x
    WHERE x.course_id = p_id AND x.worker_id = wid AND x.status IN ('enrolled', 'completed') FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY409', 'worker_id', 'not_enrolled');
    END IF;
    IF e.status = 'completed' THEN
        PERFORM api_fail('LY409', 'worker_id', 'already_completed');
    END IF;
    IF d < c.starts_on OR d > placement_today() THEN
        PERFORM api_fail('LY422', 'result_on', 'out_of_range');
    END IF;
    UPDATE course_enrolment SET status = 'completed', result = res, result_on = d,
        version = course_enrolment.version + 1, updated_at = now()
    WHERE id = e.id RETURNING * INTO e;
    IF res = 'passed' THEN
        IF c.skill_id IS NOT NULL THEN
            INSERT INTO worker_skill AS ws (worker_id, skill_id, level, proven_level, proven_course_id)
            VALUES (wid, c.skill_id, c.skill_level, c.skill_level, c.id)
            ON CONFLICT (worker_id, skill_id) DO UPDATE
                SET level = greatest(ws.level, EXCLUDED.level),
                    proven_level = greatest(coalesce(ws.proven_level, 0), EXCLUDED.proven_level),
                    proven_course_id = CASE WHEN coalesce(ws.proven_level, 0) > EXCLUDED.proven_level
                                            THEN ws.proven_course_id ELSE EXCLUDED.proven_course_id END;
        END IF;
        IF c.certificate_type_id IS NOT NULL THEN
            INSERT INTO worker_certificate (worker_id, certificate_type_id, issued_on, course_id)
            VALUES (wid, c.certificate_type_id, d, c.id);
        END IF;
        INSERT INTO worker_training (worker_id, name, provider, start_date, end_date, completed, skill_id)
        VALUES (wid, c.title, c.provider, c.starts_on, greatest(c.starts_on, least(c.ends_on, d)), true,
                c.skill_id);
        PERFORM set_config('leye.scope', '*', true);
        SELECT s.id AS site_id, s.county_code INTO place
        FROM worker w JOIN household h ON h.id = w.household_id JOIN site s ON s.id = h.site_id
        WHERE w.id = wid;
        PERFORM set_config('leye.scope', saved, true);
        INSERT INTO training_subsidy (enrolment_id, course_id, worker_id, county_code, site_id,
                                      amount_cny, completed_on)
        VALUES (e.id, c.id, wid, place.county_code, place.site_id, c.subsidy_cny, d);
    END IF;
    status := 200;
    version := e.version;
    body := enrolment_json(e);
END $$;

-- What the matching core needs of the courses a worker could still take:
-- open courses, not started, not archived, seats or waiting list free, the
-- worker not enrolled in them.  Read by the recommendation routes, which
-- run the counting on the index (lib/match/match_recommend.c).
CREATE FUNCTION training_candidate_courses(p_worker bigint) RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_agg(course_json(c) ORDER BY c.starts_on, c.id), '[]')
    FROM course c
    WHERE c.status = 'open' AND NOT c.archived AND c.starts_on > placement_today()
      AND NOT EXISTS (SELECT 1 FROM course_enrolment x WHERE x.course_id = c.id
                                                        AND x.worker_id = p_worker
                                                        AND x.status <> 'withdrawn')
      AND (SELECT taken + waiting FROM course_counts(c.id)) < c.seats + c.waitlist_max
      AND EXISTS (SELECT 1 FROM worker w WHERE w.id = p_worker);
$$;

-- For staff: the skills that open vacancies of the caller's scope (in a
-- county, or the county of a site) require as must-haves, with the posts
-- still unfilled, the seekers of the group (the county or the site) who
-- hold the skill at the level asked and who do not, and the upcoming
-- courses that teach it; ranked by the posts unfilled beyond the seekers
-- who hold the skill (the gap), then by posts unfilled.
CREATE FUNCTION api_training_gaps(f jsonb, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    c integer := (f ->> 'county_code')::integer;
    s bigint := (f ->> 'site_id')::bigint;
    lim integer := least(greatest(coalesce((f ->> 'limit')::integer, 20), 1), 100);
BEGIN
    IF s IS NOT NULL THEN
        SELECT county_code INTO c FROM site WHERE id = s;
        IF NOT FOUND THEN
            PERFORM api_fail('LY422', 'site_id', 'not_found');
        END IF;
    END IF;
    status := 200;
    body := jsonb_build_object('county_code', c, 'site_id', s, 'as_of', placement_today(), 'items', coalesce((
        SELECT jsonb_agg(to_jsonb(g) ORDER BY g.gap DESC, g.posts_unfilled DESC, g.skill_id)
        FROM (
            SELECT d.skill_id, k.name_zh AS skill_name, k.name_en AS skill_name_en, d.level,
                   d.vacancies, d.posts_unfilled, sk.seekers, sk.seekers_holding,
                   sk.seekers - sk.seekers_holding AS seekers_missing,
                   greatest(d.posts_unfilled - sk.seekers_holding, 0) AS gap,
                   (SELECT count(*) FROM course cc WHERE cc.skill_id = d.skill_id
                        AND cc.skill_level >= d.level AND cc.status = 'open' AND NOT cc.archived
                        AND cc.starts_on > placement_today()
                        AND (c IS NULL OR cc.county_code = c)) AS courses_upcoming
            FROM (SELECT vs.skill_id, min(vs.min_level) AS level, count(DISTINCT v.id) AS vacancies,
                         sum(greatest(v.headcount - v.filled, 0)) AS posts_unfilled
                  FROM vacancy v JOIN vacancy_skill vs ON vs.vacancy_id = v.id AND vs.must_have
                  WHERE v.status = 'open' AND NOT v.archived AND v.filled < v.headcount
                    AND (c IS NULL OR v.county_code = c)
                  GROUP BY vs.skill_id) d
            JOIN skill k ON k.id = d.skill_id
            CROSS JOIN LATERAL (
                SELECT count(*) AS seekers,
                       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM worker_skill ws
                                                      WHERE ws.worker_id = w.id AND ws.skill_id = d.skill_id
                                                        AND ws.level >= d.level)) AS seekers_holding
                FROM worker w JOIN household h ON h.id = w.household_id JOIN site st ON st.id = h.site_id
                WHERE w.employment_status = 'seeking' AND NOT w.archived AND NOT h.archived
                  AND (s IS NULL OR st.id = s) AND (c IS NULL OR st.county_code = c)) sk
            LIMIT lim) g), '[]'));
END $$;

-- The training figures of a quarterly report row (docs/reports.md):
-- people of the group, by their site at the pass, with a subsidy record
-- dated in [qs, qe], those records, and their sum.  Row-level security on
-- training_subsidy keeps the caller's scope.
CREATE FUNCTION training_quarter_figures(qs date, qe date, c integer, s bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('trained_persons', count(DISTINCT t.worker_id),
                              'course_completions', count(*),
                              'training_subsidy_cny', coalesce(sum(t.amount_cny), 0))
    FROM training_subsidy t
    WHERE t.completed_on BETWEEN qs AND qe
      AND (c IS NULL OR t.county_code = c) AND (s IS NULL OR t.site_id = s);
$$;

-- 037's quarterly report with the training figures added to each row.
CREATE OR REPLACE FUNCTION api_report_quarterly(p_year integer, p_quarter integer, p_county integer,
                                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    qs date := make_date(p_year, 3 * p_quarter - 2, 1);
    qe date := (make_date(p_year, 3 * p_quarter - 2, 1) + interval '3 months' - interval '1 day')::date;
    d date := least(qe, placement_today());
    sc text := leye_scope();
BEGIN
    IF qs > placement_today() THEN
        PERFORM api_fail('LY422', 'quarter', 'out_of_range');
    END IF;
    IF p_county IS NOT NULL AND NOT EXISTS (SELECT 1 FROM region WHERE code = p_county AND level = 'county') THEN
        PERFORM api_fail('LY422', 'county', 'not_found');
    END IF;
    status := 200;
    body := jsonb_build_object(
        'year', p_year, 'quarter', p_quarter, 'from', qs, 'to', qe, 'as_of', d,
        'complete', qe < placement_today(), 'due_on', report_due_on(qe),
        'county_code', p_county,
        'total', report_quarter_figures(qs, d, p_county, NULL, sc)
                 || training_quarter_figures(qs, d, p_county, NULL),
        'counties', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'county_code', cc, 'county_name', g.name,
                       'figures', report_quarter_figures(qs, d, cc, NULL, sc)
                                  || training_quarter_figures(qs, d, cc, NULL),
                       'sites', (SELECT jsonb_agg(jsonb_build_object(
                                            'site_id', st.id, 'site_name', st.name,
                                            'figures', report_quarter_figures(qs, d, cc, st.id, sc)
                                                       || training_quarter_figures(qs, d, cc, st.id))
                                        ORDER BY st.name, st.id)
                                 FROM site st WHERE st.county_code = cc AND NOT st.archived))
                   ORDER BY cc)
            FROM (SELECT DISTINCT county_code AS cc FROM site
                  WHERE NOT archived AND (p_county IS NULL OR county_code = p_county)) cs
            JOIN region g ON g.code = cs.cc), '[]'));
END $$;

-- The skills a worker holds at a level a passed course proved, as [skill
-- ids]: the matching routes mark the reasons about them (server/h_matches.c).
-- Row-level security on worker_skill keeps the caller's scope.
CREATE FUNCTION training_proven_skills(p_worker bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(skill_id ORDER BY skill_id), '[]') FROM worker_skill
    WHERE worker_id = p_worker AND level <= proven_level;
$$;
