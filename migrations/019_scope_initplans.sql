-- 019_scope_initplans: the row-level security policies read the caller's
-- scope through scalar subqueries, which PostgreSQL evaluates once per query
-- (an InitPlan) instead of once per row.

CREATE OR REPLACE FUNCTION leye_place_ok(p_site bigint, p_county integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN (SELECT leye_scope()) = '*' THEN true
        WHEN (SELECT leye_scope()) LIKE 'c:%' THEN p_county = ANY ((SELECT leye_scope_ids('c'))::bigint[])
        WHEN (SELECT leye_scope()) LIKE 's:%' THEN p_site = ANY ((SELECT leye_scope_ids('s'))::bigint[])
        ELSE false END;
$$;

CREATE OR REPLACE FUNCTION leye_county_ok(p_county integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN (SELECT leye_scope()) = '*' OR (SELECT leye_scope()) LIKE 'k:%'
             OR (SELECT leye_scope()) LIKE 'b:%' THEN true
        WHEN (SELECT leye_scope()) LIKE 'c:%' THEN p_county = ANY ((SELECT leye_scope_ids('c'))::bigint[])
        WHEN (SELECT leye_scope()) LIKE 's:%' THEN p_county IN (SELECT county_code FROM site
                                                               WHERE id = ANY ((SELECT leye_scope_ids('s'))::bigint[]))
        ELSE false END;
$$;

DROP POLICY scope ON household;
CREATE POLICY scope ON household USING (
    (SELECT leye_scope()) = '*' OR EXISTS (SELECT 1 FROM site s WHERE s.id = household.site_id));

DROP POLICY scope ON worker;
CREATE POLICY scope ON worker USING (
    CASE
        WHEN (SELECT leye_scope()) = '*' THEN true
        WHEN (SELECT leye_scope()) LIKE 'k:%' THEN id = ANY ((SELECT leye_scope_ids('k'))::bigint[])
        WHEN (SELECT leye_scope()) LIKE 'b:%' THEN consent_brokers AND NOT archived
        ELSE EXISTS (SELECT 1 FROM household h WHERE h.id = worker.household_id)
    END);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['worker_skill', 'worker_training', 'worker_certificate',
                             'worker_consent_event', 'application', 'placement'] LOOP
        EXECUTE format('DROP POLICY scope ON %I', t);
        EXECUTE format('CREATE POLICY scope ON %I USING ((SELECT leye_scope()) = ''*'' '
                       'OR EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id))', t);
    END LOOP;
END $$;

DROP POLICY scope ON application_event;
CREATE POLICY scope ON application_event USING (
    (SELECT leye_scope()) = '*' OR EXISTS (SELECT 1 FROM application a WHERE a.id = application_id));
DROP POLICY scope ON followup;
CREATE POLICY scope ON followup USING (
    (SELECT leye_scope()) = '*' OR EXISTS (SELECT 1 FROM placement p WHERE p.id = placement_id));
DROP POLICY scope ON early_warning_task;
CREATE POLICY scope ON early_warning_task USING (
    (SELECT leye_scope()) = '*' OR EXISTS (SELECT 1 FROM household h WHERE h.id = household_id));
