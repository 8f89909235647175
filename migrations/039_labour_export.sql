-- 039_labour_export: organised labour export trips (劳务输出批次), their
-- roster, departure, arrival, the follow-ups out of province and the proof
-- of stable work that the travel and job-keeping subsidies are paid on.
--
-- A trip takes a group of workers from a departure place to one employer's
-- labour-export vacancies in another province.  Workers sign up (staff, the
-- broker organising the trip for consenting workers, or the worker at a
-- kiosk); when more sign up than the trip takes, the roster is filled by the
-- allocation engine (server/h_export.c reads export_fill_input, solves with
-- lib/alloc, stores the result with api_export_fill): households with
-- nobody employed first, then households under monitoring, then the score.
-- Departure is checked in per person; an arrival confirmed makes the
-- placement (as a hire does, under the programme rules) and the trip's
-- follow-ups at 7 days, 1, 3 and 6 months.  A follow-up records what staff
-- saw (a contract, an employer's letter, wage records); one that finds the
-- worker gone home (返乡) ends the placement as a job loss (placement_close,
-- migration 035) with the early-warning visit the household rules owe.

ALTER TABLE placement DROP CONSTRAINT placement_end_reason_check;
ALTER TABLE placement ADD CONSTRAINT placement_end_reason_check
    CHECK (end_reason IN ('contract_ended', 'quit', 'dismissed', 'project_finished', 'health', 'moved',
                          'other', 'returned_home'));

CREATE TABLE export_trip (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    employer_id        bigint NOT NULL REFERENCES employer (id),
    county_code        integer NOT NULL REFERENCES region (code), -- the organising county
    dest_province_code integer NOT NULL REFERENCES province (code),
    dest_city          text NOT NULL DEFAULT '' CHECK (length(dest_city) <= 50),
    departure_on       date NOT NULL,
    departure_place    text NOT NULL CHECK (length(departure_place) BETWEEN 1 AND 200),
    transport          text NOT NULL CHECK (transport IN ('chartered_bus', 'special_train', 'train',
                                                           'flight', 'other')),
    seats              integer NOT NULL CHECK (seats BETWEEN 1 AND 2000),
    headcount          integer NOT NULL CHECK (headcount BETWEEN 1 AND 2000),
    escort             text NOT NULL DEFAULT '' CHECK (length(escort) <= 100),
    broker_id          bigint REFERENCES broker (id),
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'departed', 'cancelled')),
    note               text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_by         text NOT NULL DEFAULT 'system',
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (headcount <= seats)
);
CREATE INDEX export_trip_departure ON export_trip (departure_on, id);
CREATE INDEX export_trip_broker ON export_trip (broker_id) WHERE broker_id IS NOT NULL;

CREATE TABLE export_trip_vacancy (
    trip_id    bigint NOT NULL REFERENCES export_trip (id),
    vacancy_id bigint NOT NULL REFERENCES vacancy (id),
    PRIMARY KEY (trip_id, vacancy_id)
);

-- One sign-up per worker and trip.  state: signed_up (waiting for the
-- roster), selected (on it), waitlisted (not on it: why), departed (checked
-- in), arrived (placement made), returned (went home: the placement ended).
CREATE TABLE export_signup (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trip_id       bigint NOT NULL REFERENCES export_trip (id),
    worker_id     bigint NOT NULL REFERENCES worker (id),
    source        text NOT NULL CHECK (source IN ('staff', 'broker', 'kiosk')),
    broker_id     bigint REFERENCES broker (id),
    state         text NOT NULL DEFAULT 'signed_up'
        CHECK (state IN ('signed_up', 'selected', 'waitlisted', 'departed', 'arrived', 'returned')),
    vacancy_id    bigint REFERENCES vacancy (id), -- the post the roster gave
    score         integer,
    covers        text[] NOT NULL DEFAULT '{}',    -- household priorities this place counted for
    why           text CHECK (why IN ('outscored', 'no_eligible_post', 'household_rule')),
    checked_in_at timestamptz,
    arrived_on    date,
    placement_id  bigint REFERENCES placement (id),
    returned_on   date,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    created_by    text NOT NULL DEFAULT 'system',
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (trip_id, worker_id)
);
CREATE INDEX export_signup_worker ON export_signup (worker_id);

-- The trip's follow-ups of one arrived worker: day7, month1, month3, month6
-- after arrival, with what was seen.
CREATE TABLE export_followup (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    signup_id            bigint NOT NULL REFERENCES export_signup (id),
    point                text NOT NULL CHECK (point IN ('day7', 'month1', 'month3', 'month6')),
    due_on               date NOT NULL,
    done_at              timestamptz,
    still_employed       boolean,
    wage                 integer CHECK (wage BETWEEN 0 AND 1000000),
    contract_seen        boolean NOT NULL DEFAULT false,
    employer_letter_seen boolean NOT NULL DEFAULT false,
    wage_records_seen    boolean NOT NULL DEFAULT false,
    note                 text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    recorded_by          text,
    UNIQUE (signup_id, point)
);
CREATE INDEX export_followup_due ON export_followup (due_on) WHERE done_at IS NULL;

