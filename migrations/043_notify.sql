-- 043_notify: notifications that are never lost and never doubled, and
-- brokers' self-service (docs/notifications.md).
--
-- Every message is a row of notify_outbox, written in the same transaction
-- as the event that causes it (triggers below, or notify_enqueue() called by
-- the SQL function doing the work).  The delivery thread of each server
-- instance (server/notify.c) claims due rows with FOR UPDATE SKIP LOCKED
-- under a lease, sends them, and marks them delivered, to be retried (capped
-- exponential backoff) or dead.  A row whose instance died between sending
-- and marking is claimed again when its lease runs out and sent again with
-- the same msg_id, so receivers drop the duplicate.
--
-- Channels:
--   sms      to a job seeker's phone through the SMS gateway (template code
--            and parameters; the msg_id is the provider's request id)
--   kiosk    a job seeker's inbox, shown at the next kiosk sign-in (the row
--            is the inbox: delivered when written)
--   webhook  a broker's endpoint (Standard Webhooks 1.0)
--   staff    staff's inbox for visits due (delivered when written)

-- ---------- a person's choices ----------

-- Channels chosen, quiet hours (China time; no SMS from quiet_from to
-- quiet_to, across midnight when quiet_from > quiet_to), and how well a new
-- vacancy must match (score 0-100) to be in the day's digest.  SMS needs
-- consent, recorded as a worker_consent_event of kind 'sms'.
CREATE TABLE notify_pref (
    worker_id  bigint PRIMARY KEY REFERENCES worker (id) ON DELETE CASCADE,
    sms        boolean NOT NULL DEFAULT false,
    kiosk      boolean NOT NULL DEFAULT true,
    quiet_from time,
    quiet_to   time,
    match_min  smallint NOT NULL DEFAULT 70 CHECK (match_min BETWEEN 0 AND 100),
    version    integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);

ALTER TABLE worker_consent_event DROP CONSTRAINT worker_consent_event_kind_check;
ALTER TABLE worker_consent_event ADD CONSTRAINT worker_consent_event_kind_check
    CHECK (kind IN ('employers', 'brokers', 'sms'));

-- ---------- brokers' webhook endpoints ----------

CREATE TABLE notify_endpoint (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    broker_id       bigint NOT NULL REFERENCES broker (id),
    url             text NOT NULL CHECK (url ~ '^https?://[^\s/?#]+(/[^\s]*)?$' AND length(url) <= 500),
    events          text[] NOT NULL DEFAULT '{}',   -- empty: every event
    disabled_at     timestamptz,
    disabled_reason text NOT NULL DEFAULT '',
    deleted_at      timestamptz,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notify_endpoint_broker ON notify_endpoint (broker_id) WHERE deleted_at IS NULL;

-- Signing secrets ("whsec_<base64>"): every live one signs each message, so
-- a receiver can switch secrets during a rotation.  A rotated-out secret
-- keeps signing until expires_at.  The secret must be readable to sign with,
-- so it is stored as given; answers show it once, at creation.
CREATE TABLE notify_endpoint_secret (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id bigint NOT NULL REFERENCES notify_endpoint (id),
    secret      text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/=]{20,100}$'),
    prefix      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz
);
CREATE INDEX notify_endpoint_secret_endpoint ON notify_endpoint_secret (endpoint_id);

-- ---------- the outbox ----------

CREATE TABLE notify_outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    msg_id       text NOT NULL UNIQUE DEFAULT 'msg_' || replace(gen_random_uuid()::text, '-', ''),
    event        text NOT NULL CHECK (event ~ '^[a-z_]+\.[a-z_]+$'),
    channel      text NOT NULL CHECK (channel IN ('sms', 'kiosk', 'webhook', 'staff')),
    worker_id    bigint REFERENCES worker (id),
    broker_id    bigint REFERENCES broker (id),
    endpoint_id  bigint REFERENCES notify_endpoint (id),
    county_code  integer,
    site_id      bigint,
    template     text NOT NULL DEFAULT '',
    params       jsonb NOT NULL DEFAULT '{}',
    text_zh      text NOT NULL DEFAULT '' CHECK (length(text_zh) <= 140),
    payload      jsonb,
    dedupe_key   text UNIQUE,
    status       text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    lease_until  timestamptz,
    runner       text,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    read_at      timestamptz,
    CHECK (channel <> 'webhook' OR (endpoint_id IS NOT NULL AND payload IS NOT NULL)),
    CHECK (channel NOT IN ('sms', 'kiosk') OR worker_id IS NOT NULL)
);
CREATE INDEX notify_outbox_due ON notify_outbox (next_at) WHERE status IN ('pending', 'sending');
CREATE INDEX notify_outbox_worker ON notify_outbox (worker_id, id) WHERE worker_id IS NOT NULL;
CREATE INDEX notify_outbox_broker ON notify_outbox (broker_id, id) WHERE broker_id IS NOT NULL;
CREATE INDEX notify_outbox_dead ON notify_outbox (id) WHERE status = 'dead';

