-- 048_reach: work-relief payments capped by the project's remuneration
-- budget, and webhook signing secrets kept encrypted.
--
-- The cap.  A project's remuneration_budget is the money it has for labour
-- remuneration.  What it has paid (the lump sums of before and the paid wage
-- payments) may never exceed it, and a pay sheet is released only when the
-- money already paid, the unpaid rest of the sheets released before and the
-- new sheet together fit in it.  Both are checked in triggers, so every path
-- (one payment, a bank return file, a lump sum, a release) is held to them, with the
-- project's row locked so that two concurrent payments cannot both fit.
-- Refusals raise SQLSTATE LYB09 with the field in MESSAGE and the amounts as
-- JSON in DETAIL ({budget, paid, owed, amount, over}); the server words them
-- (lib/problem.c, problem_budget_new).

-- The project's remuneration already paid and still owed on released sheets,
-- without wage payment p_skip (the row being changed).
CREATE FUNCTION payroll_committed(p_project bigint, p_skip bigint, OUT paid numeric, OUT owed numeric)
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT sum(amount) FROM remuneration_payment WHERE project_id = p_project), 0)
           + coalesce((SELECT sum(amount) FROM wage_payment
                       WHERE project_id = p_project AND status = 'paid' AND id IS DISTINCT FROM p_skip), 0),
           coalesce((SELECT sum(greatest(l.amount - coalesce((SELECT sum(x.amount) FROM wage_payment x
                                                              WHERE x.pay_line_id = l.id AND x.status = 'paid'
                                                                AND x.id IS DISTINCT FROM p_skip), 0), 0))
                     FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id
                     WHERE s.project_id = p_project AND s.status = 'released'), 0);
$$;

CREATE FUNCTION payroll_over_budget(p_field text, p_budget numeric, p_paid numeric, p_owed numeric,
                                    p_amount numeric) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'LYB09', MESSAGE = p_field,
        DETAIL = jsonb_build_object('budget', p_budget, 'paid', p_paid, 'owed', p_owed, 'amount', p_amount,
                                    'over', p_paid + p_owed + p_amount - p_budget)::text;
END $$;

-- A paid wage payment fits in what the budget has left after the payments
-- before it.
CREATE FUNCTION wage_payment_cap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    budget numeric;
    c record;
BEGIN
    SELECT p.remuneration_budget INTO budget FROM work_relief_project p WHERE p.id = NEW.project_id FOR UPDATE;
    c := payroll_committed(NEW.project_id, CASE WHEN TG_OP = 'UPDATE' THEN NEW.id END);
    IF c.paid + NEW.amount > budget THEN
        PERFORM payroll_over_budget('amount', budget, c.paid, 0, NEW.amount);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER wage_payment_cap BEFORE INSERT OR UPDATE OF status, amount ON wage_payment
    FOR EACH ROW WHEN (NEW.status = 'paid' AND NEW.kind = 'wage') EXECUTE FUNCTION wage_payment_cap();

-- A lump sum recorded the way of before is a payment like the others.
CREATE FUNCTION remuneration_payment_cap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    budget numeric;
    c record;
BEGIN
    SELECT p.remuneration_budget INTO budget FROM work_relief_project p WHERE p.id = NEW.project_id FOR UPDATE;
    c := payroll_committed(NEW.project_id, NULL);
    IF c.paid + NEW.amount > budget THEN
        PERFORM payroll_over_budget('amount', budget, c.paid, 0, NEW.amount);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER remuneration_payment_cap BEFORE INSERT ON remuneration_payment
    FOR EACH ROW EXECUTE FUNCTION remuneration_payment_cap();

-- A sheet is released only when it fits beside what is paid and owed.
CREATE FUNCTION pay_sheet_cap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    budget numeric;
    c record;
    total numeric := coalesce((SELECT sum(l.amount) FROM pay_line l WHERE l.sheet_id = NEW.id), 0);
BEGIN
    SELECT p.remuneration_budget INTO budget FROM work_relief_project p WHERE p.id = NEW.project_id FOR UPDATE;
    c := payroll_committed(NEW.project_id, NULL);
    IF c.paid + c.owed + total > budget THEN
        PERFORM payroll_over_budget('status', budget, c.paid, c.owed, total);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER pay_sheet_cap BEFORE UPDATE OF status ON pay_sheet
    FOR EACH ROW WHEN (NEW.status = 'released' AND OLD.status <> 'released') EXECUTE FUNCTION pay_sheet_cap();