-- ---------- scope ----------

-- Staff see the trips of their counties; a broker the trips it organises; a
-- kiosk every trip (which ones are open for it is the query's business).
CREATE FUNCTION export_trip_visible(p_county integer, p_broker bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (SELECT leye_scope()) LIKE 'b:%' THEN p_broker = ANY (leye_scope_ids('b'))
                ELSE leye_county_ok(p_county) END;
$$;

ALTER TABLE export_trip ENABLE ROW LEVEL SECURITY;
ALTER TABLE export_trip FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON export_trip FOR SELECT USING (export_trip_visible(county_code, broker_id));
CREATE POLICY scope_insert ON export_trip FOR INSERT WITH CHECK (leye_county_write_ok(county_code));
CREATE POLICY scope_update ON export_trip FOR UPDATE USING (export_trip_visible(county_code, broker_id));
ALTER TABLE export_trip_vacancy ENABLE ROW LEVEL SECURITY;
ALTER TABLE export_trip_vacancy FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON export_trip_vacancy USING (EXISTS (SELECT 1 FROM export_trip t WHERE t.id = trip_id));
-- a sign-up is visible with its worker (a kiosk its own, a broker consenting
-- workers) and its trip
ALTER TABLE export_signup ENABLE ROW LEVEL SECURITY;
ALTER TABLE export_signup FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON export_signup USING (
    EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id)
    AND EXISTS (SELECT 1 FROM export_trip t WHERE t.id = trip_id));
ALTER TABLE export_followup ENABLE ROW LEVEL SECURITY;
ALTER TABLE export_followup FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON export_followup USING (EXISTS (SELECT 1 FROM export_signup s WHERE s.id = signup_id));

-- Every change is in the audit log, as for the other records.
DO $$
DECLARE spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ['export_trip', 'x.id::text'], ['export_trip_vacancy', 'x.trip_id || '':'' || x.vacancy_id'],
        ['export_signup', 'x.id::text'], ['export_followup', 'x.id::text']] LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)',
                       spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
    END LOOP;
END $$;

-- ---------- answers ----------

-- A worker's name as the caller may see it: brokers and kiosks get it partly
-- hidden (张*明), as public notices show names.
CREATE FUNCTION export_name(n text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN (SELECT leye_scope()) LIKE 'b:%' OR (SELECT leye_scope()) LIKE 'k:%'
                THEN allocation_mask_name(n) ELSE n END;
$$;

CREATE FUNCTION export_trip_json(t export_trip) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', t.id, 'title', t.title, 'employer_id', t.employer_id, 'employer_name', e.name,
        'county_code', t.county_code, 'dest_province_code', t.dest_province_code,
        'dest_province_name', p.name, 'dest_city', t.dest_city,
        'departure_on', t.departure_on, 'departure_place', t.departure_place,
        'transport', t.transport, 'seats', t.seats, 'headcount', t.headcount, 'escort', t.escort,
        'broker_id', t.broker_id, 'status', t.status, 'note', t.note,
        'vacancies', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'id', v.id, 'title', v.title, 'wage_min', v.wage_min,
                                   'wage_max', v.wage_max, 'open_posts', greatest(v.headcount - v.filled, 0))
                               ORDER BY v.id)
                               FROM export_trip_vacancy x JOIN vacancy v ON v.id = x.vacancy_id
                               WHERE x.trip_id = t.id), '[]'),
        'signups', (SELECT count(*) FROM export_signup s WHERE s.trip_id = t.id),
        'counts', (SELECT jsonb_object_agg(st, (SELECT count(*) FROM export_signup s
                                                WHERE s.trip_id = t.id AND s.state = st))
                   FROM unnest(ARRAY['signed_up', 'selected', 'waitlisted', 'departed', 'arrived',
                                     'returned']) st),
        'version', t.version, 'created_at', t.created_at, 'updated_at', t.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN employer e ON e.id = t.employer_id
    LEFT JOIN province p ON p.code = t.dest_province_code;
$$;

CREATE FUNCTION export_followup_json(f export_followup) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'point', f.point, 'due_on', f.due_on, 'done', f.done_at IS NOT NULL, 'done_at', f.done_at,
        'overdue', f.done_at IS NULL AND f.due_on < placement_today(),
        'still_employed', f.still_employed, 'wage', f.wage, 'contract_seen', f.contract_seen,
        'employer_letter_seen', f.employer_letter_seen, 'wage_records_seen', f.wage_records_seen,
        'note', f.note, 'recorded_by', f.recorded_by);
$$;

