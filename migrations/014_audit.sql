-- 014_audit: every write made for a caller leaves an audit row: who (from
-- leye.actor, set by the server per request together with leye.scope), what,
-- which record, when, from which address, and the request id.  Field names are
-- recorded, never their values (they may be personal data).

CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a jsonb := nullif(current_setting('leye.actor', true), '')::jsonb;
    r jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
    changed text[];
BEGIN
    IF a IS NULL THEN
        RETURN NULL; -- the server's own work, migrations and command-line tools
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(n.key ORDER BY n.key) INTO changed
        FROM jsonb_each(r) n JOIN jsonb_each(to_jsonb(OLD)) o USING (key)
        WHERE n.value IS DISTINCT FROM o.value AND n.key NOT IN ('version', 'updated_at');
        IF changed IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, resource, resource_id, peer,
                           request_id, detail)
    VALUES (a ->> 'kind', (a ->> 'id')::bigint, coalesce(a ->> 'name', ''), lower(TG_OP), TG_TABLE_NAME,
            coalesce(r ->> 'id', r ->> 'worker_id', r ->> 'vacancy_id', r ->> 'application_id',
                     r ->> 'placement_id', ''),
            coalesce(a ->> 'peer', ''), coalesce(a ->> 'request_id', ''),
            CASE WHEN changed IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('fields', to_jsonb(changed)) END);
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['site', 'household', 'worker', 'worker_skill', 'worker_training',
                             'worker_certificate', 'worker_consent_event', 'employer', 'vacancy',
                             'vacancy_skill', 'vacancy_certificate', 'work_relief_project',
                             'remuneration_payment', 'application', 'placement', 'followup',
                             'early_warning_task', 'staff_account', 'broker', 'broker_key',
                             'worker_pin', 'skill', 'certificate_type'] LOOP
        EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION audit_row()', t);
    END LOOP;
END $$;
