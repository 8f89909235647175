/*
 * Demo training (专项技能培训) for every county with sites: courses built
 * from what the county's open vacancies ask and its seekers lack, as a
 * county would plan them; enrolments, attendance and results.
 *
 * Per county, relative to today:
 *   - a course that ended last month, teaching the skill most missing at
 *     level 2, 30 seats taken by seekers who lack it; about 80 % passed,
 *     12 % failed, 8 % dropped out (results recorded through
 *     api_course_result, so a pass writes the proven skill, the training
 *     and the subsidy record as it does for staff);
 *   - a welding course with its special-operation certificate starting in
 *     12 days, 15 seats all taken and 3 on the waiting list;
 *   - the second skill most missing at level 3, starting in 10 days, 30
 *     seats, 18 taken;
 *   - housekeeping taught in Yi (彝语), for workers with little Mandarin,
 *     starting in 20 days, 20 seats, 8 taken.
 * Who enrols is decided by a hash of the worker's id, so that two loads
 * give the same rows.  Runs inside the demo's transaction.
 */
#include "demo_training.h"

#include "demo_sql.h"

static const char demo_training_sql[] =
    "DO $demo$\n"
    "DECLARE\n"
    "    t date := placement_today();\n"
    "    c record;\n"
    "    g integer[];\n"
    "    past bigint; weld bigint; next bigint; yi bigint;\n"
    "    e record;\n"
    "    n integer;\n"
    "BEGIN\n"
    "    FOR c IN SELECT DISTINCT s.county_code AS code, r.name FROM site s JOIN region r ON "
    "r.code = s.county_code\n"
    "             WHERE NOT s.archived ORDER BY 1 LOOP\n"
    /* the skills most asked as must-haves by the county's open vacancies */
    "        SELECT array_agg(skill_id ORDER BY posts DESC, skill_id) INTO g FROM (\n"
    "            SELECT vs.skill_id, sum(v.headcount - v.filled) AS posts FROM vacancy v\n"
    "            JOIN vacancy_skill vs ON vs.vacancy_id = v.id AND vs.must_have\n"
    "            WHERE v.county_code = c.code AND v.status = 'open' AND v.filled < v.headcount\n"
    "              AND vs.skill_id <> 14 GROUP BY vs.skill_id) x;\n"
    "        g := coalesce(g, '{}') || ARRAY[2, 27, 36];\n"
    "        INSERT INTO course (title, provider, skill_id, skill_level, county_code, place, "
    "starts_on, ends_on,\n"
    "                            hours, seats, waitlist_max, cost_cny, subsidy_cny, language)\n"
    "        SELECT k.name_zh || '（中级工）培训班', c.name || '职业技能培训中心', k.id, 2, "
    "c.code,\n"
    "               c.name || '就业服务站', t - 50, t - 30, 120, 30, 0, 1800, 1500, 'zh'\n"
    "        FROM skill k WHERE k.id = g[1] RETURNING id INTO past;\n"
    "        INSERT INTO course (title, provider, skill_id, skill_level, certificate_type_id, "
    "county_code, place,\n"
    "                            starts_on, ends_on, hours, seats, waitlist_max, cost_cny, "
    "subsidy_cny, language)\n"
    "        VALUES ('电焊工（高级工）与焊接作业证培训班', c.name || '技工学校', 14, 3, 7, c.code, "
    "c.name || '技工学校实训楼',\n"
    "                t + 12, t + 52, 200, 15, 5, 3600, 3000, 'zh') RETURNING id INTO weld;\n"
    "        INSERT INTO course (title, provider, skill_id, skill_level, county_code, place, "
    "starts_on, ends_on,\n"
    "                            hours, seats, waitlist_max, cost_cny, subsidy_cny, language)\n"
    "        SELECT k.name_zh || '（高级工）培训班', c.name || '职业技能培训中心', k.id, 3, "
    "c.code,\n"
    "               c.name || '就业服务站', t + 10, t + 40, 160, 30, 10, 2400, 2000, 'zh'\n"
    "        FROM skill k WHERE k.id = g[2] RETURNING id INTO next;\n"
    "        INSERT INTO course (title, provider, skill_id, skill_level, county_code, place, "
    "starts_on, ends_on,\n"
    "                            hours, seats, waitlist_max, cost_cny, subsidy_cny, language)\n"
    "        VALUES ('家政服务（彝语授课）', c.name || '妇联家政培训基地', 31, 1, c.code, c.name "
    "|| '安置点社区活动室',\n"
    "                t + 20, t + 34, 56, 20, 5, 800, 800, 'ii') RETURNING id INTO yi;\n"
    /* the past course: seekers who lack the skill; results by a hash of the id */
    "        n := 0;\n"
    "        FOR e IN SELECT w.id FROM worker w JOIN household h ON h.id = w.household_id JOIN "
    "site s ON s.id = h.site_id\n"
    "                 WHERE s.county_code = c.code AND w.employment_status = 'seeking' AND NOT "
    "w.archived\n"
    "                   AND NOT EXISTS (SELECT 1 FROM worker_skill ws WHERE ws.worker_id = w.id "
    "AND ws.skill_id = g[1])\n"
    "                 ORDER BY md5('past' || w.id), w.id LIMIT 30 LOOP\n"
    "            n := n + 1;\n"
    "            INSERT INTO course_enrolment (course_id, worker_id, status, source, "
    "hours_attended, enrolled_at)\n"
    "            VALUES (past, e.id, 'enrolled', CASE WHEN n % 4 = 0 THEN 'kiosk' ELSE 'staff' "
    "END,\n"
    "                    CASE WHEN n % 12 = 5 THEN 36 ELSE 112 + n % 8 END, (t - "
    "60)::timestamptz);\n"
    "            PERFORM api_course_result(past, NULL, jsonb_build_object('worker_id', e.id, "
    "'result_on', t - 30,\n"
    "                'result', CASE WHEN n % 12 = 5 THEN 'dropped_out' WHEN n % 8 = 3 THEN "
    "'failed' ELSE 'passed' END),\n"
    "                'demo');\n"
    "        END LOOP;\n"
    /* upcoming: the welding course full with a waiting list, the others part taken */
    "        INSERT INTO course_enrolment (course_id, worker_id, status, source)\n"
    "        SELECT weld, x.id, CASE WHEN x.k <= 15 THEN 'enrolled' ELSE 'waitlisted' END,\n"
    "               CASE WHEN x.k % 3 = 0 THEN 'kiosk' ELSE 'staff' END\n"
    "        FROM (SELECT w.id, row_number() OVER (ORDER BY md5('weld' || w.id), w.id) AS k\n"
    "              FROM worker w JOIN household h ON h.id = w.household_id JOIN site s ON s.id = "
    "h.site_id\n"
    "              WHERE s.county_code = c.code AND w.employment_status = 'seeking' AND NOT "
    "w.archived\n"
    "              ) x WHERE x.k <= 18;\n"
    "        INSERT INTO course_enrolment (course_id, worker_id, status, source)\n"
    "        SELECT next, x.id, 'enrolled', CASE WHEN x.k % 3 = 0 THEN 'kiosk' ELSE 'staff' END\n"
    "        FROM (SELECT w.id, row_number() OVER (ORDER BY md5('next' || w.id), w.id) AS k\n"
    "              FROM worker w JOIN household h ON h.id = w.household_id JOIN site s ON s.id = "
    "h.site_id\n"
    "              WHERE s.county_code = c.code AND w.employment_status = 'seeking' AND NOT "
    "w.archived\n"
    "                AND NOT EXISTS (SELECT 1 FROM course_enrolment x2 WHERE x2.worker_id = w.id\n"
    "                                                              AND x2.course_id IN (weld))) x\n"
    "        WHERE x.k <= 18;\n"
    "        INSERT INTO course_enrolment (course_id, worker_id, status, source)\n"
    "        SELECT yi, x.id, 'enrolled', 'staff'\n"
    "        FROM (SELECT w.id, row_number() OVER (ORDER BY md5('yi' || w.id), w.id) AS k\n"
    "              FROM worker w JOIN household h ON h.id = w.household_id JOIN site s ON s.id = "
    "h.site_id\n"
    "              WHERE s.county_code = c.code AND w.employment_status = 'seeking' AND NOT "
    "w.archived\n"
    "                AND w.mandarin_level <> 'fluent' AND 'ii' = ANY (w.languages)) x\n"
    "        WHERE x.k <= 8;\n"
    "    END LOOP;\n"
    "END $demo$";

int demo_training_load(PGconn *conn)
{
    return demo_sql_run(conn, "training", demo_training_sql) ? 0 : -1;
}