-- A sign-up with its worker (name as the caller may see it, site), the
-- household priorities the roster weighed (dropped for brokers and kiosks by
-- the privacy step: their names begin with household) and the follow-ups.
CREATE FUNCTION export_signup_json(s export_signup) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', s.id, 'trip_id', s.trip_id, 'worker_id', s.worker_id, 'worker_name', export_name(w.name),
        'site_name', si.name, 'household_zero_employment', h.zero_employment,
        'household_monitored', h.monitoring_status <> 'none',
        'source', s.source, 'state', s.state, 'vacancy_id', s.vacancy_id, 'vacancy_title', v.title,
        'score', s.score, 'covers', to_jsonb(s.covers), 'why', s.why,
        'checked_in_at', s.checked_in_at, 'arrived_on', s.arrived_on,
        'placement_id', s.placement_id, 'returned_on', s.returned_on, 'note', s.note,
        'followups', coalesce((SELECT jsonb_agg(export_followup_json(f) ORDER BY f.due_on)
                               FROM export_followup f WHERE f.signup_id = s.id), '[]'),
        'version', s.version, 'created_at', s.created_at)
    FROM (SELECT 1) one
    LEFT JOIN worker w ON w.id = s.worker_id
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site si ON si.id = h.site_id
    LEFT JOIN vacancy v ON v.id = s.vacancy_id;
$$;

-- ---------- trips ----------

-- POST /v1/export-trips {title, employer_id, dest_province_code, dest_city,
-- departure_on, departure_place, transport, seats, headcount, escort,
-- broker_id, vacancy_ids, note}.  The trip belongs to the county of its
-- first vacancy, which the caller must be able to write.  Its vacancies are
-- the employer's open labour-export posts in the destination province; the
-- headcount is within the seats and the vacancies' open posts.
CREATE FUNCTION api_export_trip_create(p jsonb, p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t export_trip;
    v vacancy;
    ids bigint[] := ARRAY(SELECT jsonb_array_elements_text(p -> 'vacancy_ids')::bigint);
    open_posts integer := 0;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM employer e WHERE e.id = (p ->> 'employer_id')::bigint) THEN
        PERFORM api_fail('LY422', 'employer_id', 'not_found');
    END IF;
    IF (p ->> 'broker_id') IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM broker b WHERE b.id = (p ->> 'broker_id')::bigint AND NOT b.archived) THEN
        PERFORM api_fail('LY422', 'broker_id', 'not_found');
    END IF;
    IF (p ->> 'departure_on')::date < placement_today() THEN
        PERFORM api_fail('LY422', 'departure_on', 'out_of_range');
    END IF;
    IF (p ->> 'headcount')::integer > (p ->> 'seats')::integer THEN
        PERFORM api_fail('LY422', 'headcount', 'exceeds_seats');
    END IF;
    FOR v IN SELECT * FROM vacancy x WHERE x.id = ANY (ids) ORDER BY x.id LOOP
        IF v.employer_id <> (p ->> 'employer_id')::bigint OR v.kind <> 'labor_export'
           OR v.dest_province_code <> (p ->> 'dest_province_code')::integer THEN
            PERFORM api_fail('LY422', 'vacancy_ids', 'not_allowed');
        ELSIF v.archived OR v.status <> 'open' THEN
            PERFORM api_fail('LY422', 'vacancy_ids', 'not_open');
        END IF;
        open_posts := open_posts + greatest(v.headcount - v.filled, 0);
    END LOOP;
    IF (SELECT count(*) FROM vacancy x WHERE x.id = ANY (ids)) <> cardinality(ids) THEN
        PERFORM api_fail('LY422', 'vacancy_ids', 'not_found');
    END IF;
    IF (p ->> 'headcount')::integer > open_posts THEN
        PERFORM api_fail('LY422', 'headcount', 'exceeds_posts');
    END IF;
    SELECT x.county_code INTO v.county_code FROM vacancy x WHERE x.id = ids[1];
    BEGIN
        INSERT INTO export_trip (title, employer_id, county_code, dest_province_code, dest_city,
                                 departure_on, departure_place, transport, seats, headcount,
                                 escort, broker_id, note, created_by)
        VALUES (p ->> 'title', (p ->> 'employer_id')::bigint, v.county_code,
                (p ->> 'dest_province_code')::integer, coalesce(p ->> 'dest_city', ''),
                (p ->> 'departure_on')::date, p ->> 'departure_place', p ->> 'transport',
                (p ->> 'seats')::integer, (p ->> 'headcount')::integer, coalesce(p ->> 'escort', ''),
                (p ->> 'broker_id')::bigint, coalesce(p ->> 'note', ''), p_actor)
        RETURNING * INTO t;
    EXCEPTION WHEN insufficient_privilege THEN
        PERFORM api_fail('LY422', 'vacancy_ids', 'outside_scope');
    END;
    INSERT INTO export_trip_vacancy (trip_id, vacancy_id) SELECT t.id, unnest(ids);
    status := 201;
    version := t.version;
    body := export_trip_json(t);
END $$;

