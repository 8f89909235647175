/*
 * Demo data for the work-relief payroll and the managed posts, written after
 * the rest of the demo (demo.c) in its transaction, from what it wrote:
 *   - attendance of the last three full months for every worker on a
 *     work-relief project (16-24 days a month, fewer in a month they joined
 *     or left);
 *   - the pay sheets of those months: the two older ones released after
 *     their notice, the last one on notice; one line adjusted with a reason;
 *   - payments into each worker's own card, 8-17 days after the month, the
 *     lump sums of those months replaced by them; one failed payment (a
 *     closed account) and its resubmission to a new card;
 *   - the terms of every public-welfare and ranger post (rangers 700 yuan a
 *     month from central funds, as 临翔区 pays; public-welfare subsidies are
 *     set locally and are data here, not facts), two rangers whose duty area
 *     stayed at their old village;
 *   - monthly assessments, all satisfactory but one ranger's month, and the
 *     subsidies of satisfactory months paid on the 15th of the next month.
 * Card numbers are made up (a bank's prefix and digits from the worker's
 * id), encrypted like every card number.  Blocking libpq: command line only.
 */
#define _POSIX_C_SOURCE 200809L
#include "demo_payroll.h"

#include "demo_sql.h"
#include "log.h"
#include "pii.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The months M-3..M-1 before today's, and the attendance of those months. */
static const char demo_payroll_attendance_sql[] =
    "CREATE TEMP TABLE demo_month ON COMMIT DROP AS "
    "SELECT (date_trunc('month', placement_today()) - make_interval(months => k))::date AS month, "
    "k "
    "FROM generate_series(1, 3) k; "
    "INSERT INTO attendance (project_id, county_code, placement_id, worker_id, month, days, hours, "
    "                        source, recorded_by, created_at) "
    "SELECT v.project_id, v.county_code, p.id, p.worker_id, m.month, d.days, d.days * 8, 'staff', "
    "       '县发改局 考勤员', m.month + interval '1 month 2 days 9 hours' "
    "FROM placement p JOIN vacancy v ON v.id = p.vacancy_id CROSS JOIN demo_month m "
    "CROSS JOIN LATERAL (SELECT least(16 + abs(hashtext(p.id || ':' || m.month)) % 9, "
    "                                 (least(p.ended_on, payroll_month_end(m.month)) "
    "                                  - greatest(p.start_date, m.month) + 1) * 5 / 7) AS days) d "
    "WHERE v.kind = 'work_relief' AND v.project_id IS NOT NULL AND d.days > 0 "
    "  AND p.start_date <= payroll_month_end(m.month) "
    "  AND (p.ended_on IS NULL OR p.ended_on >= m.month)";

/* Pay sheets computed from it; the older two released, the last on notice. */
static const char demo_payroll_sheets_sql[] =
    "INSERT INTO pay_sheet (project_id, county_code, month, created_at) "
    "SELECT DISTINCT a.project_id, a.county_code, a.month, a.month + interval '1 month 3 days' "
    "FROM attendance a; "
    "SELECT pay_sheet_compute(s) FROM pay_sheet s; "
    "UPDATE pay_line SET adjustment = 50, adjust_reason = '雨天停工期间看护工地补助' "
    "WHERE id = (SELECT min(id) FROM pay_line); "
    "UPDATE pay_sheet s SET status = CASE WHEN m.k > 1 THEN 'released' ELSE 'notice' END, "
    "       approved_by = '项目法人', approved_at = s.created_at + interval '1 day', "
    "       notice_from = least(placement_today(), (s.created_at + interval '1 day')::date), "
    "       notice_until = least(placement_today(), (s.created_at + interval '1 day')::date) + 7, "
    "       released_by = CASE WHEN m.k > 1 THEN '项目法人' ELSE '' END, "
    "       released_at = CASE WHEN m.k > 1 THEN s.created_at + interval '9 days' END "
    "FROM demo_month m WHERE m.month = s.month";

/* The workers to be paid a wage or a post subsidy: id and name. */
static const char demo_payroll_payees_sql[] =
    "SELECT DISTINCT w.id, w.name FROM worker w "
    "WHERE w.id IN (SELECT l.worker_id FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id "
    "               WHERE s.status = 'released' "
    "               UNION SELECT p.worker_id FROM placement p JOIN vacancy v ON v.id = "
    "p.vacancy_id "
    "               WHERE v.kind IN ('public_welfare', 'forest_ranger') AND p.ended_on IS NULL) "
    "ORDER BY w.id";

