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
