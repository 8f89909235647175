-- 045_accounts_places: staff accounts, brokers and their keys managed over the
-- API; a vacancy's street address; a job seeker's own preferences at the kiosk.
--
-- Accounts.  Province staff (scope "*") manage every account; county staff
-- (scope "c:…") manage only site staff whose sites all lie in their counties,
-- and may give them only such sites.  staff_account is read at sign-in before
-- any scope is known, so it has no row-level security: every function below
-- decides with account_manageable().  Passwords and PINs are made and hashed
-- by the server and shown once; only their hashes reach this file's tables.
-- The audit triggers of 014/024/036 record every change (hashes hidden).

-- A lock set by staff lasts until staff lift it; the account then signs in
-- as if it did not exist (same answer, same time as a wrong password);
-- locking also ends its sessions (api_account_lock).
ALTER TABLE staff_account ADD COLUMN locked_at timestamptz;

CREATE OR REPLACE FUNCTION auth_login_begin(p_username text, p_addr text,
                                            OUT account_id bigint, OUT password_hash text,
                                            OUT wait_seconds integer)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    acc staff_account;
BEGIN
    SELECT coalesce(ceil(max(extract(epoch FROM (blocked_until - now())))), 0)::integer INTO wait_seconds
    FROM login_throttle WHERE key IN ('user:' || p_username, 'addr:' || p_addr) AND blocked_until > now();
    SELECT * INTO acc FROM staff_account WHERE username = p_username AND NOT archived
                                           AND locked_at IS NULL;
    IF FOUND THEN
        account_id := acc.id;
        password_hash := acc.password_hash;
        IF acc.locked_until > now() THEN
            wait_seconds := greatest(wait_seconds, ceil(extract(epoch FROM (acc.locked_until - now())))::integer);
        END IF;
    END IF;
END $$;

CREATE FUNCTION account_manageable(a staff_account) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN leye_scope() = '*' THEN true
        WHEN leye_scope() LIKE 'c:%' THEN
            a.role = 'site_staff' AND cardinality(a.site_ids) > 0
            AND NOT EXISTS (SELECT 1 FROM unnest(a.site_ids) s(id)
                            WHERE NOT EXISTS (SELECT 1 FROM site
                                              WHERE site.id = s.id
                                                AND site.county_code = ANY (leye_scope_ids('c'))))
        ELSE false END;
$$;

CREATE FUNCTION account_json(a staff_account) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'username', a.username, 'display_name', a.display_name, 'role', a.role,
        'county_codes', to_jsonb(a.county_codes), 'site_ids', to_jsonb(a.site_ids),
        'permissions', to_jsonb(a.permissions),
        'locked', a.locked_at IS NOT NULL OR coalesce(a.locked_until > now(), false),
        'locked_until', a.locked_until, 'locked_by_staff', a.locked_at IS NOT NULL,
        'locked_at', a.locked_at,
        'failed_logins', a.failed_logins, 'password_changed_at', a.password_changed_at,
        'last_sign_in_at', (SELECT max(l.at) FROM audit_log l
                            WHERE l.actor_kind = 'staff' AND l.actor_id = a.id
                              AND l.resource = 'session' AND l.action = 'login'),
        'archived', a.archived, 'version', a.version, 'created_at', a.created_at);
$$;

-- The account p_id, locked for update, if the caller may manage it (404 otherwise).
CREATE FUNCTION account_for_update(p_id bigint) RETURNS staff_account LANGUAGE plpgsql AS $$
DECLARE
    a staff_account;
BEGIN
    SELECT * INTO a FROM staff_account WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR NOT account_manageable(a) THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    RETURN a;
END $$;

