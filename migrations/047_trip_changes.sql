-- 047_trip_changes: a trip changed or cancelled before it leaves, and the
-- kiosk's own sign-ups.
--
-- Staff may change a trip's day, place, transport, seats, escort and
-- headcount until it leaves (PATCH /v1/export-trips/{id} with If-Match), and
-- cancel it with a reason (POST /v1/export-trips/{id}/cancel).  Everyone
-- signed up and not yet gone (signed up, on the roster, waiting) hears of a
-- new day, place or transport and of a cancellation through the outbox of
-- 043 (event trip.changed), in the same transaction.  A cancelled trip takes
-- no more sign-ups (api_export_signup refuses a trip not open).
--
-- At the kiosk a job seeker signs up only after saying they would work in
-- another province (willing_outside_province, set among their own wishes),
-- withdraws a sign-up before the trip leaves, and sees their own sign-ups,
-- cancelled trips included, beside the trips open for sign-up.

ALTER TABLE export_trip ADD COLUMN cancel_reason text NOT NULL DEFAULT ''
    CHECK (length(cancel_reason) <= 500);
ALTER TABLE export_trip ADD COLUMN cancelled_at timestamptz;

-- The answer gains the cancellation.
CREATE OR REPLACE FUNCTION export_trip_json(t export_trip) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', t.id, 'title', t.title, 'employer_id', t.employer_id, 'employer_name', e.name,
        'county_code', t.county_code, 'dest_province_code', t.dest_province_code,
        'dest_province_name', p.name, 'dest_city', t.dest_city,
        'departure_on', t.departure_on, 'departure_place', t.departure_place,
        'transport', t.transport, 'seats', t.seats, 'headcount', t.headcount, 'escort', t.escort,
        'broker_id', t.broker_id, 'status', t.status, 'note', t.note,
        'cancel_reason', t.cancel_reason, 'cancelled_at', t.cancelled_at,
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

-- A message to each person signed up for trip t and not yet gone.
CREATE FUNCTION export_trip_notify(t export_trip, p_text text) RETURNS void
LANGUAGE sql AS $$
    SELECT notify_enqueue('trip.changed', s.worker_id,
                          CASE WHEN t.status = 'cancelled' THEN 'TRIP_CANCELLED' ELSE 'TRIP_CHANGED' END,
                          jsonb_build_object('title', left(t.title, 20),
                                             'date', to_char(t.departure_on, 'FMMM"月"FMDD"日"')),
                          p_text, 'trip:' || t.id || ':' || t.version || ':' || s.worker_id)
    FROM export_signup s
    WHERE s.trip_id = t.id AND s.state IN ('signed_up', 'selected', 'waitlisted');
$$;

-- Refuses a change to trip t once it has left (its day passed, or someone
-- checked in) or after it was cancelled.
CREATE FUNCTION export_trip_changeable(t export_trip) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF t.status = 'cancelled' THEN
        PERFORM api_fail('LY409', 'status', 'trip_cancelled');
    ELSIF t.status = 'departed' OR t.departure_on < placement_today()
          OR EXISTS (SELECT 1 FROM export_signup s
                     WHERE s.trip_id = t.id AND s.state IN ('departed', 'arrived', 'returned')) THEN
        PERFORM api_fail('LY409', 'departure_on', 'trip_departed');
    END IF;
END $$;

