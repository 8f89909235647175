-- 011_match_notify: every server instance keeps its matching index in step
-- with the database through LISTEN leye_match.  Payloads name what changed:
--   w:<worker id>, v:<vacancy id>, h:<household id>
-- (a household's change of employment or monitoring moves all its workers'
-- policy priority).  NOTIFY is transactional: listeners hear only commits.

CREATE FUNCTION match_notify_worker() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leye_match', 'w:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.worker_id ELSE NEW.worker_id END);
    RETURN NULL;
END $$;

CREATE FUNCTION match_notify_worker_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leye_match', 'w:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END $$;

CREATE FUNCTION match_notify_vacancy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leye_match', 'v:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.vacancy_id ELSE NEW.vacancy_id END);
    RETURN NULL;
END $$;

CREATE FUNCTION match_notify_vacancy_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('leye_match', 'v:' || CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
END $$;

CREATE FUNCTION match_notify_household() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.zero_employment, NEW.monitoring_status, NEW.site_id, NEW.archived)
       IS DISTINCT FROM (OLD.zero_employment, OLD.monitoring_status, OLD.site_id, OLD.archived) THEN
        PERFORM pg_notify('leye_match', 'h:' || NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OR DELETE ON worker
    FOR EACH ROW EXECUTE FUNCTION match_notify_worker_row();
CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OR DELETE ON worker_skill
    FOR EACH ROW EXECUTE FUNCTION match_notify_worker();
CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OR DELETE ON worker_certificate
    FOR EACH ROW EXECUTE FUNCTION match_notify_worker();
CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OR DELETE ON vacancy
    FOR EACH ROW EXECUTE FUNCTION match_notify_vacancy_row();
CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OR DELETE ON vacancy_skill
    FOR EACH ROW EXECUTE FUNCTION match_notify_vacancy();
CREATE TRIGGER match_notify AFTER INSERT OR UPDATE OR DELETE ON vacancy_certificate
    FOR EACH ROW EXECUTE FUNCTION match_notify_vacancy();
CREATE TRIGGER match_notify AFTER UPDATE ON household
    FOR EACH ROW EXECUTE FUNCTION match_notify_household();
