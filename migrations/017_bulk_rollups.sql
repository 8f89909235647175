-- 017_bulk_rollups: household rollups once per statement instead of once per
-- row, so that a bulk import recounts each household once.

DROP TRIGGER worker_household_rollup ON worker;

CREATE FUNCTION household_recount_many(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE household h SET labor_count = s.labor, employed_count = s.employed
    FROM (SELECT hid,
                 count(w.id) FILTER (WHERE w.employment_status <> 'not_seeking' AND NOT w.archived) AS labor,
                 count(w.id) FILTER (WHERE w.employment_status LIKE 'employed%' AND NOT w.archived) AS employed
          FROM unnest(ids) AS hid LEFT JOIN worker w ON w.household_id = hid
          GROUP BY hid) s
    WHERE h.id = s.hid AND (h.labor_count, h.employed_count) IS DISTINCT FROM (s.labor, s.employed);
$$;

CREATE FUNCTION worker_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM household_recount_many(ARRAY(SELECT DISTINCT household_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION worker_rollup_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM household_recount_many(ARRAY(
        SELECT n.household_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.employment_status, n.household_id, n.archived)
              IS DISTINCT FROM (o.employment_status, o.household_id, o.archived)
        UNION
        SELECT o.household_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.employment_status, n.household_id, n.archived)
              IS DISTINCT FROM (o.employment_status, o.household_id, o.archived)));
    RETURN NULL;
END $$;

CREATE FUNCTION worker_rollup_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM household_recount_many(ARRAY(SELECT DISTINCT household_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE TRIGGER worker_rollup_insert AFTER INSERT ON worker
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION worker_rollup_insert();
CREATE TRIGGER worker_rollup_update AFTER UPDATE ON worker
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION worker_rollup_update();
CREATE TRIGGER worker_rollup_delete AFTER DELETE ON worker
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION worker_rollup_delete();