CREATE FUNCTION api_account_get(p_id bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a staff_account;
BEGIN
    SELECT * INTO a FROM staff_account WHERE id = p_id;
    IF NOT FOUND OR NOT account_manageable(a) THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    status := 200;
    version := a.version;
    body := account_json(a);
END $$;

-- Filters: role, q (part of the username or display name), archived.  Sort: id, username.
CREATE FUNCTION api_account_list(f jsonb, cur jsonb, lim integer, sort text,
                                 OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := api_page_limit(lim);
    rows staff_account[];
    last staff_account;
BEGIN
    SELECT array_agg(a ORDER BY CASE WHEN sort = 'username' THEN a.username END, a.id) INTO rows
    FROM (SELECT * FROM staff_account a
          WHERE account_manageable(a)
            AND a.archived = coalesce((f ->> 'archived')::boolean, false)
            AND (f ->> 'role' IS NULL OR a.role = f ->> 'role')
            AND (f ->> 'q' IS NULL OR a.username LIKE '%' || api_like(f ->> 'q') || '%'
                 OR a.display_name LIKE '%' || api_like(f ->> 'q') || '%')
            AND (cur IS NULL OR CASE WHEN sort = 'username'
                                     THEN (a.username, a.id) > (cur ->> 'username', (cur ->> 'id')::bigint)
                                     ELSE a.id > (cur ->> 'id')::bigint END)
          ORDER BY CASE WHEN sort = 'username' THEN a.username END, a.id
          LIMIT n + 1) a;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(account_json(rows[i]) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', NULL);
    IF array_length(rows, 1) > n THEN
        last := rows[n];
        body := jsonb_set(body, '{next_cursor}', jsonb_build_object('id', last.id, 'username', last.username));
    END IF;
END $$;

-- Role, counties and sites of a new account, checked against the caller's scope.
CREATE FUNCTION account_check(a staff_account) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    IF leye_scope() <> '*' AND a.role <> 'site_staff' THEN
        PERFORM api_fail('LY422', 'role', 'outside_scope');
    END IF;
    IF a.role = 'county_staff' AND cardinality(a.county_codes) = 0 THEN
        PERFORM api_fail('LY422', 'county_codes', 'required');
    END IF;
    IF a.role = 'site_staff' AND cardinality(a.site_ids) = 0 THEN
        PERFORM api_fail('LY422', 'site_ids', 'required');
    END IF;
    IF a.role <> 'county_staff' AND cardinality(a.county_codes) > 0 THEN
        PERFORM api_fail('LY422', 'county_codes', 'not_allowed');
    END IF;
    IF a.role <> 'site_staff' AND cardinality(a.site_ids) > 0 THEN
        PERFORM api_fail('LY422', 'site_ids', 'not_allowed');
    END IF;
    SELECT c INTO bad FROM unnest(a.county_codes) c
    WHERE NOT EXISTS (SELECT 1 FROM region r WHERE r.code = c AND r.level = 'county') LIMIT 1;
    IF FOUND THEN
        PERFORM api_fail('LY422', 'county_codes', 'not_found');
    END IF;
    -- site is row-level secured: a site outside the caller's counties is not seen
    SELECT s INTO bad FROM unnest(a.site_ids) s
    WHERE NOT EXISTS (SELECT 1 FROM site WHERE site.id = s) LIMIT 1;
    IF FOUND THEN
        PERFORM api_fail('LY422', 'site_ids',
                         CASE WHEN leye_scope() = '*' THEN 'not_found' ELSE 'outside_scope' END);
    END IF;
    IF NOT account_manageable(a) THEN
        PERFORM api_fail('LY422', 'site_ids', 'outside_scope');
    END IF;
END $$;

-- POST /v1/accounts: p {username, display_name, role, county_codes, site_ids};
-- p_hash the Argon2id hash of the password the server made.
CREATE FUNCTION api_account_create(p jsonb, p_hash text, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a staff_account;
BEGIN
    a.username := p ->> 'username';
    a.display_name := coalesce(p ->> 'display_name', '');
    a.role := p ->> 'role';
    a.county_codes := coalesce(ARRAY(SELECT jsonb_array_elements_text(p -> 'county_codes')::integer), '{}');
    a.site_ids := coalesce(ARRAY(SELECT jsonb_array_elements_text(p -> 'site_ids')::bigint), '{}');
    IF a.username !~ '^[a-z0-9_.-]{3,40}$' THEN
        PERFORM api_fail('LY422', 'username', 'invalid_characters');
    END IF;
    PERFORM account_check(a);
    IF EXISTS (SELECT 1 FROM staff_account WHERE username = a.username) THEN
        PERFORM api_fail('LY409', 'username', 'duplicate');
    END IF;
    INSERT INTO staff_account (username, display_name, role, county_codes, site_ids, password_hash)
    VALUES (a.username, a.display_name, a.role, a.county_codes, a.site_ids, p_hash)
    RETURNING * INTO a;
    status := 201;
    version := a.version;
    body := account_json(a);
END $$;

-- POST /v1/accounts/{id}/password: a new password; every session of the account ends.
-- A lock set by staff stays; a lock after failed sign-ins ends.
CREATE FUNCTION api_account_password(p_id bigint, p_hash text, actor text,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a staff_account := account_for_update(p_id);
BEGIN
    UPDATE staff_account SET password_hash = p_hash, password_changed_at = now(), failed_logins = 0,
        locked_until = NULL,
        version = staff_account.version + 1
    WHERE id = a.id RETURNING * INTO a;
    UPDATE staff_session SET revoked_at = now() WHERE account_id = a.id AND revoked_at IS NULL;
    DELETE FROM login_throttle WHERE key = 'user:' || a.username;
    status := 200;
    version := a.version;
    body := account_json(a);
END $$;

-- POST /v1/accounts/{id}/lock and /unlock.  Locking ends every session; no
-- one locks their own account.
CREATE FUNCTION api_account_lock(p_id bigint, p_lock boolean, actor text,
                                 OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    a staff_account := account_for_update(p_id);
BEGIN
    IF p_lock AND a.username = actor THEN
        PERFORM api_fail('LY422', 'id', 'not_allowed');
    END IF;
    UPDATE staff_account SET
        locked_at = CASE WHEN p_lock THEN coalesce(locked_at, now()) END,
        locked_until = CASE WHEN p_lock THEN locked_until END,
        failed_logins = CASE WHEN p_lock THEN failed_logins ELSE 0 END,
        version = staff_account.version + 1
    WHERE id = a.id RETURNING * INTO a;
    IF p_lock THEN
        UPDATE staff_session SET revoked_at = now() WHERE account_id = a.id AND revoked_at IS NULL;
    ELSE
        DELETE FROM login_throttle WHERE key = 'user:' || a.username;
    END IF;
    status := 200;
    version := a.version;
    body := account_json(a);
END $$;

-- GET /v1/accounts/{id}/sign-ins: sign-ins and failed attempts, newest first,
-- from the audit log (at most 200 a page, before the cursor's id).
CREATE FUNCTION api_account_sign_ins(p_id bigint, p_limit integer, p_before bigint,
                                     OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    a staff_account;
    n integer := api_page_limit(p_limit);
    rows audit_log[];
BEGIN
    SELECT * INTO a FROM staff_account WHERE id = p_id;
    IF NOT FOUND OR NOT account_manageable(a) THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    SELECT array_agg(l ORDER BY l.id DESC) INTO rows
    FROM (SELECT * FROM audit_log l
          WHERE l.actor_kind = 'staff' AND l.actor_id = a.id AND l.resource = 'session'
            AND l.action IN ('login', 'login_failed')
            AND (p_before IS NULL OR l.id < p_before)
          ORDER BY l.id DESC LIMIT n + 1) l;
    rows := coalesce(rows, '{}');
    status := 200;
    body := jsonb_build_object(
        'items', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'at', rows[i].at, 'ok', rows[i].action = 'login',
                                   'peer', rows[i].peer) ORDER BY i)
                           FROM generate_subscripts(rows, 1) i WHERE i <= n), '[]'),
        'next_cursor', CASE WHEN array_length(rows, 1) > n THEN rows[n].id::text END);
END $$;

-- POST /v1/brokers: p {name, contact_name}.
CREATE FUNCTION api_broker_create(p jsonb, actor text,
                                  OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    b broker;
BEGIN
    IF EXISTS (SELECT 1 FROM broker WHERE name = p ->> 'name') THEN
        PERFORM api_fail('LY409', 'name', 'duplicate');
    END IF;
    INSERT INTO broker (name, contact_name)
    VALUES (p ->> 'name', coalesce(p ->> 'contact_name', '')) RETURNING * INTO b;
    status := 201;
    version := b.version;
    body := broker_json(b);
END $$;

CREATE FUNCTION broker_key_json(k broker_key) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', k.id, 'broker_id', k.broker_id, 'prefix', k.prefix, 'scopes', to_jsonb(k.scopes),
        'rate_per_minute', k.rate_per_minute, 'created_at', k.created_at,
        'revoked_at', k.revoked_at, 'last_used_at', k.last_used_at);
$$;

-- POST /v1/brokers/{id}/keys: p {scopes, rate_per_minute}; p_hash the key's
-- BLAKE2b hash, p_prefix its first characters.  The key itself is not stored.
CREATE FUNCTION api_broker_key_create(p_broker bigint, p jsonb, p_hash bytea, p_prefix text, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    b broker;
    k broker_key;
BEGIN
    SELECT * INTO b FROM broker WHERE id = p_broker FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    ELSIF b.archived THEN
        PERFORM api_fail('LY409', 'broker_id', 'archived');
    END IF;
    INSERT INTO broker_key (broker_id, key_hash, prefix, scopes, rate_per_minute)
    VALUES (b.id, p_hash, p_prefix, ARRAY(SELECT jsonb_array_elements_text(p -> 'scopes')),
            coalesce((p ->> 'rate_per_minute')::integer, 120))
    RETURNING * INTO k;
    status := 201;
    body := broker_key_json(k);
END $$;

CREATE FUNCTION api_broker_key_list(p_broker bigint, OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM broker WHERE id = p_broker) THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    status := 200;
    body := jsonb_build_object('items', coalesce((SELECT jsonb_agg(broker_key_json(k) ORDER BY k.id DESC)
                                                  FROM broker_key k WHERE k.broker_id = p_broker), '[]'));
END $$;

-- POST /v1/brokers/{id}/keys/{key}/revoke: at once; revoking twice keeps the first time.
CREATE FUNCTION api_broker_key_revoke(p_broker bigint, p_key bigint, actor text,
                                      OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    k broker_key;
BEGIN
    UPDATE broker_key SET revoked_at = coalesce(revoked_at, now())
    WHERE id = p_key AND broker_id = p_broker RETURNING * INTO k;
    IF NOT FOUND THEN
        PERFORM api_fail('LY404', 'id', 'not_found');
    END IF;
    status := 200;
    body := broker_key_json(k);
END $$;

-- Vacancies: the street address of the workplace, beside its point (lat, lon).
ALTER TABLE vacancy ADD COLUMN address text NOT NULL DEFAULT '' CHECK (length(address) <= 200);

CREATE OR REPLACE FUNCTION vacancy_json(v vacancy) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', v.id, 'employer_id', v.employer_id,
        'employer_name', (SELECT name FROM employer WHERE id = v.employer_id),
        'project_id', v.project_id,
        'project_name', (SELECT name FROM work_relief_project WHERE id = v.project_id),
        'title', v.title, 'description', v.description, 'occupation_code', v.occupation_code,
        'occupation_name', (SELECT name FROM occupation WHERE code = v.occupation_code),
        'kind', v.kind, 'county_code', v.county_code,
        'county_name', (SELECT name FROM region WHERE code = v.county_code),
        'address', v.address,
        'lat', v.lat, 'lon', v.lon, 'dest_province_code', v.dest_province_code,
        'dest_province_name', (SELECT name FROM province WHERE code = v.dest_province_code),
        'dest_city', v.dest_city, 'headcount', v.headcount, 'filled', v.filled,
        'open_places', v.headcount - v.filled,
        'wage_min', v.wage_min, 'wage_max', v.wage_max, 'wage_period', v.wage_period,
        'age_min', v.age_min, 'age_max', v.age_max,
        'accommodation', v.accommodation, 'transport', v.transport,
        'start_date', v.start_date, 'end_date', v.end_date, 'status', v.status,
        'required_skills', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                         'skill_id', s.skill_id, 'name', k.name_zh, 'name_en', k.name_en,
                                         'min_level', s.min_level, 'weight', s.weight,
                                         'must_have', s.must_have) ORDER BY s.skill_id)
                                     FROM vacancy_skill s JOIN skill k ON k.id = s.skill_id
                                     WHERE s.vacancy_id = v.id), '[]'),
        'required_certificates', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                               'certificate_type_id', c.certificate_type_id,
                                               'name', t.name_zh, 'name_en', t.name_en)
                                               ORDER BY c.certificate_type_id)
                                           FROM vacancy_certificate c
                                           JOIN certificate_type t ON t.id = c.certificate_type_id
                                           WHERE c.vacancy_id = v.id), '[]'),
        'archived', v.archived, 'version', v.version,
        'created_at', v.created_at, 'updated_at', v.updated_at);
