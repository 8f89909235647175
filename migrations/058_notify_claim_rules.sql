-- 058_notify_claim_rules: notify_claim as in 048, with its rules held
-- against a text that commits while it runs: under READ COMMITTED the updates that put off texts in quiet
-- hours or over the daily cap see the rows committed before each began, and
-- the claim, a later statement, also sees a text committed in between; the
-- claim now checks the quiet hours and the cap itself on the rows it takes.
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
    WITH c0 AS (
        SELECT o.id, o.channel, o.status, o.worker_id, o.next_at FROM notify_outbox o
        WHERE (o.channel = 'webhook' OR (o.channel = 'sms' AND p_sms))
          AND ((o.status = 'pending' AND o.next_at <= now())
               OR (o.status = 'sending' AND o.lease_until < now()))
        ORDER BY o.next_at
        LIMIT p_n
        FOR UPDATE SKIP LOCKED),
    -- a text committed after the two updates above began is not in their
    -- snapshot: the same rules are checked again on what this statement claims
    -- (such a text is put off by the next call)
    r AS (
        SELECT c0.id, c0.channel, c0.status, c0.worker_id, w.phone_hash,
               row_number() OVER (PARTITION BY w.phone_hash, c0.status ORDER BY c0.next_at, c0.id) AS k
        FROM c0 LEFT JOIN worker w ON w.id = c0.worker_id AND c0.channel = 'sms'),
    c AS (
        SELECT r.id FROM r LEFT JOIN notify_pref p ON p.worker_id = r.worker_id
        WHERE r.channel <> 'sms' OR r.status <> 'pending'
           OR ((p.quiet_from IS NULL
                OR NOT CASE WHEN p.quiet_from <= p.quiet_to THEN now_cn >= p.quiet_from AND now_cn < p.quiet_to
                            ELSE now_cn >= p.quiet_from OR now_cn < p.quiet_to END)
               AND (r.phone_hash IS NULL
                    OR r.k + (SELECT count(*) FROM notify_outbox d JOIN worker dw ON dw.id = d.worker_id
                              WHERE d.channel = 'sms' AND dw.phone_hash = r.phone_hash
                                AND ((d.status = 'delivered' AND d.delivered_at >= today_start)
                                     OR d.status = 'sending')) <= p_sms_cap))),
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