/* Wages of the released sheets; one failure and its resubmission. */
static const char demo_payroll_wages_sql[] =
    "INSERT INTO wage_payment (kind, county_code, project_id, placement_id, worker_id, "
    "pay_line_id, "
    "                          month, amount, account_id, status, fail_reason, paid_on, source, "
    "                          recorded_by, created_at) "
    "SELECT 'wage', s.county_code, s.project_id, l.placement_id, l.worker_id, l.id, s.month, "
    "       l.amount, a.id, CASE WHEN l.id = f.id THEN 'failed' ELSE 'paid' END, "
    "       CASE WHEN l.id = f.id THEN '账户已销户' ELSE '' END, "
    "       payroll_month_end(s.month) + 8 + abs(hashtext(l.id::text)) % 10, 'bank_return', "
    "       '乡镇财政所', payroll_month_end(s.month) + 20 "
    "FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id "
    "JOIN LATERAL (SELECT min(x.id) AS id FROM pay_account x WHERE x.worker_id = l.worker_id) a ON "
    "true "
    "CROSS JOIN (SELECT min(l2.id) AS id FROM pay_line l2 JOIN pay_sheet s2 ON s2.id = l2.sheet_id "
    "            WHERE s2.month = (SELECT min(month) FROM demo_month)) f "
    "WHERE s.status = 'released' AND l.amount > 0; "
    "INSERT INTO wage_payment (kind, county_code, project_id, placement_id, worker_id, "
    "pay_line_id, "
    "                          month, amount, account_id, status, paid_on, resubmission_of, "
    "source, "
    "                          recorded_by, created_at) "
    "SELECT x.kind, x.county_code, x.project_id, x.placement_id, x.worker_id, x.pay_line_id, "
    "x.month, "
    "       x.amount, (SELECT max(a.id) FROM pay_account a WHERE a.worker_id = x.worker_id), "
    "'paid', "
    "       x.paid_on + 7, x.id, 'bank_return', '乡镇财政所', x.created_at + interval '7 days' "
    "FROM wage_payment x WHERE x.status = 'failed'; "
    "DELETE FROM remuneration_payment r USING (SELECT DISTINCT project_id FROM pay_sheet) s "
    "WHERE r.project_id = s.project_id "
    "  AND r.paid_on > (SELECT min(month) FROM demo_month) + 15";

/* Post terms and assessments (one ranger's month unsatisfactory). */
static const char demo_payroll_posts_sql[] =
    "INSERT INTO post_terms (placement_id, county_code, duties, duty_area, duty_lat, duty_lon, "
    "                        funding_source, monthly_subsidy, managing_unit, created_at) "
    "SELECT p.id, v.county_code, "
    "       CASE WHEN v.kind = 'forest_ranger' THEN '日常巡山护林、森林防火宣传、发现火情及时报告' "
    "            ELSE '安置点公共区域保洁、设施看护' END, "
    "       CASE WHEN v.kind = 'forest_ranger' AND far.yes THEN '原籍村集体林班' "
    "            WHEN v.kind = 'forest_ranger' THEN s.name || '周边林班' ELSE s.name END, "
    "       s.lat + CASE WHEN far.yes THEN 0.55 ELSE (abs(hashtext(p.id::text)) % 100 - 50) / "
    "2000.0 END, "
    "       s.lon + (abs(hashtext(p.id::text || 'x')) % 100 - 50) / 2000.0, "
    "       CASE WHEN v.kind = 'forest_ranger' THEN 'central_ranger' "
    "            WHEN abs(hashtext(p.id::text)) % 4 = 0 THEN 'collective_income' "
    "            ELSE 'county_budget' END, "
    "       CASE WHEN v.kind = 'forest_ranger' THEN 700 "
    "            WHEN abs(hashtext(p.id::text)) % 4 = 0 THEN 500 ELSE 600 END, "
    "       CASE WHEN v.kind = 'forest_ranger' THEN '乡镇林业站' ELSE '社区居委会' END, "
    "p.created_at "
    "FROM placement p JOIN vacancy v ON v.id = p.vacancy_id JOIN worker w ON w.id = p.worker_id "
    "JOIN household h ON h.id = w.household_id JOIN site s ON s.id = h.site_id "
    "CROSS JOIN LATERAL (SELECT v.kind = 'forest_ranger' AND p.id IN ("
    "    SELECT p2.id FROM placement p2 JOIN vacancy v2 ON v2.id = p2.vacancy_id "
    "    WHERE v2.kind = 'forest_ranger' AND p2.ended_on IS NULL ORDER BY p2.id DESC LIMIT 2) AS "
    "yes) far "
    "WHERE v.kind IN ('public_welfare', 'forest_ranger') AND p.ended_on IS NULL; "
    "INSERT INTO post_assessment (placement_id, county_code, month, satisfactory, note, "
    "assessed_by, "
    "                             created_at) "
    "SELECT t.placement_id, t.county_code, m.month, NOT bad.yes, "
    "       CASE WHEN bad.yes THEN '当月巡护日志缺 9 天，未按要求上报' ELSE '' END, "
    "       t.managing_unit, m.month + interval '1 month 5 days' "
    "FROM post_terms t JOIN placement p ON p.id = t.placement_id CROSS JOIN demo_month m "
    "CROSS JOIN LATERAL (SELECT m.k = 2 AND t.placement_id = (SELECT min(x.placement_id) FROM "
    "post_terms x "
    "                    WHERE x.funding_source = 'central_ranger') AS yes) bad "
    "WHERE p.start_date < m.month";