$$;

-- The create and update functions of 009 list their columns: the address is
-- written here, in the same statement's transaction, after them.
CREATE FUNCTION vacancy_set_address(p_id bigint, p jsonb) RETURNS vacancy LANGUAGE plpgsql AS $$
DECLARE
    v vacancy;
BEGIN
    IF p ? 'address' THEN
        UPDATE vacancy SET address = coalesce(p ->> 'address', '') WHERE id = p_id
        AND address IS DISTINCT FROM coalesce(p ->> 'address', '');
    END IF;
    SELECT * INTO v FROM vacancy WHERE id = p_id;
    RETURN v;
END $$;

ALTER FUNCTION api_vacancy_create(jsonb, text) RENAME TO vacancy_create_core;
ALTER FUNCTION api_vacancy_update(bigint, integer, jsonb, text) RENAME TO vacancy_update_core;

CREATE FUNCTION api_vacancy_create(p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c record := vacancy_create_core(p - 'address', actor);
    v vacancy;
BEGIN
    status := c.status;
    version := c.version;
    body := c.body;
    IF p ? 'address' THEN
        v := vacancy_set_address((c.body ->> 'id')::bigint, p);
        body := vacancy_json(v);
    END IF;
END $$;

CREATE FUNCTION api_vacancy_update(p_id bigint, p_version integer, p jsonb, actor text,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c record;
    v vacancy;
BEGIN
    IF p - 'address' = '{}'::jsonb THEN
        -- only the address: the same checks of existence and version as any update
        SELECT * INTO v FROM vacancy WHERE id = p_id FOR UPDATE;
        IF NOT FOUND THEN
            PERFORM api_fail('LY404', '', 'not_found');
        ELSIF p_version IS NOT NULL AND v.version <> p_version THEN
            PERFORM api_fail('LY412', '', 'stale');
        END IF;
        UPDATE vacancy SET version = vacancy.version + 1, updated_at = now() WHERE id = p_id;
    ELSE
        c := vacancy_update_core(p_id, p_version, p - 'address', actor);
    END IF;
    v := vacancy_set_address(p_id, p);
    status := 200;
    version := v.version;
    body := vacancy_json(v);
END $$;

-- Great-circle distance in km between two points (haversine).
CREATE FUNCTION place_km(lat1 double precision, lon1 double precision,
                         lat2 double precision, lon2 double precision)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 2 * 6371.0 * asin(least(1, sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2))));
