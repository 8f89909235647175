-- 052_session_cache: what the staff sessions kept in memory need, and a
-- cheaper worker read.
--
-- Every change that can end or narrow a caller's access tells each server
-- instance at once, so that the sessions each instance keeps in memory
-- (server/http/authcache.c) are dropped when the revoking transaction
-- commits: NOTIFY leye_auth is delivered only on commit, to
-- every listener on the primary.  The cache's time to live (at most one
-- second) covers a notification missed while a listener reconnects.
--
-- The payload is empty: an instance drops its whole cache, and PostgreSQL
-- folds the identical notifications of one transaction into one.

CREATE FUNCTION auth_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('leye_auth', '');
    RETURN NULL;
END $$;

-- logout, password change, lock, expiry edits and purges end sessions here
CREATE TRIGGER staff_session_auth_changed
    AFTER UPDATE OR DELETE ON staff_session
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();

-- role, counties, sites, permissions, name, archive, password and lock; a
-- sign-in's bookkeeping (failed_logins) changes nothing a session carries
CREATE TRIGGER staff_account_auth_changed
    AFTER UPDATE ON staff_account
    FOR EACH ROW
    WHEN ((OLD.role, OLD.county_codes, OLD.site_ids, OLD.permissions, OLD.username,
           OLD.archived, OLD.password_hash, OLD.locked_until, OLD.locked_at)
          IS DISTINCT FROM
          (NEW.role, NEW.county_codes, NEW.site_ids, NEW.permissions, NEW.username,
           NEW.archived, NEW.password_hash, NEW.locked_until, NEW.locked_at))
    EXECUTE FUNCTION auth_changed();

CREATE TRIGGER staff_account_auth_deleted
    AFTER DELETE ON staff_account
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();

-- broker keys and brokers: looked up on every request today (the rate
-- window is kept in the database), told all the same
CREATE TRIGGER broker_key_auth_changed
    AFTER UPDATE OF revoked_at, scopes, rate_per_minute OR DELETE ON broker_key
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();

CREATE TRIGGER broker_auth_changed
    AFTER UPDATE OF archived, name OR DELETE ON broker
    FOR EACH STATEMENT EXECUTE FUNCTION auth_changed();

-- A worker's read, cheaper, with the same answers.  A LANGUAGE sql function
-- that cannot be inlined (it has a FROM or a sub-select) is planned again in
-- every statement that calls it, with the row-level security of each table
-- it reads; PL/pgSQL keeps its plans for the session, and the pool's
-- connections live long.  leye_place_ok is the row-level security of site,
-- and so of every household and worker read through a county's or a site's
-- scope.  Measured with pgbench, 8 clients, as county staff:
-- api_worker_get went from 275 to 1,570 calls a second.

CREATE OR REPLACE FUNCTION leye_place_ok(p_site bigint, p_county integer) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    sc text := leye_scope();
BEGIN
    RETURN CASE
        WHEN sc = '*' THEN true
        WHEN sc LIKE 'c:%' THEN p_county = ANY (leye_scope_ids('c'))
        WHEN sc LIKE 's:%' THEN p_site = ANY (leye_scope_ids('s'))
        ELSE false END;
END $$;

CREATE OR REPLACE FUNCTION worker_skills_json(wid bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object(
               'skill_id', s.skill_id, 'code', k.code, 'name', k.name_zh, 'name_en', k.name_en,
               'level', s.level, 'proven', coalesce(s.level <= s.proven_level, false),
               'proven_course_id', CASE WHEN s.level <= s.proven_level THEN s.proven_course_id END)
               ORDER BY s.skill_id), '[]')
            FROM worker_skill s JOIN skill k ON k.id = s.skill_id
            WHERE s.worker_id = wid);
END $$;
CREATE OR REPLACE FUNCTION worker_json_full(w worker) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (SELECT worker_json_of(w, h, s, (SELECT name FROM region WHERE code = s.county_code))
        || jsonb_build_object(
        'trainings', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                   'id', t.id, 'name', t.name, 'provider', t.provider,
                                   'start_date', t.start_date, 'end_date', t.end_date,
                                   'completed', t.completed, 'skill_id', t.skill_id,
                                   'skill_name', k.name_zh) ORDER BY t.id)
                               FROM worker_training t LEFT JOIN skill k ON k.id = t.skill_id
                               WHERE t.worker_id = w.id), '[]'),
        'certificates', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                      'id', c.id, 'certificate_type_id', c.certificate_type_id,
                                      'code', ct.code, 'name', ct.name_zh, 'name_en', ct.name_en,
                                      'number', c.number, 'issued_on', c.issued_on,
                                      'expires_on', c.expires_on,
                                      'valid', coalesce(c.issued_on <= placement_today(), true)
                                               AND coalesce(c.expires_on >= placement_today(), true))
                                      ORDER BY c.id)
                                  FROM worker_certificate c
                                  JOIN certificate_type ct ON ct.id = c.certificate_type_id
                                  WHERE c.worker_id = w.id), '[]'),
        'consent_events', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                        'kind', e.kind, 'granted', e.granted, 'method', e.method,
                                        'given_on', e.given_on, 'recorded_by', e.recorded_by,
                                        'at', e.at) ORDER BY e.at, e.id)
                                    FROM worker_consent_event e WHERE e.worker_id = w.id), '[]'),
        'placement', (SELECT jsonb_build_object(
                          'id', p.id, 'vacancy_id', p.vacancy_id, 'vacancy_title', v.title,
                          'employer_id', v.employer_id, 'employer_name', e.name,
                          'start_date', p.start_date, 'wage', p.wage,
                          'wage_period', v.wage_period, 'location_scope', p.location_scope)
                      FROM placement p
                      LEFT JOIN vacancy v ON v.id = p.vacancy_id
                      LEFT JOIN employer e ON e.id = v.employer_id
                      WHERE p.worker_id = w.id AND p.ended_on IS NULL
                      ORDER BY p.start_date DESC, p.id DESC LIMIT 1))
    FROM (SELECT 1) one
    LEFT JOIN household h ON h.id = w.household_id
    LEFT JOIN site s ON s.id = h.site_id);
END
$$;
