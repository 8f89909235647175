-- 059_import_speed: less work per row when a CSV import creates workers.
-- Measured on make bench-import (100,000 new workers in 40,000 households,
-- auto_explain with nested statements, perf on the backend): of about 9 s
-- in import_workers, the audit of the new workers took 2.3 s, the foreign
-- key checks (one query per row of worker, worker_skill,
-- worker_consent_event and worker_history: 470,000) about 1.7 s, the
-- household recount 0.7 s and the history rows 0.8 s.

-- A new worker adds to its household's counts: sum what the statement
-- created per household and add it, instead of counting every worker of
-- those households again through worker_household (the counts are kept by
-- these triggers, so adding gives the same numbers; a household none of
-- whose new workers count is not touched, as before).
CREATE OR REPLACE FUNCTION worker_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('leye.audit_derived', 'on', true);
    -- planned for each statement (EXECUTE): one worker or a whole import
    EXECUTE 'UPDATE household h '
            'SET labor_count = h.labor_count + s.labor, employed_count = h.employed_count + s.employed '
            'FROM (SELECT n.household_id, '
            '             count(*) FILTER (WHERE n.employment_status <> ''not_seeking'' '
            '                              AND NOT n.archived) AS labor, '
            '             count(*) FILTER (WHERE n.employment_status LIKE ''employed%'' '
            '                              AND NOT n.archived) AS employed '
            '      FROM new_rows n GROUP BY n.household_id) s '
            'WHERE h.id = s.household_id AND (s.labor > 0 OR s.employed > 0)';
    PERFORM set_config('leye.audit_derived', '', true);
    RETURN NULL;
END $$;

-- The open history row of a worker or household is found through the
-- primary key (worker_id, valid_from) / (household_id, valid_from): one
-- entity has a handful of history rows, so the partial indexes on
-- valid_to IS NULL only cost an index entry for every row written.
DROP INDEX worker_history_open;
DROP INDEX household_history_open;

-- The counts of a household change as soon as its workers are imported,
-- usually in the next file: room on the page lets that update stay a HOT
-- update (no new entry in each of the household indexes) whenever
-- zero_employment, the only indexed value the counts feed, stays the same.
-- Households are few next to workers (one to about 2.5), so the room costs
-- little; pages written before this migration keep theirs as they are.
ALTER TABLE household SET (fillfactor = 50);

-- The worker named by a skill, consent event or history row is checked once
-- per statement instead of by a foreign key, which runs one query per row
-- (an import of 100,000 workers writes about 370,000 such rows; the checks
-- were a fifth of the import's database time).  As the foreign key did, the
-- check sees every worker whatever the caller's scope, holds the workers it
-- found against a concurrent delete until the end of the transaction (FOR
-- KEY SHARE), and fails with foreign_key_violation under the constraint's
-- old name.  TG_ARGV[0] is that name.
CREATE FUNCTION worker_child_known() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('leye.scope', true);
    wanted bigint;
    found bigint;
    ours bigint;
    bad bigint;
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    -- planned for each statement (EXECUTE): one row or a whole import
    EXECUTE 'SELECT count(DISTINCT worker_id) FROM new_rows' INTO wanted;
    -- a worker this transaction wrote itself (an import's new workers) is
    -- beyond the reach of other transactions already: only the others are
    -- locked
    EXECUTE 'SELECT count(*), count(*) FILTER (WHERE w.xmin = xid(pg_current_xact_id())) '
            'FROM worker w WHERE w.id IN (SELECT n.worker_id FROM new_rows n)'
    INTO found, ours;
    IF found > ours THEN
        EXECUTE 'SELECT count(*) FROM (SELECT 1 FROM worker w '
                '                      WHERE w.id IN (SELECT n.worker_id FROM new_rows n) '
                '                        AND w.xmin <> xid(pg_current_xact_id()) '
                '                      FOR KEY SHARE OF w) held'
        INTO found;
        found := found + ours; -- less when one was deleted meanwhile
    END IF;
    IF found < wanted THEN
        EXECUTE 'SELECT n.worker_id FROM new_rows n '
                'WHERE NOT EXISTS (SELECT 1 FROM worker w WHERE w.id = n.worker_id) LIMIT 1'
        INTO bad;
    END IF;
    PERFORM set_config('leye.scope', coalesce(caller, ''), true);
    IF found < wanted THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_ARGV[0],
            TABLE = TG_TABLE_NAME, COLUMN = 'worker_id',
            MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s"',
                             TG_TABLE_NAME, TG_ARGV[0]),
            DETAIL = format('Key (worker_id)=(%s) is not present in table "worker".', bad);
    END IF;
    RETURN NULL;
END $$;

-- ON DELETE CASCADE of the three, once per statement.
CREATE FUNCTION worker_children_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('leye.scope', true);
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    DELETE FROM worker_skill c WHERE c.worker_id IN (SELECT o.id FROM old_rows o);
    DELETE FROM worker_consent_event c WHERE c.worker_id IN (SELECT o.id FROM old_rows o);
    DELETE FROM worker_history c WHERE c.worker_id IN (SELECT o.id FROM old_rows o);
    PERFORM set_config('leye.scope', coalesce(caller, ''), true);
    RETURN NULL;
END $$;

ALTER TABLE worker_skill DROP CONSTRAINT worker_skill_worker_id_fkey;
ALTER TABLE worker_consent_event DROP CONSTRAINT worker_consent_event_worker_id_fkey;
ALTER TABLE worker_history DROP CONSTRAINT worker_history_worker_id_fkey;
CREATE TRIGGER worker_known_insert AFTER INSERT ON worker_skill
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_child_known('worker_skill_worker_id_fkey');
CREATE TRIGGER worker_known_update AFTER UPDATE ON worker_skill
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_child_known('worker_skill_worker_id_fkey');
CREATE TRIGGER worker_known_insert AFTER INSERT ON worker_consent_event
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_child_known('worker_consent_event_worker_id_fkey');
CREATE TRIGGER worker_known_update AFTER UPDATE ON worker_consent_event
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_child_known('worker_consent_event_worker_id_fkey');
CREATE TRIGGER worker_known_insert AFTER INSERT ON worker_history
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_child_known('worker_history_worker_id_fkey');
CREATE TRIGGER worker_known_update AFTER UPDATE ON worker_history
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_child_known('worker_history_worker_id_fkey');
CREATE TRIGGER worker_children_delete AFTER DELETE ON worker
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_children_delete();

-- The household of a new worker, or of a worker moved to another one, the
-- same way (the foreign key checked each of the 100,000 rows of an import
-- of 100,000 workers in 40,000 households); a household that still has
-- workers is not deleted, as with the foreign key (NO ACTION).
CREATE FUNCTION worker_household_known() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('leye.scope', true);
    ids text := CASE TG_OP WHEN 'INSERT' THEN 'SELECT n.household_id FROM new_rows n'
                ELSE 'SELECT n.household_id FROM new_rows n JOIN old_rows o ON o.id = n.id '
                     'WHERE n.household_id <> o.household_id' END;
    wanted bigint;
    found bigint;
    ours bigint;
    bad bigint;
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    EXECUTE format('SELECT count(DISTINCT household_id) FROM (%s) i', ids) INTO wanted;
    IF wanted > 0 THEN
        EXECUTE format('SELECT count(*), count(*) FILTER (WHERE h.xmin = xid(pg_current_xact_id())) '
                       'FROM household h WHERE h.id IN (%s)', ids)
        INTO found, ours;
        IF found > ours THEN
            EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM household h WHERE h.id IN (%s) '
                           '                        AND h.xmin <> xid(pg_current_xact_id()) '
                           '                      FOR KEY SHARE OF h) held', ids)
            INTO found;
            found := found + ours;
        END IF;
        IF found < wanted THEN
            EXECUTE format('SELECT i.household_id FROM (%s) i WHERE NOT EXISTS '
                           '(SELECT 1 FROM household h WHERE h.id = i.household_id) LIMIT 1', ids)
            INTO bad;
        END IF;
    END IF;
    PERFORM set_config('leye.scope', coalesce(caller, ''), true);
    IF found < wanted THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'worker_household_id_fkey',
            TABLE = 'worker', COLUMN = 'household_id',
            MESSAGE = 'insert or update on table "worker" violates foreign key constraint "worker_household_id_fkey"',
            DETAIL = format('Key (household_id)=(%s) is not present in table "household".', bad);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION household_workers_keep() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    caller text := current_setting('leye.scope', true);
    bad bigint;