-- New vacancies wait here for the delivery thread, which finds the seekers
-- they match (the in-memory index) and adds them to each one's digest.
CREATE TABLE notify_vacancy_queue (
    vacancy_id bigint PRIMARY KEY REFERENCES vacancy (id),
    queued_at  timestamptz NOT NULL DEFAULT now()
);

-- Vacancies waiting for a seeker's next digest (at most one a day).
CREATE TABLE notify_digest_item (
    worker_id  bigint NOT NULL REFERENCES worker (id),
    vacancy_id bigint NOT NULL REFERENCES vacancy (id),
    score      smallint NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    sent_on    date,
    PRIMARY KEY (worker_id, vacancy_id)
);
CREATE INDEX notify_digest_item_waiting ON notify_digest_item (worker_id) WHERE sent_on IS NULL;

-- ---------- row-level security ----------

-- A message is visible to the person it is for (kiosk inbox), the broker
-- whose endpoint it goes to, staff who see its worker or its place, and
-- the server's own work.
CREATE FUNCTION notify_visible(o notify_outbox) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN leye_scope() = '*' THEN true
        WHEN leye_scope() LIKE 'k:%' THEN o.channel = 'kiosk' AND o.worker_id = ANY (leye_scope_ids('k'))
        WHEN leye_scope() LIKE 'b:%' THEN o.channel = 'webhook' AND o.broker_id = ANY (leye_scope_ids('b'))
        WHEN o.channel = 'staff' THEN leye_place_ok(o.site_id, o.county_code)
        WHEN o.channel = 'webhook' THEN false
        ELSE EXISTS (SELECT 1 FROM worker w WHERE w.id = o.worker_id)
    END;
$$;

ALTER TABLE notify_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON notify_outbox FOR SELECT USING (notify_visible(notify_outbox));
-- events of any caller write messages (the triggers below)
CREATE POLICY scope_insert ON notify_outbox FOR INSERT WITH CHECK (true);
CREATE POLICY scope_update ON notify_outbox FOR UPDATE USING (notify_visible(notify_outbox));

ALTER TABLE notify_pref ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify_pref FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON notify_pref USING (EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));

-- Brokers see and change their own endpoints; the events of staff and
-- kiosks read them to address a broker's messages.
ALTER TABLE notify_endpoint ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify_endpoint FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON notify_endpoint FOR SELECT USING (
    leye_scope() NOT LIKE 'b:%' OR broker_id = ANY (leye_scope_ids('b')));
CREATE POLICY scope_write ON notify_endpoint FOR INSERT WITH CHECK (
    leye_scope() = '*' OR broker_id = ANY (leye_scope_ids('b')));
CREATE POLICY scope_update ON notify_endpoint FOR UPDATE USING (
    leye_scope() = '*' OR broker_id = ANY (leye_scope_ids('b')));
ALTER TABLE notify_endpoint_secret ENABLE ROW LEVEL SECURITY;
ALTER TABLE notify_endpoint_secret FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON notify_endpoint_secret USING (
    leye_scope() = '*' OR EXISTS (SELECT 1 FROM notify_endpoint e WHERE e.id = endpoint_id
                                  AND e.broker_id = ANY (leye_scope_ids('b'))));

-- Every change made for a caller is in the audit log (secrets only named).
DO $$
DECLARE spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ['notify_pref', 'x.worker_id::text'], ['notify_endpoint', 'x.id::text'],
        ['notify_endpoint_secret', 'x.id::text']] LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)',
                       spec[1], spec[2]);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_stmt(%L)', spec[1], spec[2]);
    END LOOP;
END $$;

-- ---------- writing messages ----------

