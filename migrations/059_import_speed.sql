-- 059_import_speed: less work per row when a CSV import creates workers.
-- Measured on make bench-import (100,000 new workers in 40,000 households,
-- auto_explain with nested statements, perf on the backend): of about 9 s
-- in import_workers, the household recount took 0.7 s and the history rows
-- 0.8 s.

-- A new worker adds to its household's counts: sum what the statement
-- created per household and add it, instead of counting every worker of
-- those households again through worker_household (the counts are kept by
-- these triggers, so adding gives the same numbers; a household none of
-- whose new workers count is not touched, as before).
CREATE OR REPLACE FUNCTION worker_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('leye.audit_derived', 'on', true);
    UPDATE household h
    SET labor_count = h.labor_count + s.labor, employed_count = h.employed_count + s.employed
    FROM (SELECT n.household_id,
                 count(*) FILTER (WHERE n.employment_status <> 'not_seeking' AND NOT n.archived) AS labor,
                 count(*) FILTER (WHERE n.employment_status LIKE 'employed%' AND NOT n.archived) AS employed
          FROM new_rows n GROUP BY n.household_id) s
    WHERE h.id = s.household_id AND (s.labor > 0 OR s.employed > 0);
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