CREATE FUNCTION api_export_trip_get(p_id bigint, OUT status integer, OUT version integer,
                                    OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t export_trip;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_id;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := t.version;
    body := export_trip_json(t) || jsonb_build_object(
        'roster', coalesce((SELECT jsonb_agg(export_signup_json(s)
                                             ORDER BY array_position(ARRAY['returned', 'arrived', 'departed',
                                                 'selected', 'signed_up', 'waitlisted'], s.state), s.id)
                            FROM export_signup s WHERE s.trip_id = t.id), '[]'));
END $$;

-- Filters: status, county_code, upcoming (departure today or later).
-- Sorts: departure_on (soonest first), -id.  Cursor: {"d", "id"}.
CREATE FUNCTION api_export_trip_list(f jsonb, cur jsonb, lim integer, sort text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
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
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(export_trip_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}',
                          jsonb_build_object('id', (rows[n]).id, 'd', (rows[n]).departure_on));
    END IF;
END $$;

-- ---------- sign-up ----------

-- POST /v1/export-trips/{id}/signups {worker_id, note} (staff, or the
-- broker organising the trip: only workers who consented to brokers, whom
-- row-level security alone lets it see) and POST
-- /v1/kiosk/export-trips/{id}/signup (the signed-in worker).  Refused: a
-- trip not open or already gone, a worker not seeking, one signed up
-- already, one already on another trip that has not arrived.
CREATE FUNCTION api_export_signup(p_trip bigint, p jsonb, p_actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    caller text := leye_scope();
    t export_trip;
    w worker;
    s export_signup;
    src text := 'staff';
    broker bigint;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_trip FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF caller LIKE 'k:%' THEN
        src := 'kiosk';
        SELECT * INTO w FROM worker x WHERE x.id = (leye_scope_ids('k'))[1];
    ELSE
        IF caller LIKE 'b:%' THEN
            src := 'broker';
            broker := (leye_scope_ids('b'))[1];
        END IF;
        SELECT * INTO w FROM worker x WHERE x.id = (p ->> 'worker_id')::bigint;
    END IF;
    IF w.id IS NULL THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_found');
    ELSIF w.archived THEN
        PERFORM api_fail('LY422', 'worker_id', 'archived');
    ELSIF w.employment_status = 'not_seeking' THEN
        PERFORM api_fail('LY422', 'worker_id', 'not_seeking');
    END IF;
    IF t.status <> 'open' OR t.departure_on < placement_today() THEN
        PERFORM api_fail('LY409', 'trip_id', 'trip_closed');
    END IF;
    IF EXISTS (SELECT 1 FROM export_signup x WHERE x.trip_id = t.id AND x.worker_id = w.id) THEN
        PERFORM api_fail('LY409', 'worker_id', 'duplicate');
    END IF;
    IF EXISTS (SELECT 1 FROM export_signup x JOIN export_trip y ON y.id = x.trip_id
               WHERE x.worker_id = w.id AND x.state IN ('selected', 'departed')
                 AND y.status <> 'cancelled') THEN
        PERFORM api_fail('LY409', 'worker_id', 'on_another_trip');
    END IF;
    INSERT INTO export_signup (trip_id, worker_id, source, broker_id, note, created_by)
    VALUES (t.id, w.id, src, broker, coalesce(p ->> 'note', ''), p_actor)
    RETURNING * INTO s;
    status := 201;
    version := s.version;
    body := export_signup_json(s);
END $$;

-- ---------- the roster from the allocation engine ----------

-- What the engine needs for trip p_trip (scope '*' inside: the households'
-- flags are read whoever asks; the caller must see the trip): {trip_id,
-- capacity: min(headcount, seats) less the places already taken,
-- and the open posts of its vacancies less those the roster holds,
-- vacancies: [ids], signups: [{s, w, h, zero, monitored}]} of the sign-ups
-- still to place (signed_up, waitlisted).  NULL when the caller cannot see it.
CREATE FUNCTION export_fill_input(p_trip bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    caller text := leye_scope();
    t export_trip;
    r jsonb;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_trip;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('leye.scope', '*', true);
    SELECT jsonb_build_object(
        'trip_id', t.id, 'status', t.status,
        'capacity', greatest(least(
            least(t.headcount, t.seats)
                - (SELECT count(*) FROM export_signup s
                   WHERE s.trip_id = t.id AND s.state IN ('selected', 'departed', 'arrived', 'returned')),
            (SELECT coalesce(sum(greatest(v.headcount - v.filled, 0)), 0)
             FROM export_trip_vacancy x JOIN vacancy v ON v.id = x.vacancy_id WHERE x.trip_id = t.id)
                - (SELECT count(*) FROM export_signup s
                   WHERE s.trip_id = t.id AND s.state IN ('selected', 'departed'))), 0),
        'vacancies', coalesce((SELECT jsonb_agg(x.vacancy_id ORDER BY x.vacancy_id)
                               FROM export_trip_vacancy x WHERE x.trip_id = t.id), '[]'),
        'signups', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                 's', s.id, 'w', s.worker_id, 'h', w.household_id,
                                 'zero', coalesce(h.zero_employment, false),
                                 'monitored', h.monitoring_status <> 'none') ORDER BY s.id)
                             FROM export_signup s JOIN worker w ON w.id = s.worker_id
                             JOIN household h ON h.id = w.household_id
                             WHERE s.trip_id = t.id AND s.state IN ('signed_up', 'waitlisted')), '[]'))
    INTO r;
    PERFORM set_config('leye.scope', caller, true);
    RETURN r;