-- The one entry point for a message to a job seeker: an SMS when they chose
-- SMS (and consented), and a kiosk inbox entry unless they turned it off.
-- p_text is the short Chinese text (no ID number, no household status);
-- p_template and p_params are what the SMS gateway sends.  p_dedupe, when
-- given, makes a second call with the same key do nothing (per channel).
-- Trips, courses and any later event call this from the SQL function or
-- trigger that records the change, in the same transaction.
CREATE FUNCTION notify_enqueue(p_event text, p_worker bigint, p_template text, p_params jsonb,
                               p_text text, p_dedupe text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    pr notify_pref;
BEGIN
    SELECT * INTO pr FROM notify_pref WHERE worker_id = p_worker;
    IF coalesce(pr.kiosk, true) THEN
        INSERT INTO notify_outbox (event, channel, worker_id, template, params, text_zh, dedupe_key,
                                   status, delivered_at)
        VALUES (p_event, 'kiosk', p_worker, p_template, p_params, left(p_text, 140),
                'kiosk:' || p_dedupe, 'delivered', now())
        ON CONFLICT (dedupe_key) DO NOTHING;
    END IF;
    IF coalesce(pr.sms, false) THEN
        INSERT INTO notify_outbox (event, channel, worker_id, template, params, text_zh, dedupe_key)
        VALUES (p_event, 'sms', p_worker, p_template, p_params, left(p_text, 140), 'sms:' || p_dedupe)
        ON CONFLICT (dedupe_key) DO NOTHING;
    END IF;
END $$;

-- A webhook message to each live endpoint of broker p_broker that takes
-- event p_event.  The payload follows Standard Webhooks: {type, timestamp, data}.
CREATE FUNCTION notify_enqueue_broker(p_event text, p_broker bigint, p_data jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO notify_outbox (event, channel, broker_id, endpoint_id, payload)
    SELECT p_event, 'webhook', p_broker, e.id,
           jsonb_build_object('type', p_event,
                              'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                              'data', p_data)
    FROM notify_endpoint e
    WHERE e.broker_id = p_broker AND e.deleted_at IS NULL AND e.disabled_at IS NULL
      AND (e.events = '{}' OR p_event = ANY (e.events));
$$;

-- An application moved: the seeker hears of a shortlist, offer, hire or
-- rejection; the broker who submitted it of every move.
CREATE FUNCTION notify_application_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_title text;
    v_employer text;
    start date;
    txt text;
BEGIN
    SELECT v.title, e.name INTO v_title, v_employer
    FROM vacancy v JOIN employer e ON e.id = v.employer_id WHERE v.id = NEW.vacancy_id;
    v_title := left(coalesce(v_title, '岗位'), 20);
    IF NEW.status = 'hired' THEN
        SELECT p.start_date INTO start FROM placement p WHERE p.application_id = NEW.id;
    END IF;
    txt := CASE NEW.status
        WHEN 'shortlisted' THEN '【乐业】你报名的“' || v_title || '”已进入初选，请留意电话。'
        WHEN 'offered' THEN '【乐业】“' || v_title || '”愿意录用你，请到服务点确认。'
        WHEN 'hired' THEN '【乐业】恭喜！你已被“' || v_title || '”录用'
                          || coalesce('，' || to_char(start, 'FMMM"月"FMDD"日"') || '上岗', '') || '。'
        WHEN 'rejected' THEN '【乐业】你报名的“' || v_title || '”这次没有成功，还有别的岗位可以看看。'
        END;
    IF txt IS NOT NULL THEN
        PERFORM notify_enqueue('application.' || NEW.status, NEW.worker_id,
                               'APP_' || upper(NEW.status), jsonb_build_object('title', v_title),
                               txt, 'app:' || NEW.id || ':' || NEW.status || ':' || NEW.version);
    END IF;
    IF NEW.broker_id IS NOT NULL THEN
        PERFORM notify_enqueue_broker('application.' || NEW.status, NEW.broker_id,
            jsonb_build_object('application_id', NEW.id, 'vacancy_id', NEW.vacancy_id,
                               'worker_id', NEW.worker_id, 'status', NEW.status,
                               'previous_status', OLD.status, 'start_date', start));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notify_application_moved AFTER UPDATE OF status ON application
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_application_moved();

-- A kiosk PIN set or reset by staff (not at the person's own first sign-in).
CREATE FUNCTION notify_pin_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.pin_hash IS DISTINCT FROM OLD.pin_hash OR (OLD.locked AND NOT NEW.locked) THEN
        PERFORM notify_enqueue('pin.reset', NEW.worker_id, 'PIN_RESET', '{}',
                               '【乐业】你的自助机密码已由工作人员重设。不是你本人办理的，请告诉服务点。');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notify_pin_reset AFTER UPDATE ON worker_pin
    FOR EACH ROW EXECUTE FUNCTION notify_pin_reset();

-- A vacancy opened: queued for the day's digests.
CREATE FUNCTION notify_vacancy_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notify_vacancy_queue (vacancy_id) SELECT n.id FROM new_rows n
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER notify_vacancy_new AFTER INSERT ON vacancy REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notify_vacancy_new();

-- ---------- the delivery thread's work (server/notify.c) ----------

-- Claims up to p_n messages that are due, or whose lease ran out (their
-- instance died while sending), for p_lease_ms.  SMS to a person in their
-- quiet hours, or to a number that had p_sms_cap texts today, are put off
-- instead.  SMS are left alone when p_sms is false (no gateway configured).
-- Returns what the sender needs; the phone as ciphertext.
CREATE FUNCTION notify_claim(p_runner text, p_lease_ms integer, p_n integer, p_sms_cap integer,
                             p_sms boolean)
RETURNS TABLE (id bigint, msg_id text, channel text, attempts integer, template text,
               params jsonb, text_zh text, payload jsonb, url text, secrets text[],
               phone_enc text)
LANGUAGE plpgsql AS $$
DECLARE
    now_cn time := (now() AT TIME ZONE 'Asia/Shanghai')::time;
    today_start timestamptz := date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai';
BEGIN
    -- SMS in quiet hours wait for their end
    UPDATE notify_outbox o SET next_at = (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
            + p.quiet_to + CASE WHEN p.quiet_to <= now_cn THEN interval '1 day' ELSE interval '0' END)
            AT TIME ZONE 'Asia/Shanghai'
    FROM notify_pref p
    WHERE o.channel = 'sms' AND o.status = 'pending' AND o.next_at <= now() AND p.worker_id = o.worker_id
      AND p.quiet_from IS NOT NULL
      AND CASE WHEN p.quiet_from <= p.quiet_to THEN now_cn >= p.quiet_from AND now_cn < p.quiet_to
               ELSE now_cn >= p.quiet_from OR now_cn < p.quiet_to END;
    -- a number that reached its daily cap waits for tomorrow 08:00
    UPDATE notify_outbox o SET next_at = today_start + interval '1 day 8 hours'
    FROM worker w
    WHERE o.channel = 'sms' AND o.status = 'pending' AND o.next_at <= now() AND w.id = o.worker_id
      AND w.phone_hash IS NOT NULL
      AND (SELECT count(*) FROM notify_outbox d JOIN worker dw ON dw.id = d.worker_id
           WHERE d.channel = 'sms' AND d.status = 'delivered' AND d.delivered_at >= today_start
             AND dw.phone_hash = w.phone_hash) >= p_sms_cap;
    RETURN QUERY
    WITH c AS (
        SELECT o.id FROM notify_outbox o
        WHERE (o.channel = 'webhook' OR (o.channel = 'sms' AND p_sms))
          AND ((o.status = 'pending' AND o.next_at <= now())
               OR (o.status = 'sending' AND o.lease_until < now()))
        ORDER BY o.next_at
        LIMIT p_n
        FOR UPDATE SKIP LOCKED),
    u AS (
        UPDATE notify_outbox o SET status = 'sending', runner = p_runner, attempts = o.attempts + 1,
            lease_until = now() + make_interval(secs => p_lease_ms / 1000.0)
        FROM c WHERE o.id = c.id
        RETURNING o.*)
    SELECT u.id, u.msg_id, u.channel, u.attempts, u.template, u.params, u.text_zh, u.payload,
           e.url,
           (SELECT array_agg(s.secret ORDER BY s.id DESC) FROM notify_endpoint_secret s
            WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > now())),
           w.phone_enc::text
    FROM u
    LEFT JOIN notify_endpoint e ON e.id = u.endpoint_id AND e.deleted_at IS NULL AND e.disabled_at IS NULL
    LEFT JOIN worker w ON w.id = u.worker_id AND u.channel = 'sms'
    ORDER BY u.id;
END $$;

-- The outcome of one send by p_runner (ignored when the message is no
-- longer this runner's):
--   delivered   accepted by the gateway or the endpoint
--   retry       try again after p_delay_ms, or dead after p_max_attempts
--   gone        the endpoint answered 410: disabled, the message dead
--   dead        cannot be sent at all (no phone, no endpoint)
-- Returns the status the message now has.
CREATE FUNCTION notify_finish(p_id bigint, p_runner text, p_outcome text, p_error text,
                              p_delay_ms integer, p_max_attempts integer) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    o notify_outbox;
BEGIN
    SELECT * INTO o FROM notify_outbox x WHERE x.id = p_id FOR UPDATE;
    IF NOT FOUND OR o.status <> 'sending' OR o.runner IS DISTINCT FROM p_runner THEN
        RETURN coalesce(o.status, 'missing');
    END IF;
    IF p_outcome = 'delivered' THEN
        UPDATE notify_outbox x SET status = 'delivered', delivered_at = now(), lease_until = NULL,
            last_error = '' WHERE x.id = p_id;
        RETURN 'delivered';
    END IF;
    IF p_outcome = 'gone' THEN
        UPDATE notify_endpoint SET disabled_at = now(), disabled_reason = 'answered 410 Gone',
            version = version + 1, updated_at = now()
        WHERE notify_endpoint.id = o.endpoint_id AND disabled_at IS NULL;
    END IF;
    IF p_outcome IN ('gone', 'dead') OR o.attempts >= p_max_attempts THEN
        UPDATE notify_outbox x SET status = 'dead', lease_until = NULL, last_error = left(p_error, 300)
        WHERE x.id = p_id;
        RETURN 'dead';
    END IF;
    UPDATE notify_outbox x SET status = 'pending', lease_until = NULL, last_error = left(p_error, 300),
        next_at = now() + make_interval(secs => p_delay_ms / 1000.0)
    WHERE x.id = p_id;
    RETURN 'pending';
END $$;

-- The next new vacancy for the digests, claimed (SKIP LOCKED) and removed
-- when the caller's transaction commits.
CREATE FUNCTION notify_vacancy_take() RETURNS bigint LANGUAGE sql AS $$
    DELETE FROM notify_vacancy_queue q
    WHERE q.vacancy_id = (SELECT x.vacancy_id FROM notify_vacancy_queue x ORDER BY x.queued_at
                          LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING q.vacancy_id;
$$;

-- Adds vacancy p_vacancy to the digests of the seekers in p_workers with
-- the scores in p_scores, for those whose threshold it reaches.  Returns
-- how many were added.
CREATE FUNCTION notify_digest_add(p_vacancy bigint, p_workers bigint[], p_scores integer[])
RETURNS integer LANGUAGE sql AS $$
    WITH ins AS (
        INSERT INTO notify_digest_item (worker_id, vacancy_id, score)
        SELECT x.w, p_vacancy, x.s
        FROM unnest(p_workers, p_scores) AS x(w, s)
        JOIN worker w ON w.id = x.w AND NOT w.archived AND w.employment_status = 'seeking'
        LEFT JOIN notify_pref p ON p.worker_id = x.w
        WHERE x.s >= coalesce(p.match_min, 70)
        ON CONFLICT DO NOTHING
        RETURNING 1)
    SELECT count(*)::integer FROM ins;
$$;

-- Sends each seeker with waiting vacancies their one digest of the day (the
-- dedupe key carries the date: a second call the same day adds nothing) and
-- writes staff's inbox entries for follow-up and early-warning visits due
-- within two days.  Returns the digests written.
CREATE FUNCTION notify_daily() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    d date := placement_today();
    r record;
    n integer := 0;
BEGIN
    FOR r IN SELECT i.worker_id, count(*) AS k,
                    (array_agg(v.title ORDER BY i.score DESC, i.vacancy_id))[1] AS best
             FROM notify_digest_item i JOIN vacancy v ON v.id = i.vacancy_id
             WHERE i.sent_on IS NULL
               AND NOT EXISTS (SELECT 1 FROM notify_outbox o
                               WHERE o.dedupe_key IN ('kiosk:digest:' || i.worker_id || ':' || d,
                                                      'sms:digest:' || i.worker_id || ':' || d))
             GROUP BY i.worker_id
             LIMIT 1000 LOOP
        PERFORM notify_enqueue('vacancy.digest', r.worker_id, 'JOB_DIGEST',
                               jsonb_build_object('count', r.k, 'title', left(r.best, 20)),
                               '【乐业】有 ' || r.k || ' 个新岗位适合你，比如“' || left(r.best, 20)
                               || '”。到自助机或服务点看看。',
                               'digest:' || r.worker_id || ':' || d);
        UPDATE notify_digest_item SET sent_on = d WHERE worker_id = r.worker_id AND sent_on IS NULL;
        n := n + 1;
    END LOOP;
    INSERT INTO notify_outbox (event, channel, county_code, site_id, template, params, text_zh,
                               dedupe_key, status, delivered_at)
    SELECT 'visit.followup_due', 'staff', s.county_code, s.id, 'FOLLOWUP_DUE',
           jsonb_build_object('followup_id', f.id, 'due_on', f.due_on, 'worker_id', pl.worker_id),
           '第 ' || f.due_month || ' 个月回访 ' || to_char(f.due_on, 'FMMM"月"FMDD"日"') || ' 到期（劳动力 '
               || pl.worker_id || '）',
           'followup:' || f.id, 'delivered', now()
    FROM followup f JOIN placement pl ON pl.id = f.placement_id
    JOIN worker w ON w.id = pl.worker_id JOIN household h ON h.id = w.household_id
    JOIN site s ON s.id = h.site_id
    WHERE f.done_at IS NULL AND f.due_on <= d + 2 AND f.due_on >= d - 30
    ON CONFLICT (dedupe_key) DO NOTHING;
    INSERT INTO notify_outbox (event, channel, county_code, site_id, template, params, text_zh,
                               dedupe_key, status, delivered_at)
    SELECT 'visit.early_warning_due', 'staff', s.county_code, s.id, 'EARLY_WARNING_DUE',
           jsonb_build_object('task_id', t.id, 'due_on', t.due_on, 'household_id', h.id),
           '预警走访 ' || to_char(t.due_on, 'FMMM"月"FMDD"日"') || ' 到期（户 ' || h.id || '）',
           'early_warning:' || t.id, 'delivered', now()
    FROM early_warning_task t JOIN household h ON h.id = t.household_id JOIN site s ON s.id = h.site_id
    WHERE t.status = 'open' AND t.due_on <= d + 2
    ON CONFLICT (dedupe_key) DO NOTHING;
    RETURN n;
END $$;

-- ---------- answers ----------

CREATE FUNCTION notify_json(o notify_outbox) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', o.msg_id, 'event', o.event, 'channel', o.channel, 'status', o.status,
        'attempts', o.attempts, 'last_error', o.last_error, 'endpoint_id', o.endpoint_id,
        'worker_id', o.worker_id, 'text', CASE WHEN o.channel IN ('kiosk', 'staff') THEN o.text_zh END,
        'template', o.template, 'data', o.payload -> 'data',
        'created_at', o.created_at, 'next_at', CASE WHEN o.status = 'pending' THEN o.next_at END,
        'delivered_at', o.delivered_at);
$$;

-- A page of the messages the caller may see, newest first.  Filters:
-- status, channel.  The cursor is {"id"}.
CREATE FUNCTION api_notify_list(f jsonb, cur jsonb, lim integer, sort text,
                                OUT status integer, OUT version integer, OUT body jsonb)
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
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(notify_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', (rows[n]).id));
    END IF;
END $$;

-- Sends a dead (or delivered) message again, with the same id, as soon as
-- possible.  Kiosk and staff inbox entries are not sent: 409.
CREATE FUNCTION api_notify_replay(p_msg text, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    o notify_outbox;
BEGIN
    SELECT * INTO o FROM notify_outbox x WHERE x.msg_id = p_msg FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    ELSIF o.channel NOT IN ('sms', 'webhook') THEN
        PERFORM api_fail('LY409', 'channel', 'not_allowed');
    ELSIF o.status IN ('pending', 'sending') THEN
        PERFORM api_fail('LY409', 'status', 'illegal_transition');
    ELSIF o.channel = 'webhook' AND NOT EXISTS (
            SELECT 1 FROM notify_endpoint e WHERE e.id = o.endpoint_id AND e.deleted_at IS NULL
              AND e.disabled_at IS NULL) THEN
        PERFORM api_fail('LY409', 'endpoint_id', 'archived');
    END IF;
    UPDATE notify_outbox x SET status = 'pending', attempts = 0, next_at = now(), lease_until = NULL,
        runner = NULL
    WHERE x.id = o.id RETURNING * INTO o;
    INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, peer, request_id)
    SELECT a ->> 'kind', (a ->> 'id')::bigint, coalesce(a ->> 'name', ''), 'replay', 'notify_outbox',
           o.id::text, coalesce(a ->> 'peer', ''), coalesce(a ->> 'request_id', '')
    FROM (SELECT nullif(current_setting('leye.actor', true), '')::jsonb AS a) s WHERE a IS NOT NULL;
    status := 202;
    body := notify_json(o);
END $$;

-- The signed-in seeker's inbox, newest first; marks what it shows as read.
CREATE FUNCTION api_kiosk_inbox(p_limit integer, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
    items jsonb;
BEGIN
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', o.msg_id, 'event', o.event, 'text', o.text_zh,
                                                 'created_at', o.created_at, 'read', o.read_at IS NOT NULL)
                              ORDER BY o.id DESC), '[]')
    INTO items
    FROM (SELECT * FROM notify_outbox x WHERE x.worker_id = w.id AND x.channel = 'kiosk'
          ORDER BY x.id DESC LIMIT api_page_limit(p_limit)) o;
    UPDATE notify_outbox x SET read_at = now()
    WHERE x.worker_id = w.id AND x.channel = 'kiosk' AND x.read_at IS NULL;
    status := 200;
    body := jsonb_build_object('items', items);
END $$;

CREATE FUNCTION notify_pref_json(w bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'sms', coalesce(p.sms, false), 'kiosk', coalesce(p.kiosk, true),
        'quiet_from', to_char(p.quiet_from, 'HH24:MI'), 'quiet_to', to_char(p.quiet_to, 'HH24:MI'),
        'match_min', coalesce(p.match_min, 70),
        'sms_consent', (SELECT jsonb_build_object('granted', e.granted, 'method', e.method, 'at', e.at)
                        FROM worker_consent_event e WHERE e.worker_id = w AND e.kind = 'sms'
                        ORDER BY e.at DESC, e.id DESC LIMIT 1))
    FROM (SELECT 1) one LEFT JOIN notify_pref p ON p.worker_id = w;
$$;

CREATE FUNCTION api_kiosk_notify_get(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    w worker := kiosk_worker();
BEGIN
    status := 200;
    version := coalesce((SELECT p.version FROM notify_pref p WHERE p.worker_id = w.id), 0);
    body := notify_pref_json(w.id);
END $$;

-- Sets the seeker's choices (p: sms, kiosk, quiet_from, quiet_to, match_min,
-- all optional; quiet hours both or neither).  Turning SMS on or off records
-- the consent, given at the kiosk.
CREATE FUNCTION api_kiosk_notify_put(p jsonb, p_actor text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
    old notify_pref;
    nw notify_pref;
BEGIN
    IF (p ? 'quiet_from') <> (p ? 'quiet_to') THEN
        PERFORM api_fail('LY422', CASE WHEN p ? 'quiet_from' THEN 'quiet_to' ELSE 'quiet_from' END,
                         'required');
    END IF;
    IF (p ? 'sms') AND (p ->> 'sms')::boolean AND w.phone_hash IS NULL THEN
        PERFORM api_fail('LY422', 'sms', 'not_allowed');
    END IF;
    SELECT * INTO old FROM notify_pref x WHERE x.worker_id = w.id FOR UPDATE;
    INSERT INTO notify_pref AS x (worker_id, sms, kiosk, quiet_from, quiet_to, match_min)
    VALUES (w.id, coalesce((p ->> 'sms')::boolean, false), coalesce((p ->> 'kiosk')::boolean, true),
            (p ->> 'quiet_from')::time, (p ->> 'quiet_to')::time,
            coalesce((p ->> 'match_min')::smallint, 70))
    ON CONFLICT (worker_id) DO UPDATE SET
        sms = coalesce((p ->> 'sms')::boolean, x.sms),
        kiosk = coalesce((p ->> 'kiosk')::boolean, x.kiosk),
        quiet_from = CASE WHEN p ? 'quiet_from' THEN (p ->> 'quiet_from')::time ELSE x.quiet_from END,
        quiet_to = CASE WHEN p ? 'quiet_to' THEN (p ->> 'quiet_to')::time ELSE x.quiet_to END,
        match_min = coalesce((p ->> 'match_min')::smallint, x.match_min),
        version = x.version + 1, updated_at = now()
    RETURNING * INTO nw;
    IF nw.sms IS DISTINCT FROM coalesce(old.sms, false) THEN
        INSERT INTO worker_consent_event (worker_id, kind, granted, method, recorded_by, given_on)
        VALUES (w.id, 'sms', nw.sms, 'kiosk', p_actor, placement_today());
    END IF;
    status := 200;
    version := nw.version;
    body := notify_pref_json(w.id);
END $$;

-- ---------- broker self-service ----------

CREATE FUNCTION broker_self() RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
    ids bigint[] := leye_scope_ids('b');
BEGIN
    IF cardinality(ids) <> 1 THEN
        PERFORM api_fail('LY404', '', 'not_found');
    END IF;
    RETURN ids[1];
END $$;

-- The calling broker's applications and what became of them: status, the
-- hire, and six-month retention (null until six months have passed).
-- Filters: status.  Newest first; the cursor is {"id"}.
CREATE FUNCTION api_broker_self_applications(f jsonb, cur jsonb, lim integer, sort text,
                                             OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    b bigint := broker_self();
    n integer := api_page_limit(lim);
    items jsonb;
    last_id bigint;
    more boolean;
BEGIN
    WITH page AS (
        SELECT a.* FROM application a
        WHERE a.broker_id = b
          AND (f ->> 'status' IS NULL OR a.status = f ->> 'status')
          AND (cur IS NULL OR a.id < (cur ->> 'id')::bigint)
        ORDER BY a.id DESC LIMIT n + 1),
    rows AS (SELECT row_number() OVER (ORDER BY p.id DESC) AS i, p.* FROM page p)
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', r.id, 'worker_id', r.worker_id, 'vacancy_id', r.vacancy_id,
               'vacancy_title', v.title, 'employer_name', e.name, 'status', r.status,
               'created_at', r.created_at, 'updated_at', r.updated_at,
               'hired', pl.id IS NOT NULL, 'start_date', pl.start_date, 'ended_on', pl.ended_on,
               'retained_6m', CASE WHEN pl.id IS NULL
                                     OR pl.start_date + interval '6 months' > placement_today() THEN NULL
                                   ELSE pl.ended_on IS NULL
                                        OR pl.ended_on >= pl.start_date + interval '6 months' END)
               ORDER BY r.id DESC) FILTER (WHERE r.i <= n), '[]'),
           min(r.id) FILTER (WHERE r.i <= n), count(*) > n
    INTO items, last_id, more
    FROM rows r
    LEFT JOIN vacancy v ON v.id = r.vacancy_id
    LEFT JOIN employer e ON e.id = v.employer_id
    LEFT JOIN placement pl ON pl.application_id = r.id;
    status := 200;
    body := jsonb_build_object('items', items,
                               'next_cursor', CASE WHEN more THEN jsonb_build_object('id', last_id) END);
END $$;

CREATE FUNCTION broker_key_json(k broker_key, p_current bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', k.id, 'prefix', k.prefix, 'scopes', to_jsonb(k.scopes),
                              'rate_per_minute', k.rate_per_minute, 'created_at', k.created_at,
                              'revoked_at', k.revoked_at, 'last_used_at', k.last_used_at,
                              'current', k.id = p_current);
$$;

CREATE FUNCTION api_broker_self_keys(p_current bigint, OUT status integer, OUT version integer,
                                     OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    b bigint := broker_self();
BEGIN
    status := 200;
    body := jsonb_build_object('items', coalesce((
        SELECT jsonb_agg(broker_key_json(k, p_current) ORDER BY k.id)
        FROM broker_key k WHERE k.broker_id = b), '[]'));
END $$;

-- A new key for the calling broker, with at most the calling key's scopes
-- (p: {scopes, key}); the server made the key and gives its hash.  The
-- answer shows the key this once.  At most 10 live keys.
CREATE FUNCTION api_broker_self_key_create(p jsonb, p_current bigint, p_hash bytea, p_prefix text,
                                           OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    b bigint := broker_self();
    cur broker_key;
    k broker_key;
    sc text[] := ARRAY(SELECT DISTINCT jsonb_array_elements_text(p -> 'scopes') ORDER BY 1);
BEGIN
    SELECT * INTO cur FROM broker_key x WHERE x.id = p_current AND x.broker_id = b;
    IF NOT (sc <@ cur.scopes) THEN
        PERFORM api_fail('LY422', 'scopes', 'not_allowed');
    END IF;
    IF (SELECT count(*) FROM broker_key x WHERE x.broker_id = b AND x.revoked_at IS NULL) >= 10 THEN
        PERFORM api_fail('LY409', 'scopes', 'out_of_range');
    END IF;
    INSERT INTO broker_key (broker_id, key_hash, prefix, scopes, rate_per_minute)
    VALUES (b, p_hash, p_prefix, sc, cur.rate_per_minute) RETURNING * INTO k;
    status := 201;
    body := broker_key_json(k, p_current) || jsonb_build_object('key', p ->> 'key');
END $$;

-- Revokes one of the calling broker's keys; not the key making the call
-- (409), so that a broker always keeps one that works.
CREATE FUNCTION api_broker_self_key_revoke(p_id bigint, p_current bigint,
                                           OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    b bigint := broker_self();
    k broker_key;
BEGIN
    SELECT * INTO k FROM broker_key x WHERE x.id = p_id AND x.broker_id = b FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    ELSIF k.id = p_current THEN
        PERFORM api_fail('LY409', 'id', 'in_use');
    END IF;
    IF k.revoked_at IS NULL THEN
        UPDATE broker_key x SET revoked_at = now() WHERE x.id = k.id RETURNING * INTO k;
    END IF;
    status := 200;
    body := broker_key_json(k, p_current);
END $$;

CREATE FUNCTION notify_endpoint_json(e notify_endpoint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', e.id, 'url', e.url, 'events', to_jsonb(e.events), 'disabled_at', e.disabled_at,
        'disabled_reason', e.disabled_reason, 'created_at', e.created_at, 'version', e.version,
        'secrets', coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'prefix', s.prefix,
                                                                 'created_at', s.created_at,
                                                                 'expires_at', s.expires_at) ORDER BY s.id)
                             FROM notify_endpoint_secret s
                             WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > now())),
                            '[]'),
        'pending', (SELECT count(*) FROM notify_outbox o WHERE o.endpoint_id = e.id
                    AND o.status IN ('pending', 'sending')),
        'dead', (SELECT count(*) FROM notify_outbox o WHERE o.endpoint_id = e.id AND o.status = 'dead'));