$$;

-- GET /v1/places/nearest?lat=&lon=: the resettlement sites (in the caller's
-- scope) and county seats nearest a point, with the distance in km, so that
-- whoever places a vacancy sees at once whether the point is where they meant.
CREATE FUNCTION api_places_nearest(p_lat double precision, p_lon double precision, p_limit integer,
                                   OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    n integer := least(greatest(coalesce(p_limit, 5), 1), 20);
BEGIN
    status := 200;
    body := jsonb_build_object(
        'sites', coalesce((SELECT jsonb_agg(x ORDER BY (x ->> 'km')::numeric) FROM (
            SELECT jsonb_build_object('id', s.id, 'name', s.name, 'county_code', s.county_code,
                                      'lat', s.lat, 'lon', s.lon,
                                      'km', round(place_km(p_lat, p_lon, s.lat, s.lon)::numeric, 1)) x
            FROM site s WHERE NOT s.archived AND s.lat IS NOT NULL AND s.lon IS NOT NULL
            ORDER BY place_km(p_lat, p_lon, s.lat, s.lon), s.id LIMIT n) t), '[]'),
        'counties', coalesce((SELECT jsonb_agg(x ORDER BY (x ->> 'km')::numeric) FROM (
            SELECT jsonb_build_object('code', r.code, 'name', r.name, 'lat', r.lat, 'lon', r.lon,
                                      'km', round(place_km(p_lat, p_lon, r.lat, r.lon)::numeric, 1)) x
            FROM region r WHERE r.level = 'county'
            ORDER BY place_km(p_lat, p_lon, r.lat, r.lon), r.code LIMIT n) t), '[]'));
END $$;

-- Kiosk: a job seeker's quiet hours (no messages between quiet_from and
-- quiet_to, local time), kept with their other preferences.
ALTER TABLE worker ADD COLUMN IF NOT EXISTS quiet_from time;
ALTER TABLE worker ADD COLUMN IF NOT EXISTS quiet_to time;