BEGIN
    PERFORM set_config('leye.scope', '*', true);
    SELECT w.household_id INTO bad FROM worker w
    WHERE w.household_id IN (SELECT o.id FROM old_rows o) LIMIT 1;
    PERFORM set_config('leye.scope', coalesce(caller, ''), true);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'worker_household_id_fkey',
            TABLE = 'household',
            MESSAGE = 'update or delete on table "household" violates foreign key constraint '
                      '"worker_household_id_fkey" on table "worker"',
            DETAIL = format('Key (id)=(%s) is still referenced from table "worker".', bad);
    END IF;
    RETURN NULL;
END $$;

ALTER TABLE worker DROP CONSTRAINT worker_household_id_fkey;
CREATE TRIGGER household_known_insert AFTER INSERT ON worker
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_household_known();
CREATE TRIGGER household_known_update AFTER UPDATE ON worker
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_household_known();
CREATE TRIGGER household_workers_keep AFTER DELETE ON household
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_workers_keep();

-- The audit select list of 053, with the masks of a text name or phone and
-- of a date's year written out in place: audit_value() is not inlined (its
-- argument is used more than once): three calls per worker took 0.6 s of
-- building the audit values of 100,000 new workers, and the audit insert of
-- an import drops from about 2.3 s to 2.1 s (the rest is the JSON of the
-- other columns and the audit rows themselves).  Each expression gives what
-- audit_value() gives for that rule and type, NULL for NULL; other rules and
-- types still go through it.
CREATE OR REPLACE FUNCTION audit_row_select(p_table regclass, rules jsonb) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(string_agg(
               CASE WHEN NOT rules ? a.attname::text THEN format('x.%I', a.attname)
                    WHEN rules ->> a.attname::text = 'name' AND a.atttypid = 'text'::regtype
                    THEN format('to_jsonb(allocation_mask_name(x.%1$I)) AS %1$I', a.attname)
                    WHEN rules ->> a.attname::text = 'phone' AND a.atttypid = 'text'::regtype
                    THEN format('CASE WHEN x.%1$I IS NOT NULL THEN to_jsonb(CASE WHEN length(x.%1$I) >= 7 '
                                'THEN employer_phone_mask(x.%1$I) ELSE ''****'' END) END AS %1$I', a.attname)
                    WHEN rules ->> a.attname::text = 'year' AND a.atttypid = 'date'::regtype
                    THEN format('to_jsonb(substring(to_jsonb(x.%1$I) #>> ''{}'' FROM ''^\d{4}'')::integer) AS %1$I',
                                a.attname)
                    ELSE format('audit_value(%L, to_jsonb(x.%I)) AS %I', rules ->> a.attname::text,
                                a.attname, a.attname) END,
               ', ' ORDER BY a.attnum), '')
    FROM pg_attribute a
    WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
      AND coalesce(rules ->> a.attname::text, 'clear') NOT IN ('hidden', 'skip');
$$;
