-- 035_records_rules: the programme rules on every path that creates, offers
-- or hires, and a job loss from any source.
--
-- Programme rules, as matching and allocation define them (docs/matching.md,
-- "Filters"; match_kind_weights switches them per kind of post):
--   public_welfare_one_per_household  a vacancy of a kind with
--       one_per_household, while another member of the worker's household
--       holds a public-welfare post;
--   no_double_post            a vacancy of a kind with no_double_post, while
--       the worker holds a post of the same kind;
--   forest_ranger_exclusive   the same with the other kind: a forest ranger
--       takes no public-welfare post, a public-welfare worker no ranger post.
-- "Holds a post" is an active placement (not ended) in a vacancy of that
-- kind.  The rules are checked by triggers when an application is created
-- (staff, kiosk, broker, allocation), moves to offered and moves to hired;
-- every placement comes from a hire (a row inserted already hired records
-- history and is not checked).  A broken rule raises SQLSTATE LYR09
-- with the rule and the post in the message (JSON), answered 409.
--
-- Staff with the rules:override permission may pass a written reason: the
-- request's function stores it for the transaction (rule_override_begin),
-- the trigger lets the move through and writes the override to the audit
-- log.
--
-- A job loss from any source ends the placement and opens the early-warning
-- visit the way POST /v1/placements/{id}/end does (placement_close):
--   * a follow-up recorded with still_employed = false;
--   * a worker set to seeking (PATCH or import) while a placement is open.
-- A household newly put under monitoring against a return to poverty gets a
-- visit task too (reason monitoring_started).  All in the transaction of the
-- change.

ALTER TABLE early_warning_task DROP CONSTRAINT early_warning_task_reason_check;
ALTER TABLE early_warning_task ADD CONSTRAINT early_warning_task_reason_check
    CHECK (reason IN ('job_lost_zero_employment', 'job_lost_monitored', 'monitoring_started'));

-- ---------- programme rules ----------

-- Whether the acting staff account may override a programme rule: province
-- (admin) and county staff by role, other staff by the rules:override grant.
CREATE FUNCTION rule_override_ok() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce((
        SELECT a.role IN ('admin', 'county_staff') OR 'rules:override' = ANY (a.permissions)
        FROM staff_account a
        WHERE a.id = (nullif(current_setting('leye.actor', true), '')::jsonb ->> 'id')::bigint
          AND nullif(current_setting('leye.actor', true), '')::jsonb ->> 'kind' = 'staff'
          AND a.role <> 'viewer' AND NOT a.archived), false);
$$;