/* The subsidies of satisfactory months, paid on the 15th of the next. */
static const char demo_payroll_subsidies_sql[] =
    "INSERT INTO wage_payment (kind, county_code, placement_id, worker_id, month, amount, "
    "account_id, "
    "                          status, paid_on, source, recorded_by, created_at) "
    "SELECT 'subsidy', t.county_code, t.placement_id, p.worker_id, a.month, t.monthly_subsidy, "
    "       (SELECT min(x.id) FROM pay_account x WHERE x.worker_id = p.worker_id), 'paid', "
    "       (a.month + interval '1 month 14 days')::date, 'bank_return', '一卡通平台', "
    "       a.month + interval '1 month 15 days' "
    "FROM post_assessment a JOIN post_terms t ON t.placement_id = a.placement_id "
    "JOIN placement p ON p.id = a.placement_id "
    "WHERE a.satisfactory AND (a.month + interval '1 month 14 days')::date <= placement_today()";

/* The worker whose first card was closed (the failed payment's line). */
static const char demo_payroll_closed_sql[] =
    "SELECT w.id, w.name FROM pay_line l JOIN pay_sheet s ON s.id = l.sheet_id "
    "JOIN worker w ON w.id = l.worker_id "
    "WHERE s.month = (SELECT min(month) FROM demo_month) ORDER BY l.id LIMIT 1";

/* One made-up card for each worker sql lists (id, name), encrypted; second
 * makes a different number.  Returns the number written, or -1. */
static int demo_payroll_cards(PGconn *conn, const char *sql, bool second)
{
    static const char *const prefixes[] = {"621799", "622848", "623059", "621483"};
    static const char *const banks[] = {"中国邮政储蓄银行", "中国农业银行", "云南省农村信用社",
                                        "中国建设银行"};
    PGresult *r = PQexec(conn, sql);
    int n = -1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        log_error("demo data (payees): %s", PQerrorMessage(conn));
        goto done;
    }
    for (n = 0; n < PQntuples(r); n++) {
        unsigned long long id = strtoull(PQgetvalue(r, n, 0), NULL, 10);
        int k = (int)((id + second) % 4);
        char number[PII_ACCOUNT_MAX], hash[PII_HASH_HEX], enc[PII_ACCOUNT_ENC_HEX],
            mask[PII_ACCOUNT_MAX];
        snprintf(number, sizeof number, "%s%013llu", prefixes[k],
                 (id * 7919ULL + (second ? 104729ULL : 0)) % 10000000000000ULL);
        if (pii_encrypt_account(number, enc) < 0) {
            n = -1;
            goto done;
        }
        pii_hash_account(number, hash);
        snprintf(mask, sizeof mask, "%.4s***********%.4s", number, number + 15);
        const char *v[6] = {PQgetvalue(r, n, 0), hash, enc, mask, PQgetvalue(r, n, 1), banks[k]};
        PGresult *ins =
            PQexecParams(conn,
                         "INSERT INTO pay_account (worker_id, account_hash, account_enc, "
                         "account_masked, holder_name, bank) "
                         "VALUES ($1, $2::bytea, $3::bytea, $4, $5, $6)",
                         6, NULL, v, NULL, NULL, 0);
        sodium_memzero(number, sizeof number);
        sodium_memzero(enc, sizeof enc);
        bool ok = PQresultStatus(ins) == PGRES_COMMAND_OK;
        PQclear(ins);
        if (!ok) {
            log_error("demo data (cards): %s", PQerrorMessage(conn));
            n = -1;
            goto done;
        }
    }
done:
    PQclear(r);
    return n;
}

int demo_payroll_run(PGconn *conn)
{
    if (!demo_sql_run(conn, "attendance", demo_payroll_attendance_sql) ||
        !demo_sql_run(conn, "pay sheets", demo_payroll_sheets_sql) ||
        !demo_sql_run(conn, "post terms", demo_payroll_posts_sql))
        return -1;
    int cards = demo_payroll_cards(conn, demo_payroll_payees_sql, false);
    if (cards < 0 || demo_payroll_cards(conn, demo_payroll_closed_sql, true) < 0 ||
        !demo_sql_run(conn, "wages", demo_payroll_wages_sql) ||
        !demo_sql_run(conn, "subsidies", demo_payroll_subsidies_sql))
        return -1;
    log_info("demo payroll: %d workers with a card, their wages and post subsidies", cards);
    return 0;
}
