/*
 * Demo data for organised labour export: two trips to the largest open
 * labour-export vacancy in Guangdong.  One left four months ago by
 * chartered bus: its people arrived (placements out of province) and were
 * followed up at 7 days, 1 and 3 months, a few went home (返乡) on the way;
 * the other leaves in ten days and has more sign-ups than places, for staff
 * to fill its roster.  Made with the functions the API uses (migration 039),
 * then moved back in time, so that every rule and rollup holds.  Dates are
 * relative to today.
 */
#include "demo_export.h"

#include "demo_sql.h"

/* One statement: the departed trip's people are the first seeking workers
 * of working age in the vacancy's county, the upcoming trip's the next ones
 * (about 1 in 10 of those seeking, as organised export takes half of a
 * large site's labour over the years: docs/demo-data.md, 卯家湾). */
static const char demo_export_sql[] =
    "DO $demo$\n"
    "DECLARE\n"
    "    today date := placement_today();\n"
    "    back integer := 118;\n"
    "    v vacancy;\n"
    "    t1 bigint;\n"
    "    t2 bigint;\n"
    "    s record;\n"
    "    n integer := 0;\n"
    "BEGIN\n"
    "    SELECT * INTO v FROM vacancy x WHERE x.kind = 'labor_export' AND x.status = 'open'\n"
    "        AND NOT x.archived AND x.dest_province_code = 440000 AND x.headcount - x.filled >= "
    "60\n"
    "    ORDER BY x.headcount - x.filled DESC, x.id LIMIT 1;\n"
    "    IF NOT FOUND THEN\n"
    "        RETURN;\n"
    "    END IF;\n"
    "    INSERT INTO export_trip (title, employer_id, county_code, dest_province_code, dest_city,\n"
    "        departure_on, departure_place, transport, seats, headcount, escort, note, "
    "created_by)\n"
    "    VALUES ('春季劳务输出专车（广东）', v.employer_id, v.county_code, 440000, v.dest_city, "
    "today,\n"
    "        '县就业服务中心门口', 'chartered_bus', 30, 28, '县人社局劳务输出工作队 王干事',\n"
    "        '东西部协作稳岗专车', 'demo') RETURNING id INTO t1;\n"
    "    INSERT INTO export_trip_vacancy VALUES (t1, v.id);\n"
    "    FOR s IN SELECT w.id FROM worker w JOIN household h ON h.id = w.household_id\n"
    "             JOIN site si ON si.id = h.site_id\n"
    "             WHERE w.employment_status = 'seeking' AND NOT w.archived AND si.county_code = "
    "v.county_code\n"
    "               AND w.birth_date BETWEEN today - 45 * 365 AND today - 19 * 365\n"
    "             ORDER BY w.id LIMIT 26 LOOP\n"
    "        INSERT INTO export_signup (trip_id, worker_id, source, state, checked_in_at, "
    "created_by)\n"
    "        VALUES (t1, s.id, 'staff', 'departed', now(), 'demo');\n"
    "    END LOOP;\n"
    "    FOR s IN SELECT x.id FROM export_signup x WHERE x.trip_id = t1 ORDER BY x.id LOOP\n"
    "        PERFORM api_export_arrival(t1, s.id, jsonb_build_object('wage', 5200), 'demo');\n"
    "    END LOOP;\n"
    "    -- the trip left back + 2 days ago\n"
    "    UPDATE export_trip x SET departure_on = today - back - 2, status = 'departed' WHERE x.id "
    "= t1;\n"
    "    UPDATE export_signup x SET arrived_on = today - back,\n"
    "        checked_in_at = now() - make_interval(days => back + 2) WHERE x.trip_id = t1;\n"
    "    UPDATE export_followup f SET due_on = f.due_on - back\n"
    "    FROM export_signup x WHERE x.id = f.signup_id AND x.trip_id = t1;\n"
    "    UPDATE placement p SET start_date = p.start_date - back\n"
    "    FROM export_signup x WHERE x.placement_id = p.id AND x.trip_id = t1;\n"
    "    UPDATE followup f SET due_on = f.due_on - back\n"
    "    FROM export_signup x WHERE x.placement_id = f.placement_id AND x.trip_id = t1;\n"
    "    -- the follow-ups: three went home (two after the first week, one\n"
    "    -- before three months); two of the 3-month visits are still owed\n"
    "    FOR s IN SELECT x.id, row_number() OVER (ORDER BY x.id) AS k FROM export_signup x\n"
    "             WHERE x.trip_id = t1 ORDER BY x.id LOOP\n"
    "        PERFORM api_export_followup(t1, s.id, 'day7', jsonb_build_object(\n"
    "            'still_employed', s.k NOT IN (5, 17), 'wage', 5200, 'contract_seen', s.k % 4 <> "
    "0,\n"
    "            'note', CASE WHEN s.k IN (5, 17) THEN '不适应，已返乡' ELSE '电话回访，已签合同' "
    "END,\n"
    "            'returned_on', CASE WHEN s.k IN (5, 17) THEN today - back + 9 END), 'demo');\n"
    "        CONTINUE WHEN s.k IN (5, 17);\n"
    "        PERFORM api_export_followup(t1, s.id, 'month1', jsonb_build_object(\n"
    "            'still_employed', true, 'wage', 5400, 'employer_letter_seen', s.k % 4 = 0,\n"
    "            'note', '企业出具在岗证明'), 'demo');\n"
    "        CONTINUE WHEN s.k IN (8, 21);\n"
    "        PERFORM api_export_followup(t1, s.id, 'month3', jsonb_build_object(\n"
    "            'still_employed', s.k <> 12, 'wage', 5600, 'wage_records_seen', s.k <> 12,\n"
    "            'note', CASE WHEN s.k = 12 THEN '家中有事返乡' ELSE '工资流水已核' END,\n"
    "            'returned_on', CASE WHEN s.k = 12 THEN today - back + 80 END), 'demo');\n"
    "    END LOOP;\n"
    "    -- the next trip leaves in ten days: more sign-ups than places\n"
    "    INSERT INTO export_trip (title, employer_id, county_code, dest_province_code, dest_city,\n"
    "        departure_on, departure_place, transport, seats, headcount, escort, note, "
    "created_by)\n"
    "    VALUES ('秋季劳务输出专列（广东）', v.employer_id, v.county_code, 440000, v.dest_city,\n"
    "        today + 10, '昭通火车站', 'special_train', 24, 20, '县人社局劳务输出工作队 李干事',\n"
    "        '报名人数超过名额时按零就业家庭优先排定名单', 'demo') RETURNING id INTO t2;\n"
    "    INSERT INTO export_trip_vacancy VALUES (t2, v.id);\n"
    "    FOR s IN SELECT w.id FROM worker w JOIN household h ON h.id = w.household_id\n"
    "             JOIN site si ON si.id = h.site_id\n"
    "             WHERE w.employment_status = 'seeking' AND NOT w.archived AND si.county_code = "
    "v.county_code\n"
    "               AND w.birth_date BETWEEN today - 45 * 365 AND today - 19 * 365\n"
    "               AND NOT EXISTS (SELECT 1 FROM export_signup x WHERE x.worker_id = w.id)\n"
    "             ORDER BY w.id LIMIT 38 LOOP\n"
    "        n := n + 1;\n"
    "        INSERT INTO export_signup (trip_id, worker_id, source, created_by)\n"
    "        VALUES (t2, s.id, CASE WHEN n % 5 = 0 THEN 'kiosk' ELSE 'staff' END, 'demo');\n"
    "    END LOOP;\n"
    "END $demo$";

int demo_export_load(PGconn *conn)
{
    return demo_sql_run(conn, "labour export trips", demo_export_sql) ? 0 : -1;
}
