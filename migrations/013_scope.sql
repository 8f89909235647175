-- 013_scope: object-level access in the database itself.
--
-- The server sets leye.scope for every request (pgpool_query_scoped):
--   "*"            everything (province staff; the server's own work)
--   "c:530621,…"   county staff: records in those counties
--   "s:3,7"        site staff: records of those resettlement sites
--   "k:<worker>"   a job seeker at a kiosk: their own records
--   "b:<broker>"   a labour broker: workers who consented to brokers
--   "none"         nothing
-- Unset (command-line tools, migrations) counts as "*".  Rows outside the
-- scope are invisible, so asking for them answers 404 and lists leave them
-- out; writing them fails.

CREATE FUNCTION leye_scope() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('leye.scope', true), ''), '*');
$$;

CREATE FUNCTION leye_scope_ids(prefix text) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN leye_scope() LIKE prefix || ':%'
                THEN string_to_array(substr(leye_scope(), length(prefix) + 2), ',')::bigint[]
                ELSE '{}'::bigint[] END;
$$;

-- A place (site and its county) is visible to the caller.
CREATE FUNCTION leye_place_ok(p_site bigint, p_county integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN leye_scope() = '*' THEN true
        WHEN leye_scope() LIKE 'c:%' THEN p_county = ANY (leye_scope_ids('c'))
        WHEN leye_scope() LIKE 's:%' THEN p_site = ANY (leye_scope_ids('s'))
        ELSE false END;
$$;

-- A county-level record (vacancy, employer, project) is visible: staff see
-- their counties (site staff: the counties of their sites); kiosks and
-- brokers see all of them (what is open is decided by the query).
CREATE FUNCTION leye_county_ok(p_county integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN leye_scope() = '*' OR leye_scope() LIKE 'k:%' OR leye_scope() LIKE 'b:%' THEN true
        WHEN leye_scope() LIKE 'c:%' THEN p_county = ANY (leye_scope_ids('c'))
        WHEN leye_scope() LIKE 's:%' THEN p_county IN (SELECT county_code FROM site
                                                      WHERE id = ANY (leye_scope_ids('s')))
        ELSE false END;
$$;

-- A county-level record may be changed: kiosks and brokers change none.
CREATE FUNCTION leye_county_write_ok(p_county integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT leye_scope() NOT LIKE 'k:%' AND leye_scope() NOT LIKE 'b:%' AND leye_county_ok(p_county);
$$;

ALTER TABLE site ENABLE ROW LEVEL SECURITY;
ALTER TABLE site FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON site USING (leye_place_ok(id, county_code));

ALTER TABLE household ENABLE ROW LEVEL SECURITY;
ALTER TABLE household FORCE ROW LEVEL SECURITY;
-- Kiosks and brokers never read households (the worker policy below refers
-- to household, so this one may not refer to worker).
CREATE POLICY scope ON household USING (
    leye_scope() = '*' OR EXISTS (SELECT 1 FROM site s WHERE s.id = household.site_id));

ALTER TABLE worker ENABLE ROW LEVEL SECURITY;
ALTER TABLE worker FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON worker USING (
    CASE
        WHEN leye_scope() = '*' THEN true
        WHEN leye_scope() LIKE 'k:%' THEN id = ANY (leye_scope_ids('k'))
        WHEN leye_scope() LIKE 'b:%' THEN consent_brokers AND NOT archived
        ELSE EXISTS (SELECT 1 FROM household h WHERE h.id = worker.household_id)
    END);

ALTER TABLE worker_skill ENABLE ROW LEVEL SECURITY;
ALTER TABLE worker_skill FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON worker_skill USING (EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));
ALTER TABLE worker_training ENABLE ROW LEVEL SECURITY;
ALTER TABLE worker_training FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON worker_training USING (EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));
ALTER TABLE worker_certificate ENABLE ROW LEVEL SECURITY;
ALTER TABLE worker_certificate FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON worker_certificate USING (EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));
ALTER TABLE worker_consent_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE worker_consent_event FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON worker_consent_event USING (EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));

ALTER TABLE employer ENABLE ROW LEVEL SECURITY;
ALTER TABLE employer FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON employer FOR SELECT USING (leye_county_ok(county_code));
CREATE POLICY scope_insert ON employer FOR INSERT WITH CHECK (leye_county_write_ok(county_code));
CREATE POLICY scope_update ON employer FOR UPDATE USING (leye_county_write_ok(county_code));

ALTER TABLE work_relief_project ENABLE ROW LEVEL SECURITY;
ALTER TABLE work_relief_project FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON work_relief_project FOR SELECT USING (leye_county_ok(county_code));
CREATE POLICY scope_insert ON work_relief_project FOR INSERT WITH CHECK (leye_county_write_ok(county_code));
CREATE POLICY scope_update ON work_relief_project FOR UPDATE USING (leye_county_write_ok(county_code));

-- Hiring changes a vacancy's filled count whoever the vacancy belongs to, so
-- updates follow the reading rule; creating one needs write scope.
ALTER TABLE vacancy ENABLE ROW LEVEL SECURITY;
ALTER TABLE vacancy FORCE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON vacancy FOR SELECT USING (leye_county_ok(county_code));
CREATE POLICY scope_insert ON vacancy FOR INSERT WITH CHECK (leye_county_write_ok(county_code));
CREATE POLICY scope_update ON vacancy FOR UPDATE USING (leye_county_ok(county_code));

ALTER TABLE application ENABLE ROW LEVEL SECURITY;
ALTER TABLE application FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON application USING (EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));
ALTER TABLE application_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE application_event FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON application_event USING (EXISTS (SELECT 1 FROM application a WHERE a.id = application_id));
ALTER TABLE placement ENABLE ROW LEVEL SECURITY;
ALTER TABLE placement FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON placement USING (EXISTS (SELECT 1 FROM worker w WHERE w.id = worker_id));
ALTER TABLE followup ENABLE ROW LEVEL SECURITY;
ALTER TABLE followup FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON followup USING (EXISTS (SELECT 1 FROM placement p WHERE p.id = placement_id));
ALTER TABLE early_warning_task ENABLE ROW LEVEL SECURITY;
ALTER TABLE early_warning_task FORCE ROW LEVEL SECURITY;
CREATE POLICY scope ON early_warning_task USING (EXISTS (SELECT 1 FROM household h WHERE h.id = household_id));