-- The kiosk profile carries the quiet hours among the preferences.
ALTER FUNCTION api_kiosk_me() RENAME TO kiosk_me_core;
CREATE FUNCTION api_kiosk_me(OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c record := kiosk_me_core();
    w worker := kiosk_worker();
BEGIN
    status := c.status;
    version := c.version;
    body := jsonb_set(c.body, '{preferences}', (c.body -> 'preferences')
                      || jsonb_build_object('quiet_from', to_char(w.quiet_from, 'HH24:MI'),
                                            'quiet_to', to_char(w.quiet_to, 'HH24:MI')))
            || jsonb_build_object('version', c.version);
END $$;

-- Kiosk cards and slips name the workplace apart from the employer's office
-- and the home county: 'workplace' (the vacancy's street address),
-- 'employer_address', and for work away from home 'dest_province_name'.
ALTER FUNCTION match_vacancy_cards(bigint[]) RENAME TO match_vacancy_cards_core;
CREATE FUNCTION match_vacancy_cards(p_ids bigint[]) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(c.key, c.value || coalesce(
               (SELECT jsonb_build_object('workplace', v.address, 'employer_address', e.address,
                                          'dest_province_name', p.name)
                FROM vacancy v JOIN employer e ON e.id = v.employer_id
                LEFT JOIN province p ON p.code = v.dest_province_code
                WHERE v.id = c.key::bigint), '{}')), '{}')
    FROM jsonb_each(match_vacancy_cards_core(p_ids)) c;
$$;

ALTER FUNCTION api_kiosk_application_slip(bigint) RENAME TO kiosk_slip_core;
CREATE FUNCTION api_kiosk_application_slip(p_id bigint, OUT status integer, OUT version integer,
                                           OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    c record := kiosk_slip_core(p_id);
BEGIN
    status := c.status;
    version := c.version;
    SELECT jsonb_set(jsonb_set(c.body, '{vacancy}', (c.body -> 'vacancy') || jsonb_build_object(
                         'workplace', v.address, 'dest_province_name', p.name)),
                     '{employer,office_address}', to_jsonb(e.address))
    INTO body
    FROM vacancy v JOIN employer e ON e.id = v.employer_id
    LEFT JOIN province p ON p.code = v.dest_province_code
    WHERE v.id = (c.body #>> '{vacancy,id}')::bigint;
END $$;

-- PATCH /v1/kiosk/me/preferences: the signed-in seeker changes their own
-- kinds of work, wage floor, how far they will travel daily, whether they
-- would go out of the province, and their quiet hours.  p_version is the
-- profile's version (If-Match).
CREATE FUNCTION api_kiosk_preferences_update(p_version integer, p jsonb, actor text,
                                             OUT status integer, OUT version integer, OUT body jsonb)
LANGUAGE plpgsql AS $$
DECLARE
    w worker := kiosk_worker();
    me record;
BEGIN
    PERFORM 1 FROM worker WHERE id = w.id FOR UPDATE;
    IF p_version IS NOT NULL AND w.version <> p_version THEN
        PERFORM api_fail('LY412', '', 'stale');
    END IF;
    IF (p ? 'quiet_from') <> (p ? 'quiet_to') THEN
        PERFORM api_fail('LY422', CASE WHEN p ? 'quiet_from' THEN 'quiet_to' ELSE 'quiet_from' END,
                         'required');
    END IF;
    UPDATE worker SET
        job_kinds_wanted = CASE WHEN p ? 'job_kinds_wanted'
                                THEN ARRAY(SELECT jsonb_array_elements_text(p -> 'job_kinds_wanted'))
                                ELSE job_kinds_wanted END,
        wage_floor = coalesce((p ->> 'wage_floor')::integer, wage_floor),
        max_commute_km = coalesce((p ->> 'max_commute_km')::integer, max_commute_km),
        willing_outside_province = coalesce((p ->> 'willing_outside_province')::boolean,
                                            willing_outside_province),
        quiet_from = CASE WHEN p ? 'quiet_from' THEN (p ->> 'quiet_from')::time ELSE quiet_from END,
        quiet_to = CASE WHEN p ? 'quiet_to' THEN (p ->> 'quiet_to')::time ELSE quiet_to END,
        version = worker.version + 1, updated_at = now()
    WHERE id = w.id;
    me := api_kiosk_me();
    status := 200;
    version := me.version;
    body := me.body;
END $$;