$$;

CREATE FUNCTION api_broker_self_webhooks(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    b bigint := broker_self();
BEGIN
    status := 200;
    body := jsonb_build_object('items', coalesce((
        SELECT jsonb_agg(notify_endpoint_json(e) ORDER BY e.id)
        FROM notify_endpoint e WHERE e.broker_id = b AND e.deleted_at IS NULL), '[]'));
END $$;

-- A new endpoint (p: {url, events}) with its first secret, made by the
-- server; the answer shows the secret this once.  At most 5 endpoints.
CREATE FUNCTION api_broker_self_webhook_create(p jsonb, p_secret text,
                                               OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    b bigint := broker_self();
    e notify_endpoint;
BEGIN
    IF (SELECT count(*) FROM notify_endpoint x WHERE x.broker_id = b AND x.deleted_at IS NULL) >= 5 THEN
        PERFORM api_fail('LY409', 'url', 'out_of_range');
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(p -> 'events', '[]')) ev
               WHERE ev NOT IN ('application.shortlisted', 'application.offered', 'application.hired',
                                'application.rejected', 'application.withdrawn', 'application.applied')) THEN
        PERFORM api_fail('LY422', 'events', 'unknown_value');
    END IF;
    INSERT INTO notify_endpoint (broker_id, url, events)
    VALUES (b, p ->> 'url', ARRAY(SELECT DISTINCT jsonb_array_elements_text(coalesce(p -> 'events', '[]'))
                                  ORDER BY 1))
    RETURNING * INTO e;
    INSERT INTO notify_endpoint_secret (endpoint_id, secret, prefix) VALUES (e.id, p_secret, left(p_secret, 12));
    status := 201;
    version := e.version;
    body := notify_endpoint_json(e) || jsonb_build_object('secret', p_secret);
