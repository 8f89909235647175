-- 032_privacy_store: broker rate limits shared by every server instance.
--
-- Each broker API key has one row: the start of its current one-minute
-- window and the requests taken in it.  The server's key lookup takes a
-- request here in the same statement (server/auth.c), so every instance
-- behind a load balancer counts against the same row and a key with rate N
-- gets at most N requests per window in total.  The table is UNLOGGED: the
-- counts are not worth a WAL record each, and after a crash the windows
-- simply start afresh.

CREATE UNLOGGED TABLE broker_rate_window (
    key_id       bigint PRIMARY KEY,
    window_start timestamptz NOT NULL,
    used         integer NOT NULL
);

-- Takes one request for key p_key: the requests used in the current window
-- (this one included; more than p_limit means refused) and the whole
-- seconds until the window ends.  Windows are whole minutes of the clock.
-- A statement that began in an earlier window than the stored one counts
-- in the stored one, so that windows never go back.  NULL for a NULL key
-- or limit (callers other than brokers).
CREATE FUNCTION broker_rate_take(p_key bigint, p_limit integer,
                                 OUT used integer, OUT reset_s integer)
LANGUAGE plpgsql STRICT AS $$
DECLARE
    w timestamptz := date_trunc('minute', now());
    start timestamptz;
BEGIN
    INSERT INTO broker_rate_window AS b (key_id, window_start, used)
    VALUES (p_key, w, 1)
    ON CONFLICT (key_id) DO UPDATE
        SET used = CASE WHEN EXCLUDED.window_start > b.window_start THEN 1 ELSE b.used + 1 END,
            window_start = greatest(b.window_start, EXCLUDED.window_start)
    RETURNING b.used, b.window_start INTO used, start;
    reset_s := greatest(1, ceil(extract(epoch FROM start + interval '1 minute' - now())))::integer;
END $$;
