/*
 * Demo data for households that ask for help and department lists: two
 * self-applications at the kiosk (a lost job, an illness) and a civil-affairs
 * hardship list of the largest county with two disagreements with Leye (an
 * employed worker on the hardship list; a seeking worker the list says is
 * employed) among rows that agree; and, for the fairness report, the
 * ethnicity of the workers whose demo profile speaks a minority language.
 * Dates are relative to today.  Blocking libpq: command line only.
 */
#include "demo_help.h"

#include "demo_sql.h"

static const char demo_help_sql[] =
    /* two people of different households ask for help */
    "WITH asked AS (SELECT DISTINCT ON (w.household_id) w.id, w.household_id "
    "               FROM worker w WHERE w.employment_status = 'seeking' AND NOT w.archived "
    "               ORDER BY w.household_id, w.id LIMIT 2), "
    "n AS (SELECT a.*, row_number() OVER (ORDER BY a.id) AS k FROM asked a) "
    "INSERT INTO early_warning_task (household_id, worker_id, reason, help_reason, due_on, "
    "                                created_at, updated_at) "
    "SELECT household_id, id, 'self_application', CASE k WHEN 1 THEN 'lost_job' ELSE 'illness' "
    "END, "
    "       placement_today() + 3 - k::integer, now() - make_interval(days => k::integer), "
    "       now() - make_interval(days => k::integer) FROM n;"
    /* the largest county's hardship list */
    "WITH c AS (SELECT s.county_code FROM worker w JOIN household h ON h.id = w.household_id "
    "           JOIN site s ON s.id = h.site_id GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1) "
    "INSERT INTO department_list (department, name, county_code, rows, matched, imported_by, "
    "                             imported_at, expires_at) "
    "SELECT 'civil_affairs', extract(year FROM placement_today()) || ' "
    "年最低生活保障名单（民政局）', "
    "       county_code, 0, 0, 'demo', now() - interval '3 days', now() + interval '87 days' FROM "
    "c;"
    "WITH l AS (SELECT id, county_code FROM department_list ORDER BY id DESC LIMIT 1), "
    "people AS (SELECT w.*, h.monitoring_status FROM worker w JOIN household h ON h.id = "
    "w.household_id "
    "           JOIN site s ON s.id = h.site_id JOIN l ON s.county_code = l.county_code "
    "           WHERE NOT w.archived), "
    "rows AS ((SELECT id_number_hash, 'hardship' AS flag FROM people "
    "          WHERE employment_status LIKE 'employed%' ORDER BY id LIMIT 1) "
    "         UNION ALL (SELECT id_number_hash, 'employed' FROM people "
    "          WHERE employment_status = 'seeking' ORDER BY id DESC LIMIT 1) "
    "         UNION ALL (SELECT id_number_hash, 'hardship' FROM people "
    "          WHERE monitoring_status <> 'none' AND employment_status NOT LIKE 'employed%' "
    "          ORDER BY id LIMIT 4) "
    "         UNION ALL (SELECT id_number_hash, 'employed' FROM people "
    "          WHERE employment_status LIKE 'employed%' ORDER BY id DESC LIMIT 4)) "
    "INSERT INTO department_list_entry (list_id, line, id_number_hash, flag, flag_date) "
    "SELECT l.id, 1 + row_number() OVER (), r.id_number_hash, r.flag, "
    "       placement_today() - (10 + row_number() OVER ())::integer FROM rows r, l;"
    "UPDATE department_list l SET rows = (SELECT count(*) FROM department_list_entry e "
    "                                     WHERE e.list_id = l.id), "
    "    matched = (SELECT count(*) FROM department_list_entry e WHERE e.list_id = l.id) "
    "WHERE l.imported_by = 'demo';"
    /* ethnicity where the demo profile speaks the group's language */
    "INSERT INTO worker_ethnicity (worker_id, ethnicity, recorded_by) "
    "SELECT w.id, e.name, 'demo' FROM worker w JOIN (VALUES ('ii', '彝族'), ('hmn', '苗族'), "
    "    ('za', '壮族'), ('bca', '白族'), ('lis', '傈僳族'), ('pmi', '普米族'), ('lhu', '拉祜族'), "
    "    ('hni', '哈尼族'), ('prk', '佤族')) e (lang, name) ON e.lang = w.languages[1];";

int demo_help_load(PGconn *conn)
{
    return demo_sql_run(conn, "help requests and department list", demo_help_sql) ? 0 : -1;
}