END $$;

-- POST /v1/export-trips/{id}/fill: stores the engine's result p
-- {assignments: [{s, v, score, covers}], unassigned: [{s, why}]}: the
-- assigned sign-ups go on the roster with their post, the others wait with
-- the reason.  Sign-ups made meanwhile stay signed_up.
CREATE FUNCTION api_export_fill(p_trip bigint, p jsonb, p_actor text,
                                OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t export_trip;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_trip FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    ELSIF t.status <> 'open' THEN
        PERFORM api_fail('LY409', 'trip_id', 'trip_closed');
    END IF;
    UPDATE export_signup s SET state = 'selected', vacancy_id = (a ->> 'v')::bigint,
        score = (a ->> 'score')::integer,
        covers = ARRAY(SELECT jsonb_array_elements_text(a -> 'covers')), why = NULL,
        version = s.version + 1, updated_at = now()
    FROM jsonb_array_elements(p -> 'assignments') a
    WHERE s.id = (a ->> 's')::bigint AND s.trip_id = t.id AND s.state IN ('signed_up', 'waitlisted');
    UPDATE export_signup s SET state = 'waitlisted', why = u ->> 'why', vacancy_id = NULL,
        score = NULL, covers = '{}', version = s.version + 1, updated_at = now()
    FROM jsonb_array_elements(p -> 'unassigned') u
    WHERE s.id = (u ->> 's')::bigint AND s.trip_id = t.id AND s.state IN ('signed_up', 'waitlisted');
    UPDATE export_trip x SET version = x.version + 1, updated_at = now() WHERE x.id = t.id
    RETURNING * INTO t;
    SELECT * INTO status, version, body FROM api_export_trip_get(t.id);
END $$;

-- ---------- departure and arrival ----------

CREATE FUNCTION export_signup_lock(p_trip bigint, p_signup bigint) RETURNS export_signup
LANGUAGE plpgsql AS $$
DECLARE
    s export_signup;
BEGIN
    SELECT * INTO s FROM export_signup x WHERE x.id = p_signup AND x.trip_id = p_trip FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    RETURN s;
END $$;

-- POST /v1/export-trips/{id}/signups/{sid}/check-in: the person boards.  A
-- selected person; or one waiting, in the place of someone who did not
-- come, while seats are left (the trip over its seats is refused).
CREATE FUNCTION api_export_checkin(p_trip bigint, p_signup bigint, p_actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t export_trip;
    s export_signup;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_trip FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    s := export_signup_lock(p_trip, p_signup);
    IF t.status = 'cancelled' THEN
        PERFORM api_fail('LY409', 'trip_id', 'trip_closed');
    ELSIF s.state NOT IN ('selected', 'waitlisted', 'signed_up') THEN
        PERFORM api_fail('LY409', 'state', 'illegal_transition');
    ELSIF t.departure_on > placement_today() THEN
        PERFORM api_fail('LY409', 'departure_on', 'not_yet');
    ELSIF (SELECT count(*) FROM export_signup x
           WHERE x.trip_id = t.id AND x.state IN ('departed', 'arrived', 'returned')) >= t.seats THEN
        PERFORM api_fail('LY409', 'seats', 'no_seats');
    END IF;
    UPDATE export_signup x SET state = 'departed', checked_in_at = now(), why = NULL,
        version = x.version + 1, updated_at = now()
    WHERE x.id = s.id RETURNING * INTO s;
    UPDATE export_trip x SET status = 'departed', version = x.version + 1, updated_at = now()
    WHERE x.id = t.id AND x.status <> 'departed';
    status := 200;
    version := s.version;
    body := export_signup_json(s);
END $$;

-- POST /v1/export-trips/{id}/signups/{sid}/arrival {arrived_on, wage,
-- vacancy_id}: the person reached the employer.  An application (source as
-- the sign-up's) goes applied -> offered -> hired under the programme rules
-- and the hire makes the placement (out of province) and its follow-ups at
-- 1, 3 and 6 months; the trip adds its own at 7 days, 1, 3 and 6 months.
CREATE FUNCTION api_export_arrival(p_trip bigint, p_signup bigint, p jsonb, p_actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s export_signup;
    a application;
    pl placement;
    arrived date := coalesce((p ->> 'arrived_on')::date, placement_today());
    vac bigint;
BEGIN
    s := export_signup_lock(p_trip, p_signup);
    IF s.state <> 'departed' THEN
        PERFORM api_fail('LY409', 'state', 'not_departed');
    ELSIF arrived < s.checked_in_at::date OR arrived > placement_today() THEN
        PERFORM api_fail('LY422', 'arrived_on', 'out_of_range');
    END IF;
    vac := coalesce((p ->> 'vacancy_id')::bigint, s.vacancy_id,
                    (SELECT min(x.vacancy_id) FROM export_trip_vacancy x WHERE x.trip_id = p_trip));
    IF NOT EXISTS (SELECT 1 FROM export_trip_vacancy x WHERE x.trip_id = p_trip AND x.vacancy_id = vac) THEN
        PERFORM api_fail('LY422', 'vacancy_id', 'not_allowed');
    END IF;
    -- the worker's live application for the post, if any, becomes the hire
    SELECT * INTO a FROM application x
    WHERE x.worker_id = s.worker_id AND x.vacancy_id = vac AND x.status NOT IN ('rejected', 'withdrawn')
    FOR UPDATE;
    IF a.status = 'hired' THEN
        PERFORM api_fail('LY409', 'worker_id', 'duplicate');
    ELSIF a.id IS NULL THEN
        INSERT INTO application (worker_id, vacancy_id, source, note, created_by, broker_id, status)
        VALUES (s.worker_id, vac,
                CASE s.source WHEN 'kiosk' THEN 'kiosk' WHEN 'broker' THEN 'broker' ELSE 'staff' END,
                'labour export trip ' || p_trip, p_actor, s.broker_id, 'offered')
        RETURNING * INTO a;
        INSERT INTO application_event (application_id, from_status, to_status, actor, note)
        VALUES (a.id, NULL, 'offered', p_actor, a.note);
    ELSIF a.status <> 'offered' THEN
        INSERT INTO application_event (application_id, from_status, to_status, actor, note)
        VALUES (a.id, a.status, 'offered', p_actor, 'labour export trip ' || p_trip);
        UPDATE application x SET status = 'offered', version = x.version + 1, updated_at = now()
        WHERE x.id = a.id RETURNING * INTO a;
    END IF;
    INSERT INTO application_event (application_id, from_status, to_status, actor, note)
    VALUES (a.id, 'offered', 'hired', p_actor, 'arrived');
    UPDATE application x SET status = 'hired', version = x.version + 1, updated_at = now()
    WHERE x.id = a.id RETURNING * INTO a;
    pl := application_hire(a, arrived, (p ->> 'wage')::integer);
    INSERT INTO export_followup (signup_id, point, due_on)
    SELECT s.id, x.point, (arrived + x.span)::date
    FROM (VALUES ('day7', interval '7 days'), ('month1', interval '1 month'),
                 ('month3', interval '3 months'), ('month6', interval '6 months')) x (point, span);
    UPDATE export_signup x SET state = 'arrived', arrived_on = arrived, placement_id = pl.id,
        vacancy_id = vac, version = x.version + 1, updated_at = now()
    WHERE x.id = s.id RETURNING * INTO s;
    status := 200;
    version := s.version;
    body := export_signup_json(s);
EXCEPTION WHEN unique_violation THEN
    PERFORM api_fail('LY409', 'worker_id', 'duplicate');
END $$;

-- ---------- follow-ups out of province ----------

-- POST /v1/export-trips/{id}/signups/{sid}/followups/{point}
-- {still_employed, wage, contract_seen, employer_letter_seen,
-- wage_records_seen, note, returned_on}.  At 1, 3 and 6 months it records
-- the placement's follow-up of that month too (when not yet done).
-- still_employed = false is a return home (返乡): the placement ends on
-- returned_on (default today) as a job loss under the household rules
-- (placement_close: the worker seeking, the vacancy's place back, the
-- household's counts, the early-warning visit), and the sign-up is
-- 'returned'.
CREATE FUNCTION api_export_followup(p_trip bigint, p_signup bigint, p_point text, p jsonb,
                                    p_actor text,
                                    OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    s export_signup;
    f export_followup;
    pl placement;
    t early_warning_task;
    stays boolean := (p ->> 'still_employed')::boolean;
    back date := (p ->> 'returned_on')::date;
    m integer := CASE p_point WHEN 'month1' THEN 1 WHEN 'month3' THEN 3 WHEN 'month6' THEN 6 END;
BEGIN
    s := export_signup_lock(p_trip, p_signup);
    SELECT * INTO f FROM export_followup x WHERE x.signup_id = s.id AND x.point = p_point FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY409', 'state', 'not_arrived');
    ELSIF f.done_at IS NOT NULL THEN
        PERFORM api_fail('LY409', 'point', 'duplicate');
    ELSIF s.state = 'returned' THEN
        PERFORM api_fail('LY409', 'state', 'illegal_transition');
    END IF;
    IF stays AND back IS NOT NULL THEN
        PERFORM api_fail('LY422', 'returned_on', 'not_allowed');
    ELSIF back IS NOT NULL AND (back < s.arrived_on OR back > placement_today()) THEN
        PERFORM api_fail('LY422', 'returned_on', 'out_of_range');
    END IF;
    UPDATE export_followup x SET done_at = now(), still_employed = stays,
        wage = (p ->> 'wage')::integer,
        contract_seen = coalesce((p ->> 'contract_seen')::boolean, false),
        employer_letter_seen = coalesce((p ->> 'employer_letter_seen')::boolean, false),
        wage_records_seen = coalesce((p ->> 'wage_records_seen')::boolean, false),
        note = coalesce(p ->> 'note', ''), recorded_by = p_actor
    WHERE x.id = f.id RETURNING * INTO f;
    IF m IS NOT NULL THEN
        UPDATE followup x SET done_at = now(), still_employed = stays, wage = f.wage,
            note = left('labour export follow-up: ' || f.note, 1000), recorded_by = p_actor
        WHERE x.placement_id = s.placement_id AND x.due_month = m AND x.done_at IS NULL;
    END IF;
    IF NOT stays THEN
        SELECT * INTO pl FROM placement x WHERE x.id = s.placement_id;
        back := coalesce(back, greatest(placement_today(), pl.start_date));
        IF pl.ended_on IS NULL THEN
            t := placement_close(pl.id, back, 'returned_home',
                                 'returned home, found at the ' || p_point || ' follow-up');
        END IF;
        UPDATE export_signup x SET state = 'returned', returned_on = back,
            version = x.version + 1, updated_at = now()
        WHERE x.id = s.id RETURNING * INTO s;
    END IF;
    status := 200;
    version := s.version;
    body := export_signup_json(s) || jsonb_build_object(
        'early_warning_task', CASE WHEN t.id IS NULL THEN NULL ELSE warning_task_json(t) END);
END $$;

-- ---------- proof of stable work and the subsidies ----------

-- GET /v1/export-trips/{id}/subsidies: for each person who arrived, the
-- proof of stable work out of province built from the follow-ups, and
-- whether they qualify (docs/reports.md, "Labour export"):
--   travel subsidy (交通补贴): arrived with the trip and found at work at
--     the 7-day follow-up;
--   job-keeping subsidy (稳岗补贴): three months' work out of province
--     proven: the 3-month follow-up found them at work, a contract or an
--     employer's letter was seen at some follow-up, wage records at the
--     3-month one, and no return home before it.
CREATE FUNCTION api_export_subsidies(p_trip bigint, OUT status integer, OUT version integer,
                                     OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t export_trip;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_trip;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := t.version;
    WITH p AS (
        SELECT s.*, w.name, si.name AS site_name,
               d7.still_employed IS TRUE AS seen_day7,
               m3.still_employed IS TRUE AS seen_month3,
               coalesce(m3.wage_records_seen, false) AS wages_month3,
               EXISTS (SELECT 1 FROM export_followup x WHERE x.signup_id = s.id
                       AND (x.contract_seen OR x.employer_letter_seen)) AS contract,
               (SELECT jsonb_agg(export_followup_json(x) ORDER BY x.due_on)
                FROM export_followup x WHERE x.signup_id = s.id) AS followups
        FROM export_signup s
        JOIN worker w ON w.id = s.worker_id
        JOIN household h ON h.id = w.household_id
        JOIN site si ON si.id = h.site_id
        LEFT JOIN export_followup d7 ON d7.signup_id = s.id AND d7.point = 'day7'
        LEFT JOIN export_followup m3 ON m3.signup_id = s.id AND m3.point = 'month3'
        WHERE s.trip_id = t.id AND s.arrived_on IS NOT NULL),
    q AS (
        SELECT p.*, p.seen_day7 AS travel,
               p.seen_month3 AND p.contract AND p.wages_month3
                   AND (p.returned_on IS NULL OR p.returned_on > p.arrived_on + interval '3 months') AS keeping
        FROM p)
    SELECT jsonb_build_object(
        'trip_id', t.id, 'title', t.title, 'dest_province_code', t.dest_province_code,
        'travel_qualified', count(*) FILTER (WHERE q.travel),
        'job_keeping_qualified', count(*) FILTER (WHERE q.keeping),
        'items', coalesce(jsonb_agg(jsonb_build_object(
            'signup_id', q.id, 'worker_id', q.worker_id, 'worker_name', q.name,
            'site_name', q.site_name, 'arrived_on', q.arrived_on, 'returned_on', q.returned_on,
            'travel_subsidy', q.travel, 'job_keeping_subsidy', q.keeping,
            'missing', to_jsonb(array_remove(ARRAY[
                CASE WHEN NOT q.seen_day7 THEN 'day7_at_work' END,
                CASE WHEN NOT q.seen_month3 THEN 'month3_at_work' END,
                CASE WHEN NOT q.contract THEN 'contract_or_letter' END,
                CASE WHEN NOT q.wages_month3 THEN 'wage_records' END], NULL)),
            'followups', q.followups) ORDER BY q.keeping DESC, q.travel DESC, q.id), '[]'))
    INTO body
    FROM q;
END $$;

-- ---------- the printable roster ----------

-- GET /v1/export-trips/{id}/roster: the people going (selected, departed,
-- arrived, returned), then those waiting, with the trip's particulars; with
-- p_public the names are partly hidden (张*明) and nothing but the name,
-- site and post is given, for posting where anyone can read it.
CREATE FUNCTION api_export_roster(p_trip bigint, p_public boolean,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    t export_trip;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_trip;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    status := 200;
    version := t.version;
    body := export_trip_json(t) || jsonb_build_object(
        'public', p_public,
        'county_name', (SELECT r.name FROM region r WHERE r.code = t.county_code),
        'printed_on', placement_today(),
        'items', coalesce((SELECT jsonb_agg(jsonb_build_object(
                     'name', CASE WHEN p_public THEN allocation_mask_name(w.name) ELSE export_name(w.name) END,
                     'site_name', si.name, 'vacancy_title', v.title,
                     'state', CASE WHEN p_public AND s.state <> 'waitlisted' THEN 'going' ELSE s.state END,
                     'checked_in', s.checked_in_at IS NOT NULL)
                   ORDER BY s.state = 'waitlisted', si.name, w.name, s.id)
                   FROM export_signup s JOIN worker w ON w.id = s.worker_id
                   JOIN household h ON h.id = w.household_id JOIN site si ON si.id = h.site_id
                   LEFT JOIN vacancy v ON v.id = s.vacancy_id
                   WHERE s.trip_id = t.id
                     AND s.state IN ('selected', 'departed', 'arrived', 'returned', 'waitlisted')
                     AND (NOT p_public OR s.state <> 'waitlisted')), '[]'));
END $$;

-- ---------- the dashboard panel ----------

-- GET /v1/reports/out-of-province: workers in the caller's scope working
-- out of province now (an active placement outside the province), by
-- destination province and employer, with those at risk first: a trip
-- follow-up or a placement follow-up overdue, or a return home
-- (returned_home) in the last 6 months.  Each group lists its people at
-- risk.
CREATE FUNCTION api_export_panel(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    status := 200;
    WITH pl AS (
        SELECT p.*, v.employer_id, coalesce(v.dest_province_code, v.county_code / 10000 * 10000) AS prov,
               w.name,
               EXISTS (SELECT 1 FROM followup f WHERE f.placement_id = p.id AND f.done_at IS NULL
                       AND f.due_on < placement_today())
               OR EXISTS (SELECT 1 FROM export_signup s JOIN export_followup f ON f.signup_id = s.id
                          WHERE s.placement_id = p.id AND f.done_at IS NULL
                            AND f.due_on < placement_today()) AS missed
        FROM placement p JOIN vacancy v ON v.id = p.vacancy_id JOIN worker w ON w.id = p.worker_id
        WHERE p.location_scope = 'outside_province'
          AND (p.ended_on IS NULL
               OR p.end_reason = 'returned_home' AND p.ended_on >= placement_today() - 183)),
    g AS (
        SELECT pl.prov, pl.employer_id,
               count(*) FILTER (WHERE pl.ended_on IS NULL) AS working,
               count(*) FILTER (WHERE pl.ended_on IS NULL AND pl.missed) AS missed_followup,
               count(*) FILTER (WHERE pl.ended_on IS NOT NULL) AS returned,
               jsonb_agg(jsonb_build_object(
                   'placement_id', pl.id, 'worker_id', pl.worker_id, 'worker_name', pl.name,
                   'risk', CASE WHEN pl.ended_on IS NOT NULL THEN 'returned' ELSE 'missed_followup' END,
                   'since', coalesce(pl.ended_on, pl.start_date)) ORDER BY pl.ended_on NULLS LAST, pl.id)
                   FILTER (WHERE pl.ended_on IS NOT NULL OR pl.missed) AS at_risk
        FROM pl GROUP BY pl.prov, pl.employer_id)
    SELECT jsonb_build_object(
        'as_of', placement_today(),
        'working', coalesce(sum(g.working), 0), 'at_risk', coalesce(sum(g.missed_followup + g.returned), 0),
        'groups', coalesce(jsonb_agg(jsonb_build_object(
            'dest_province_code', g.prov, 'dest_province_name', pr.name,
            'employer_id', g.employer_id, 'employer_name', e.name,
            'working', g.working, 'missed_followup', g.missed_followup, 'returned', g.returned,
            'at_risk', coalesce(g.at_risk, '[]'))
            ORDER BY g.missed_followup + g.returned DESC, g.working DESC, pr.name, e.name), '[]'))
    INTO body
    FROM g LEFT JOIN province pr ON pr.code = g.prov LEFT JOIN employer e ON e.id = g.employer_id;
END $$;

-- ---------- the kiosk ----------

-- GET /v1/kiosk/export-trips: the trips open for sign-up (departing today
-- or later), soonest first, each with the signed-in worker's own sign-up.
CREATE FUNCTION api_kiosk_export_trips(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    me bigint := (leye_scope_ids('k'))[1];
BEGIN
    status := 200;
    SELECT jsonb_build_object('items', coalesce(jsonb_agg(
               export_trip_json(t) - 'broker_id' - 'note' || jsonb_build_object(
                   'my_signup', (SELECT jsonb_build_object('id', s.id, 'state', s.state)
                                 FROM export_signup s WHERE s.trip_id = t.id AND s.worker_id = me))
               ORDER BY t.departure_on, t.id), '[]'))
    INTO body
    FROM (SELECT * FROM export_trip x
          WHERE x.status = 'open' AND x.departure_on >= placement_today()
          ORDER BY x.departure_on, x.id LIMIT 50) t;
END $$;