-- Stores p ->> 'override_reason' for the rule triggers of this transaction
-- ('' when absent).  A reason from a caller without the permission, or a
-- blank one, is refused (the server checks both first).
CREATE FUNCTION rule_override_begin(p jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    reason text := p ->> 'override_reason';
BEGIN
    IF reason IS NOT NULL THEN
        IF btrim(reason) = '' THEN
            PERFORM api_fail('LY422', 'override_reason', 'required');
        ELSIF NOT rule_override_ok() THEN
            PERFORM api_fail('LY422', 'override_reason', 'not_allowed');
        END IF;
    END IF;
    PERFORM set_config('leye.rule_override', coalesce(reason, ''), true);
END $$;

-- The first programme rule worker p_worker would break by taking vacancy
-- p_vacancy, as {rule, worker_id, vacancy_id, kind, member_id, member_name,
-- post_vacancy_id, post_title, post_kind, placement_id}; NULL when none.
-- Reads every record whoever asks (a kiosk or a broker cannot see the
-- other members of a household), and answers only what the message needs;
-- brokers get the member's name masked.
CREATE FUNCTION rule_violation(p_worker bigint, p_vacancy bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    caller text := coalesce(nullif(current_setting('leye.scope', true), ''), '*');
    k match_kind_weights;
    v_kind text;
    hid bigint;
    hit record;
    held boolean;
    rule text;
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    SELECT v.kind INTO v_kind FROM vacancy v WHERE v.id = p_vacancy;
    SELECT * INTO k FROM match_kind_weights x WHERE x.kind = v_kind;
    IF NOT FOUND OR NOT (k.one_per_household OR k.no_double_post) THEN
        PERFORM set_config('leye.scope', caller, true);
        RETURN NULL;
    END IF;
    SELECT w.household_id INTO hid FROM worker w WHERE w.id = p_worker;
    -- two hires into one household wait for each other here
    PERFORM pg_advisory_xact_lock(35, (hid % 2147483647)::integer);
    -- the worker's own posts first, then the other members' (each by index)
    SELECT x.* INTO hit FROM (
        SELECT 0 AS nth, p.id AS placement_id, p.worker_id, w.name, v.id AS vacancy_id, v.title, v.kind
        FROM placement p JOIN vacancy v ON v.id = p.vacancy_id JOIN worker w ON w.id = p.worker_id
        WHERE k.no_double_post AND p.worker_id = p_worker AND p.ended_on IS NULL
          AND v.kind IN ('public_welfare', 'forest_ranger')
        UNION ALL
        SELECT 1, p.id, p.worker_id, w.name, v.id, v.title, v.kind
        FROM worker w JOIN placement p ON p.worker_id = w.id JOIN vacancy v ON v.id = p.vacancy_id
        WHERE k.one_per_household AND w.household_id = hid AND w.id <> p_worker
          AND p.ended_on IS NULL AND v.kind = 'public_welfare') x
    ORDER BY x.nth, x.placement_id
    LIMIT 1;
    held := FOUND;
    PERFORM set_config('leye.scope', caller, true);
    IF NOT held THEN
        RETURN NULL;
    END IF;
    rule := CASE WHEN hit.worker_id <> p_worker THEN 'public_welfare_one_per_household'
                 WHEN hit.kind = v_kind THEN 'no_double_post'
                 ELSE 'forest_ranger_exclusive' END;
    RETURN jsonb_build_object(
        'rule', rule, 'worker_id', p_worker, 'vacancy_id', p_vacancy, 'kind', v_kind,
        'member_id', hit.worker_id,
        'member_name', CASE WHEN caller LIKE 'b:%' THEN allocation_mask_name(hit.name) ELSE hit.name END,
        'post_vacancy_id', hit.vacancy_id, 'post_title', hit.title, 'post_kind', hit.kind,
        'placement_id', hit.placement_id);
END $$;

-- Refuses (LYR09) a move of application a that breaks a programme rule,
-- unless the transaction carries an override reason: then the override is
-- written to the audit log (action rule_override) and the move goes on.
CREATE FUNCTION rule_enforce(a application, p_step text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v jsonb := rule_violation(a.worker_id, a.vacancy_id);
    reason text := coalesce(current_setting('leye.rule_override', true), '');
    actor jsonb := nullif(current_setting('leye.actor', true), '')::jsonb;
BEGIN
    IF v IS NULL THEN
        RETURN;
    END IF;
    IF reason = '' OR NOT rule_override_ok() THEN
        RAISE EXCEPTION USING ERRCODE = 'LYR09', MESSAGE = (v || jsonb_build_object('field', 'vacancy_id'))::text,
                              DETAIL = v ->> 'rule';
    END IF;
    INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, peer,
                           request_id, detail)
    VALUES (actor ->> 'kind', (actor ->> 'id')::bigint, coalesce(actor ->> 'name', ''),
            'rule_override', 'application', a.id::text, coalesce(actor ->> 'peer', ''),
            coalesce(actor ->> 'request_id', ''),
            v || jsonb_build_object('step', p_step, 'override_reason', reason));
END $$;

CREATE FUNCTION rule_application_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rule_enforce(NEW, CASE WHEN TG_OP = 'INSERT' THEN 'create' ELSE NEW.status END);
    RETURN NULL;
END $$;
-- A row inserted already hired, rejected or withdrawn records history (data
-- loads); every path of the API creates applied or offered (allocation).
CREATE TRIGGER rule_application_create AFTER INSERT ON application
    FOR EACH ROW WHEN (NEW.status IN ('applied', 'shortlisted', 'offered'))
    EXECUTE FUNCTION rule_application_check();
CREATE TRIGGER rule_application_move AFTER UPDATE OF status ON application
    FOR EACH ROW WHEN (NEW.status IN ('offered', 'hired') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION rule_application_check();

-- POST /v1/applications with the rules: an optional override_reason, then
-- api_application_create.
CREATE FUNCTION api_application_create_under_rules(p jsonb, p_actor text,
                                                   OUT status integer, OUT version integer,
                                                   OUT body jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rule_override_begin(p);
    SELECT * INTO status, version, body FROM api_application_create(p - 'override_reason', p_actor);
    PERFORM set_config('leye.rule_override', '', true);
END $$;

-- POST /v1/applications/{id}/transitions with the rules: an optional
-- override_reason, then api_application_transition.
CREATE FUNCTION api_application_transition_under_rules(p_id bigint, p_version integer, p jsonb,
                                                       p_actor text, OUT status integer,
                                                       OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM rule_override_begin(p);
    SELECT * INTO status, version, body
    FROM api_application_transition(p_id, p_version, p - 'override_reason', p_actor);
    PERFORM set_config('leye.rule_override', '', true);
END $$;

-- ---------- a job loss from any source ----------

-- The early-warning visit owed to household p_household after a job loss
-- on p_ended (placement p_placement), as POST /v1/placements/{id}/end opens
-- it: left with nobody employed, or under monitoring, a visit within 7
-- days.  Reads the household's rollups, so call it after the worker's
-- status changed.  Returns the task, or NULL when none is owed.
CREATE FUNCTION early_warning_open(p_household bigint, p_placement bigint, p_ended date)
RETURNS early_warning_task LANGUAGE plpgsql AS $$
DECLARE
    h household;
    t early_warning_task;
    reason text;
BEGIN
    SELECT * INTO h FROM household x WHERE x.id = p_household;
    reason := CASE WHEN h.employed_count = 0 THEN 'job_lost_zero_employment'
                   WHEN h.monitoring_status <> 'none' THEN 'job_lost_monitored' END;
    IF reason IS NOT NULL THEN
        INSERT INTO early_warning_task (household_id, placement_id, reason, due_on)
        VALUES (h.id, p_placement, reason, p_ended + 7)
        RETURNING * INTO t;
    END IF;
    RETURN t;
END $$;

-- Ends open placement p_id on p_ended for p_reason: the placement, the
-- worker seeking again (household rollups follow by trigger), the
-- vacancy's place back, and the visit owed.  The caller must see the
-- placement (404 otherwise); the vacancy's place is given back whoever the
-- vacancy belongs to.  Returns the task opened, or NULL.
CREATE FUNCTION placement_close(p_id bigint, p_ended date, p_reason text, p_note text)
RETURNS early_warning_task LANGUAGE plpgsql AS $$
DECLARE
    caller text := coalesce(nullif(current_setting('leye.scope', true), ''), '*');
    pl placement;
    hid bigint;
BEGIN
    SELECT * INTO pl FROM placement x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    ELSIF pl.ended_on IS NOT NULL THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('leye.scope', '*', true);
    UPDATE placement x SET ended_on = p_ended, end_reason = p_reason, end_note = left(p_note, 1000),
        version = x.version + 1, updated_at = now()
    WHERE x.id = pl.id;
    UPDATE worker x SET employment_status = 'seeking', version = x.version + 1, updated_at = now()
    WHERE x.id = pl.worker_id AND x.employment_status LIKE 'employed%'
    RETURNING x.household_id INTO hid;
    UPDATE vacancy x SET filled = greatest(x.filled - 1, 0), version = x.version + 1,
        updated_at = now()
    WHERE x.id = pl.vacancy_id;
    hid := coalesce(hid, (SELECT w.household_id FROM worker w WHERE w.id = pl.worker_id));
    PERFORM set_config('leye.scope', caller, true);
    RETURN early_warning_open(hid, pl.id, p_ended);
END $$;

-- A worker set to seeking (PATCH, import) while a placement is open: the
-- placement ends today.  Runs after the household rollups (trigger names
-- sort after worker_rollup_update).
CREATE FUNCTION worker_seeking_close() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x record;
BEGIN
    FOR x IN SELECT p.id, greatest(placement_today(), p.start_date) AS ended
             FROM new_rows n JOIN old_rows o ON o.id = n.id
             JOIN placement p ON p.worker_id = n.id AND p.ended_on IS NULL
             WHERE n.employment_status = 'seeking' AND o.employment_status <> 'seeking'
             ORDER BY p.id LOOP
        PERFORM placement_close(x.id, x.ended, 'other', 'employment status set to seeking');
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER worker_seeking_close AFTER UPDATE ON worker
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_seeking_close();

-- PATCH /v1/workers/{id}: a worker with a current placement may be set to
-- seeking (the placement ends, see worker_seeking_close) but to no other
-- status outside employment (not_seeking, in_training), nor archived: that
-- placement is ended first.
CREATE OR REPLACE FUNCTION worker_check_placement(w worker, old worker) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF (w.employment_status <> old.employment_status AND w.employment_status NOT LIKE 'employed%'
        AND w.employment_status <> 'seeking'
        OR w.archived AND NOT old.archived)
       AND EXISTS (SELECT 1 FROM placement x WHERE x.worker_id = w.id AND x.ended_on IS NULL) THEN
        PERFORM api_fail('LY422', CASE WHEN w.archived AND NOT old.archived THEN 'archived'
                                       ELSE 'employment_status' END, 'not_allowed');
    END IF;
END $$;

-- POST /v1/placements/{id}/followups/{month} {still_employed, wage,
-- problems, note, ended_on, end_reason}: still_employed = false ends an
-- open placement on ended_on (default: the day the follow-up is recorded,
-- not before the start) for end_reason (default other), as ending it
-- does; the answer carries the early-warning task opened, if any.
CREATE OR REPLACE FUNCTION api_followup_record(p_placement bigint, p_month integer, p jsonb,
                                               p_actor text,
                                               OUT status integer, OUT version integer,
                                               OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    f followup;
    pl placement;
    t early_warning_task;
    left_job boolean := NOT (p ->> 'still_employed')::boolean;
    ended date := (p ->> 'ended_on')::date;
BEGIN
    SELECT * INTO f FROM followup x
    WHERE x.placement_id = p_placement AND x.due_month = p_month FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    IF f.done_at IS NOT NULL THEN
        PERFORM api_fail('LY409', 'month', 'duplicate');
    END IF;
    SELECT * INTO pl FROM placement x WHERE x.id = p_placement;
    IF NOT left_job AND ended IS NOT NULL THEN
        PERFORM api_fail('LY422', 'ended_on', 'not_allowed');
    ELSIF NOT left_job AND p ->> 'end_reason' IS NOT NULL THEN
        PERFORM api_fail('LY422', 'end_reason', 'not_allowed');
    ELSIF ended IS NOT NULL AND (ended < pl.start_date OR ended > placement_today()) THEN
        PERFORM api_fail('LY422', 'ended_on', 'out_of_range');
    END IF;
    UPDATE followup x SET done_at = now(), still_employed = (p ->> 'still_employed')::boolean,
        wage = (p ->> 'wage')::integer, problems = coalesce(p ->> 'problems', ''),
        note = coalesce(p ->> 'note', ''), recorded_by = p_actor
    WHERE x.id = f.id
    RETURNING * INTO f;
    IF left_job AND pl.ended_on IS NULL THEN
        t := placement_close(pl.id, coalesce(ended, greatest(placement_today(), pl.start_date)),
                             coalesce(p ->> 'end_reason', 'other'),
                             'follow-up at ' || p_month || ' months: no longer employed');
    END IF;
    status := 200;
    body := followup_json(f) || jsonb_build_object(
        'early_warning_task', CASE WHEN t.id IS NULL THEN NULL ELSE warning_task_json(t) END);
END $$;

-- A household newly put under monitoring against a return to poverty (from
-- 'none', or created so by a person) gets a visit within 7 days, unless
-- one is already open for that reason.
CREATE FUNCTION household_monitoring_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND nullif(current_setting('leye.actor', true), '') IS NULL THEN
        RETURN NULL; -- records loaded by the server's tools carry their own tasks
    END IF;
    IF NOT EXISTS (SELECT 1 FROM early_warning_task t
                   WHERE t.household_id = NEW.id AND t.status = 'open'
                     AND t.reason = 'monitoring_started') THEN
        INSERT INTO early_warning_task (household_id, reason, due_on)
        VALUES (NEW.id, 'monitoring_started', placement_today() + 7);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER household_monitoring_task_insert AFTER INSERT ON household
    FOR EACH ROW WHEN (NEW.monitoring_status <> 'none')
    EXECUTE FUNCTION household_monitoring_task();
CREATE TRIGGER household_monitoring_task_update AFTER UPDATE OF monitoring_status ON household
    FOR EACH ROW WHEN (OLD.monitoring_status = 'none' AND NEW.monitoring_status <> 'none')
    EXECUTE FUNCTION household_monitoring_task();