-- POST /v1/payments/bank-returns as in 040, with a row over the budget
-- reported like any other bad row (field amount, code over_budget).
CREATE OR REPLACE FUNCTION api_payment_import(p_rows jsonb, actor text,
                                              OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    x jsonb;
    errs jsonb := '[]';
    paid integer := 0;
    failed integer := 0;
    w wage_payment;
BEGIN
    FOR x IN SELECT e FROM jsonb_array_elements(p_rows) e LOOP
        BEGIN
            w := payroll_payment_put(x - 'line', 'bank_return', actor);
            IF w.status = 'paid' THEN paid := paid + 1; ELSE failed := failed + 1; END IF;
        EXCEPTION WHEN SQLSTATE 'LY422' OR SQLSTATE 'LY409' OR SQLSTATE 'LYB09' OR SQLSTATE '22007'
                       OR SQLSTATE '22008' OR SQLSTATE '22P02' OR SQLSTATE '23505' OR SQLSTATE '23514' THEN
            DECLARE
                f text;
                c text;
            BEGIN
                GET STACKED DIAGNOSTICS f = MESSAGE_TEXT, c = PG_EXCEPTION_DETAIL;
                IF SQLSTATE = 'LYB09' THEN
                    c := 'over_budget';
                ELSIF SQLSTATE NOT IN ('LY422', 'LY409') THEN
                    f := '';
                    c := 'invalid_format';
                END IF;
                errs := errs || jsonb_build_object('line', (x ->> 'line')::integer, 'field', f, 'code', c);
            END;
        END;
    END LOOP;
    IF jsonb_array_length(errs) > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'LY423', MESSAGE = 'rows', DETAIL = errs::text;
    END IF;
    status := 200;
    body := jsonb_build_object('paid', paid, 'failed', failed, 'errors', '[]'::jsonb);
END $$;

-- Webhook signing secrets are kept sealed with the PII key (secret_enc, as
-- the server's pii_encrypt_whsec makes it), no longer readable.  Rows from
-- before keep their readable secret until the server seals them at start
-- (server/db/piiconv.c, in one transaction); until then the delivery thread
-- signs with either form, so nothing stops signing.  Exactly one of the two
-- is set.
ALTER TABLE notify_endpoint_secret ADD COLUMN secret_enc bytea;
ALTER TABLE notify_endpoint_secret ALTER COLUMN secret DROP NOT NULL;
ALTER TABLE notify_endpoint_secret ADD CONSTRAINT notify_endpoint_secret_sealed
    CHECK ((secret IS NULL) <> (secret_enc IS NULL));

-- As in 043, with the live secrets of each message's endpoint as
-- 'enc:<hex of the ciphertext>' (or readable for a row not yet sealed), and
-- the daily SMS cap held within one batch as well.
CREATE OR REPLACE FUNCTION notify_claim(p_runner text, p_lease_ms integer, p_n integer, p_sms_cap integer,
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
    -- a number that reached its daily cap waits for tomorrow 08:00: the
    -- texts delivered today and in flight count, and the due ones in turn,
    -- so that one batch cannot pass the cap either
    UPDATE notify_outbox o SET next_at = today_start + interval '1 day 8 hours'
    FROM (SELECT p.id, row_number() OVER (PARTITION BY w.phone_hash ORDER BY p.next_at, p.id) AS k,
                 (SELECT count(*) FROM notify_outbox d JOIN worker dw ON dw.id = d.worker_id
                  WHERE d.channel = 'sms' AND dw.phone_hash = w.phone_hash
                    AND ((d.status = 'delivered' AND d.delivered_at >= today_start) OR d.status = 'sending')) AS sent
          FROM notify_outbox p JOIN worker w ON w.id = p.worker_id
          WHERE p.channel = 'sms' AND p.status = 'pending' AND p.next_at <= now() AND w.phone_hash IS NOT NULL) q
    WHERE o.id = q.id AND q.sent + q.k > p_sms_cap;
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
           (SELECT array_agg(coalesce('enc:' || encode(s.secret_enc, 'hex'), s.secret) ORDER BY s.id DESC)
            FROM notify_endpoint_secret s
            WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > now())),
           w.phone_enc::text
    FROM u
    LEFT JOIN notify_endpoint e ON e.id = u.endpoint_id AND e.deleted_at IS NULL AND e.disabled_at IS NULL
    LEFT JOIN worker w ON w.id = u.worker_id AND u.channel = 'sms'
    ORDER BY u.id;
END $$;

-- The answers show the new secret once, as before; only its ciphertext
-- (p_secret_enc) is stored.
DROP FUNCTION api_broker_self_webhook_create(jsonb, text);
DROP FUNCTION api_broker_self_webhook_rotate(bigint, text, integer);

CREATE FUNCTION api_broker_self_webhook_create(p jsonb, p_secret text, p_secret_enc bytea,
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
    INSERT INTO notify_endpoint_secret (endpoint_id, secret_enc, prefix) VALUES (e.id, p_secret_enc, left(p_secret, 12));
    status := 201;
    version := e.version;
    body := notify_endpoint_json(e) || jsonb_build_object('secret', p_secret);
END $$;

CREATE FUNCTION api_broker_self_webhook_rotate(p_id bigint, p_secret text, p_secret_enc bytea, p_overlap_s integer,
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
    INSERT INTO notify_endpoint_secret (endpoint_id, secret_enc, prefix) VALUES (e.id, p_secret_enc, left(p_secret, 12));
    UPDATE notify_endpoint x SET disabled_at = NULL, disabled_reason = '', version = x.version + 1,
        updated_at = now()
    WHERE x.id = e.id RETURNING * INTO e;
    status := 200;
    version := e.version;
    body := notify_endpoint_json(e) || jsonb_build_object('secret', p_secret);
END $$;

-- A new vacancy the matching index has not loaded yet (it follows
-- PostgreSQL within a second) goes back to the end of the digest queue, so
-- that it is matched on a later pass rather than lost; one still not open
-- ten minutes after it was made is left out.
CREATE FUNCTION notify_vacancy_later(p_vacancy bigint) RETURNS void LANGUAGE sql AS $$
    INSERT INTO notify_vacancy_queue (vacancy_id)
    SELECT v.id FROM vacancy v
    WHERE v.id = p_vacancy AND v.status = 'open' AND v.created_at > now() - interval '10 minutes'
    ON CONFLICT DO NOTHING;
$$;