-- PATCH /v1/export-trips/{id} {departure_on, departure_place, transport,
-- seats, escort, headcount} (each optional).  Refused: a trip gone or
-- cancelled (409), a day in the past (422), a headcount over the seats or,
-- when it grows, over the vacancies' open posts (422), seats or a headcount
-- below the people already on the roster (409).
CREATE FUNCTION api_export_trip_update(p_id bigint, p_version integer, p jsonb, p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t export_trip;
    n export_trip;
    on_roster integer;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND t.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    PERFORM export_trip_changeable(t);
    n := jsonb_populate_record(t, p - 'id' - 'title' - 'employer_id' - 'county_code' - 'status'
                                    - 'broker_id' - 'version' - 'cancel_reason' - 'cancelled_at');
    IF n.departure_on < placement_today() THEN
        PERFORM api_fail('LY422', 'departure_on', 'out_of_range');
    ELSIF n.headcount > n.seats THEN
        PERFORM api_fail('LY422', 'headcount', 'exceeds_seats');
    ELSIF n.headcount > t.headcount
          AND n.headcount > (SELECT coalesce(sum(greatest(v.headcount - v.filled, 0)), 0)
                             FROM export_trip_vacancy x JOIN vacancy v ON v.id = x.vacancy_id
                             WHERE x.trip_id = t.id) THEN
        PERFORM api_fail('LY422', 'headcount', 'exceeds_posts');
    END IF;
    SELECT count(*) INTO on_roster FROM export_signup s WHERE s.trip_id = t.id AND s.state = 'selected';
    IF n.seats < on_roster THEN
        PERFORM api_fail('LY409', 'seats', 'below_roster');
    ELSIF n.headcount < on_roster THEN
        PERFORM api_fail('LY409', 'headcount', 'below_roster');
    END IF;
    UPDATE export_trip x SET departure_on = n.departure_on, departure_place = n.departure_place,
        transport = n.transport, seats = n.seats, escort = n.escort, headcount = n.headcount,
        version = x.version + 1, updated_at = now()
    WHERE x.id = t.id
    RETURNING * INTO n;
    IF (n.departure_on, n.departure_place, n.transport) IS DISTINCT FROM
       (t.departure_on, t.departure_place, t.transport) THEN
        PERFORM export_trip_notify(n, '【乐业】你报名的外出打工“' || left(n.title, 20) || '”有变化：'
                                      || to_char(n.departure_on, 'FMMM"月"FMDD"日"') || '从'
                                      || left(n.departure_place, 30) || '出发。');
    END IF;
    SELECT * INTO status, version, body FROM api_export_trip_get(n.id);
END $$;

-- POST /v1/export-trips/{id}/cancel {reason}: the trip will not go.  Its
-- sign-ups stay as they were, for the record; the people hear why.
CREATE FUNCTION api_export_trip_cancel(p_id bigint, p_version integer, p jsonb, p_actor text,
                                       OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t export_trip;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF p_version IS NOT NULL AND t.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    PERFORM export_trip_changeable(t);
    UPDATE export_trip x SET status = 'cancelled', cancel_reason = p ->> 'reason', cancelled_at = now(),
        version = x.version + 1, updated_at = now()
    WHERE x.id = t.id
    RETURNING * INTO t;
    PERFORM export_trip_notify(t, '【乐业】你报名的外出打工“' || left(t.title, 20) || '”取消了：'
                                  || left(t.cancel_reason, 60) || '。');
    SELECT * INTO status, version, body FROM api_export_trip_get(t.id);
END $$;

-- ---------- the kiosk ----------

-- POST /v1/kiosk/export-trips/{id}/signup: as api_export_signup, for a job
-- seeker who said they would work in another province.
CREATE FUNCTION api_kiosk_export_signup(p_trip bigint, p jsonb, p_actor text,
                                        OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coalesce((SELECT w.willing_outside_province FROM worker w
                     WHERE w.id = (leye_scope_ids('k'))[1]), false) THEN
        PERFORM api_fail('LY409', 'willing_outside_province', 'not_willing');
    END IF;
    SELECT * INTO status, version, body FROM api_export_signup(p_trip, p, p_actor);
END $$;

-- POST /v1/kiosk/export-trips/{id}/withdraw: the signed-in job seeker takes
-- back their sign-up while the trip has not left; a place on the roster
-- goes back to the trip.  The sign-up is deleted (the audit log keeps it),
-- so the person may sign up again.
CREATE FUNCTION api_kiosk_export_withdraw(p_trip bigint, p_actor text,
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
    SELECT * INTO s FROM export_signup x
    WHERE x.trip_id = t.id AND x.worker_id = (leye_scope_ids('k'))[1] FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    ELSIF t.status <> 'open' OR t.departure_on < placement_today() THEN
        PERFORM api_fail('LY409', 'trip_id', 'trip_closed');
    ELSIF s.state NOT IN ('signed_up', 'selected', 'waitlisted') THEN
        PERFORM api_fail('LY409', 'state', 'illegal_transition');
    END IF;
    DELETE FROM export_signup x WHERE x.id = s.id;
    UPDATE export_trip x SET version = x.version + 1, updated_at = now() WHERE x.id = t.id
    RETURNING x.version INTO version;
    status := 200;
    body := jsonb_build_object('id', s.id, 'trip_id', t.id, 'state', 'withdrawn');
END $$;

-- GET /v1/kiosk/export-trips: the trips open for sign-up, soonest first,
-- each with the places left on its roster and the person's own sign-up;
-- may_sign_up (whether the person said they would work in another
-- province); mine: the person's sign-ups on trips not yet gone, cancelled
-- ones with the reason.
DROP FUNCTION api_kiosk_export_trips();
CREATE FUNCTION api_kiosk_export_trips(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    caller text := leye_scope();
    me bigint := (leye_scope_ids('k'))[1];
    taken jsonb;
BEGIN
    status := 200;
    -- the places taken count everyone's sign-ups, which the kiosk's own
    -- scope does not see: counted under the server's scope, numbers only
    PERFORM set_config('leye.scope', '*', true);
    SELECT coalesce(jsonb_object_agg(s.trip_id, s.n), '{}') INTO taken
    FROM (SELECT x.trip_id, count(*) AS n FROM export_signup x JOIN export_trip t ON t.id = x.trip_id
          WHERE t.status = 'open' AND t.departure_on >= placement_today()
            AND x.state IN ('selected', 'departed', 'arrived')
          GROUP BY x.trip_id) s;
    PERFORM set_config('leye.scope', caller, true);
    SELECT jsonb_build_object('items', coalesce(jsonb_agg(
               export_trip_json(t) - 'broker_id' - 'note' - 'cancel_reason' - 'cancelled_at' - 'signups' - 'counts'
               || jsonb_build_object(
                   'places_left', greatest(least(t.headcount, t.seats)
                                           - coalesce((taken ->> t.id::text)::integer, 0), 0),
                   'my_signup', (SELECT jsonb_build_object('id', s.id, 'state', s.state)
                                 FROM export_signup s WHERE s.trip_id = t.id AND s.worker_id = me))
               ORDER BY t.departure_on, t.id), '[]'))
    INTO body
    FROM (SELECT * FROM export_trip x
          WHERE x.status = 'open' AND x.departure_on >= placement_today()
          ORDER BY x.departure_on, x.id LIMIT 50) t;
    body := body || jsonb_build_object(
        'may_sign_up', coalesce((SELECT w.willing_outside_province FROM worker w WHERE w.id = me), false),
        'mine', coalesce((SELECT jsonb_agg(jsonb_build_object(
                              'id', s.id, 'trip_id', t.id, 'title', t.title, 'employer_name', e.name,
                              'dest_province_name', p.name, 'dest_city', t.dest_city,
                              'departure_on', t.departure_on, 'departure_place', t.departure_place,
                              'trip_status', t.status, 'cancel_reason', t.cancel_reason, 'state', s.state)
                              ORDER BY t.departure_on, t.id)
                          FROM export_signup s JOIN export_trip t ON t.id = s.trip_id
                          LEFT JOIN employer e ON e.id = t.employer_id
                          LEFT JOIN province p ON p.code = t.dest_province_code
                          WHERE s.worker_id = me AND t.departure_on >= placement_today()), '[]'));
END $$;

-- ---------- the roster fill on the solver thread ----------

-- POST /v1/export-trips/{id}/fill queues a run; the solver thread of any
-- instance (server/jobs/allocator.c, server/jobs/rosterfill.c) claims it
-- with FOR UPDATE SKIP LOCKED as it claims allocations, scores the sign-ups
-- on the matching index, solves with lib/alloc and stores the roster with
-- api_export_fill, as the staff member who asked (their scope and, for the
-- audit log, their name).  One run per trip waits at a time; a run whose
-- instance went silent is taken over, three tries at most.
CREATE TABLE export_fill_run (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trip_id      bigint NOT NULL REFERENCES export_trip (id),
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    runner       text,
    heartbeat_at timestamptz,
    attempts     integer NOT NULL DEFAULT 0,
    scope        text NOT NULL,
    actor        text NOT NULL DEFAULT '',
    created_by   text NOT NULL,
    placed       integer,
    waiting      integer,
    error        text NOT NULL DEFAULT '',
    queued_at    timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE UNIQUE INDEX export_fill_run_pending ON export_fill_run (trip_id) WHERE state IN ('queued', 'running');
CREATE INDEX export_fill_run_trip ON export_fill_run (trip_id, id);
ALTER TABLE export_fill_run ENABLE ROW LEVEL SECURITY;
ALTER TABLE export_fill_run FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON export_fill_run USING (EXISTS (SELECT 1 FROM export_trip t WHERE t.id = trip_id));

CREATE FUNCTION export_fill_json(f export_fill_run) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN f.id IS NULL THEN NULL ELSE jsonb_build_object(
        'id', f.id, 'trip_id', f.trip_id, 'state', f.state, 'placed', f.placed, 'waiting', f.waiting,
        'error', f.error, 'queued_at', f.queued_at, 'finished_at', f.finished_at) END;
$$;

-- POST /v1/export-trips/{id}/fill: 202 with the run (the one already
-- waiting, if any).  A trip not open is 409 trip_closed.
CREATE FUNCTION api_export_fill_queue(p_trip bigint, p_actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    t export_trip;
    f export_fill_run;
BEGIN
    SELECT * INTO t FROM export_trip x WHERE x.id = p_trip FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    ELSIF t.status <> 'open' THEN
        PERFORM api_fail('LY409', 'trip_id', 'trip_closed');
    END IF;
    SELECT * INTO f FROM export_fill_run x WHERE x.trip_id = t.id AND x.state IN ('queued', 'running');
    IF NOT FOUND THEN
        INSERT INTO export_fill_run (trip_id, scope, actor, created_by)
        VALUES (t.id, leye_scope(), coalesce(current_setting('leye.actor', true), ''), p_actor)
        RETURNING * INTO f;
        PERFORM pg_notify('leye_alloc', 'fill:' || f.id);
    END IF;
    status := 202;
    version := t.version;
    body := export_fill_json(f);
END $$;

-- The solver's side, with scope '*'.  Claims the oldest waiting run, or one
-- whose runner went silent, with what the engine needs (export_fill_input).
CREATE FUNCTION export_fill_claim(p_runner text) RETURNS TABLE (id bigint, input jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    f export_fill_run;
BEGIN
    SELECT * INTO f FROM export_fill_run x
    WHERE x.state = 'queued' OR (x.state = 'running' AND x.heartbeat_at < now() - interval '30 seconds')
    ORDER BY x.id LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF f.attempts >= 3 THEN
        UPDATE export_fill_run x SET state = 'failed', error = 'the solver stopped three times on this run',
            finished_at = now()
        WHERE x.id = f.id;
        RETURN;
    END IF;
    UPDATE export_fill_run x SET state = 'running', runner = p_runner, heartbeat_at = now(),
        attempts = x.attempts + 1
    WHERE x.id = f.id;
    RETURN QUERY SELECT f.id, export_fill_input(f.trip_id);
END $$;

-- Stores the engine's result p (as api_export_fill takes it) as the staff
-- member who asked; a refusal (the trip left or was cancelled meanwhile)
-- fails the run with its reason.  Answers the run's state.
CREATE FUNCTION export_fill_store(p_id bigint, p_runner text, p jsonb) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    f export_fill_run;
    why text;
    det text;
BEGIN
    SELECT * INTO f FROM export_fill_run x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND OR f.state <> 'running' OR f.runner IS DISTINCT FROM p_runner THEN
        RETURN coalesce(f.state, 'lost');
    END IF;
    BEGIN
        PERFORM set_config('leye.scope', f.scope, true);
        PERFORM set_config('leye.actor', f.actor, true);
        PERFORM api_export_fill(f.trip_id, p, f.created_by);
        PERFORM set_config('leye.scope', '*', true);
        PERFORM set_config('leye.actor', '', true);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS why = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
        PERFORM set_config('leye.scope', '*', true);
        PERFORM set_config('leye.actor', '', true);
        UPDATE export_fill_run x SET state = 'failed', error = left(coalesce(nullif(det, ''), why), 200),
            finished_at = now()
        WHERE x.id = f.id;
        RETURN 'failed';
    END;
    UPDATE export_fill_run x SET state = 'done', finished_at = now(),
        placed = jsonb_array_length(coalesce(p -> 'assignments', '[]')),
        waiting = jsonb_array_length(coalesce(p -> 'unassigned', '[]'))
    WHERE x.id = f.id;
    RETURN 'done';
END $$;

CREATE FUNCTION export_fill_fail(p_id bigint, p_runner text, p_error text) RETURNS void
LANGUAGE sql AS $$
    UPDATE export_fill_run x SET state = 'failed', error = left(p_error, 200), finished_at = now()
    WHERE x.id = p_id AND x.runner = p_runner AND x.state = 'running';
$$;

-- A trip's answer gains its last roster fill.
CREATE OR REPLACE FUNCTION api_export_trip_get(p_id bigint, OUT status integer, OUT version integer,
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
                            FROM export_signup s WHERE s.trip_id = t.id), '[]'),
        'fill', (SELECT export_fill_json(f) FROM export_fill_run f WHERE f.trip_id = t.id
                 ORDER BY f.id DESC LIMIT 1));
END $$;