END $$;

-- A new secret for endpoint p_id; the ones before it keep signing for
-- p_overlap_s seconds, so that receivers can switch.  Re-enables an
-- endpoint that was disabled.
CREATE FUNCTION api_broker_self_webhook_rotate(p_id bigint, p_secret text, p_overlap_s integer,
                                               OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    b bigint := broker_self();
    e notify_endpoint;
BEGIN
    SELECT * INTO e FROM notify_endpoint x WHERE x.id = p_id AND x.broker_id = b AND x.deleted_at IS NULL
    FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    UPDATE notify_endpoint_secret s SET expires_at = now() + make_interval(secs => p_overlap_s)
    WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > now() + make_interval(secs => p_overlap_s));
    INSERT INTO notify_endpoint_secret (endpoint_id, secret, prefix) VALUES (e.id, p_secret, left(p_secret, 12));
    UPDATE notify_endpoint x SET disabled_at = NULL, disabled_reason = '', version = x.version + 1,
        updated_at = now()
    WHERE x.id = e.id RETURNING * INTO e;
    status := 200;
    version := e.version;
    body := notify_endpoint_json(e) || jsonb_build_object('secret', p_secret);
END $$;

-- Deletes endpoint p_id: nothing more is sent to it.
CREATE FUNCTION api_broker_self_webhook_delete(p_id bigint, OUT status integer, OUT version integer,
                                               OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    b bigint := broker_self();
    e notify_endpoint;
BEGIN
    UPDATE notify_endpoint x SET deleted_at = now(), version = x.version + 1, updated_at = now()
    WHERE x.id = p_id AND x.broker_id = b AND x.deleted_at IS NULL RETURNING * INTO e;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    UPDATE notify_outbox o SET status = 'dead', last_error = 'endpoint deleted', lease_until = NULL
    WHERE o.endpoint_id = e.id AND o.status = 'pending';
    status := 200;
    version := e.version;
    body := notify_endpoint_json(e);
END $$;
