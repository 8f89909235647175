#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "date.h"
#include "fields.h"
#include "import.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The tests' clock: today in China (YYYYMMDD and day number), set in main;
 * every date and ID number below is reckoned from it. */
static int TODAY;
static int32_t today_day;

/* day as "YYYY-MM-DD" */
static const char *day_text(int32_t day, char out[11])
{
    int y, m, d;
    date_civil(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return out;
}

/* A valid ID number of region, born on day, with sequence seq (000-999). */
static const char *id_born(int region, int32_t day, int seq, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "%06d%08d%03d", region, (int)date_ymd(day), seq);
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
    return out;
}

/* Born so many years before today. */
static int32_t years_ago(int years)
{
    return date_add_months(today_day, -12 * years);
}

static int seals, refuse;

static int seal(const char *tag, const char *value, struct import_sealed *out)
{
    seals++;
    if (refuse)
        return -1;
    snprintf(out->hash, sizeof out->hash, "h-%s-%s", tag, value);
    snprintf(out->enc, sizeof out->enc, "e-%s-%s", tag, value);
    return 0;
}

static int seal_idnum(void *ctx, const char *id18, struct import_sealed *out)
{
    (void)ctx;
    return seal("id", id18, out);
}

static int seal_phone(void *ctx, const char *phone, struct import_sealed *out)
{
    (void)ctx;
    return seal("ph", phone, out);
}

static const struct import_hooks hooks = {seal_idnum, seal_phone, NULL};

static void run(struct import *im, bool workers, const char *text)
{
    seals = refuse = 0;
    assert_int_equal(import_init(im, workers, PROBLEM_LANG_EN, TODAY, &hooks), 0);
    import_run(im, text, strlen(text));
    assert_false(im->oom);
}

static const char *fault(const struct import *im, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(im->errors, i), key));
}

static void test_households_in_chinese(void **state)
{
    (void)state;
    struct import im;
    char found[11], text[512], expect[64];
    day_text(today_day - 90, found);
    snprintf(text, sizeof text,
             "户编号,安置点ID,迁出县代码,迁出村,家庭人口,监测类型,发现方式,认定日期\n"
             "H-1,7,530621,\"龙头山\"\"村\",4,无,,\n"
             "H-2,7,530621,,3,脱贫不稳定户,干部走访,%s\n",
             found);
    run(&im, false, text);
    assert_null(im.fatal);
    assert_string_equal(im.encoding, "UTF-8");
    assert_int_equal(json_array_size(im.errors), 0);
    assert_int_equal(im.nrows, 2);
    assert_int_equal(im.valid, 2);
    assert_int_equal(im.nout, IMPORT_H_NOUT);
    assert_string_equal(im.out[IMPORT_H_LINE].p, "{2,3}");
    assert_string_equal(im.out[IMPORT_H_REF].p, "{\"H-1\",\"H-2\"}");
    assert_string_equal(im.out[IMPORT_H_VILLAGE].p, "{\"龙头山\\\"村\",NULL}");
    assert_string_equal(im.out[IMPORT_H_MONITORING].p, "{\"none\",\"unstable\"}");
    assert_string_equal(im.out[IMPORT_H_FOUND_BY].p, "{NULL,\"cadre_visit\"}");
    snprintf(expect, sizeof expect, "{NULL,\"%s\"}", found);
    assert_string_equal(im.out[IMPORT_H_FOUND_ON].p, expect);
    import_free(&im);
}

static void test_monitoring_needs_how_and_when(void **state)
{
    (void)state;
    struct import im;
    run(&im, false,
        "ref,site_id,origin_county_code,members,monitoring_status,monitoring_found_by\n"
        "A,1,530621,2,unstable,\n"
        "B,1,530621,2,none,cadre_visit\n"
        "C,1,530621,2,marginal,data_comparison\n");
    assert_int_equal(im.valid, 0);
    assert_int_equal(json_array_size(im.errors), 4);
    assert_string_equal(fault(&im, 0, "field"), "monitoring_found_by");
    assert_string_equal(fault(&im, 0, "code"), "required");
    assert_string_equal(fault(&im, 1, "field"), "monitoring_found_on");
    assert_string_equal(fault(&im, 2, "code"), "not_allowed");
    assert_string_equal(fault(&im, 3, "field"), "monitoring_found_on");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(im.errors, 3), "line")), 4);
    assert_string_equal(im.out[IMPORT_H_LINE].p, "{}");
    import_free(&im);
}

static void test_bounds_come_from_the_fields_table(void **state)
{
    (void)state;
    char text[512], a[19], b[19], c[19], d[19];
    snprintf(text, sizeof text,
             "site_id,household_ref,name,id_number,max_commute_km,wage_floor\n"
             "1,H,甲,%s,%d,%d\n"
             "1,H,乙,%s,%d,0\n"
             "1,H,丙,%s,0,%d\n"
             "1,H,丁,%s,12km,0\n",
             id_born(530102, years_ago(35) - 20, 123, a), FIELDS_MAX(MAX_COMMUTE_KM),
             FIELDS_MAX(WAGE_FLOOR), id_born(532901, years_ago(47) - 100, 5, b),
             FIELDS_MAX(MAX_COMMUTE_KM) + 1, id_born(532301, years_ago(33) - 40, 7, c),
             FIELDS_MAX(WAGE_FLOOR) + 1, id_born(110105, years_ago(76) - 3, 2, d));
    struct import im;
    run(&im, true, text);
    assert_int_equal(im.valid, 1);
    assert_int_equal(json_array_size(im.errors), 3);
    assert_string_equal(fault(&im, 0, "field"), "max_commute_km");
    assert_string_equal(fault(&im, 0, "code"), "out_of_range");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(im.errors, 0), "line")), 3);
    assert_string_equal(fault(&im, 1, "field"), "wage_floor");
    assert_string_equal(fault(&im, 1, "code"), "out_of_range");
    assert_string_equal(fault(&im, 2, "code"), "invalid_format");
    assert_string_equal(fault(&im, 2, "message"), "is not in the expected format");
    char expect[64];
    snprintf(expect, sizeof expect, "{%d}", FIELDS_MAX(MAX_COMMUTE_KM));
    assert_string_equal(im.out[IMPORT_W_COMMUTE].p, expect);
    import_free(&im);
}

static void test_worker_secrets_go_through_the_hooks(void **state)
{
    (void)state;
    struct import im;
    char id[19], text[256], expect[64], born[11];
    int32_t birth = years_ago(36) - 10;
    snprintf(text, sizeof text,
             "安置点ID,户编号,姓名,身份证号,手机号,技能,愿意县外就业,文化程度\n"
             "3,H-1,张三,%s,13812345678,焊工:3;电工,是,初中\n",
             id_born(530102, birth, 123, id));
    run(&im, true, text);
    assert_int_equal(json_array_size(im.errors), 0);
    assert_int_equal(im.valid, 1);
    assert_int_equal(seals, 2);
    snprintf(expect, sizeof expect, "{\"h-id-%s\"}", id);
    assert_string_equal(im.out[IMPORT_W_ID_HASH].p, expect);
    snprintf(expect, sizeof expect, "{\"e-id-%s\"}", id);
    assert_string_equal(im.out[IMPORT_W_ID_ENC].p, expect);
    snprintf(expect, sizeof expect, "{\"%s\"}", day_text(birth, born));
    assert_string_equal(im.out[IMPORT_W_BIRTH].p, expect);
    assert_string_equal(im.out[IMPORT_W_SEX].p, "{\"M\"}");
    snprintf(expect, sizeof expect, "%d", (int)date_ymd(birth));
    assert_null(strstr(im.out[IMPORT_W_ID_MASKED].p, expect));
    assert_string_equal(im.out[IMPORT_W_PHONE_HASH].p, "{\"h-ph-13812345678\"}");
    assert_null(strstr(im.out[IMPORT_W_PHONE_MASKED].p, "12345678"));
    assert_string_equal(im.out[IMPORT_W_SKILL_LINE].p, "{2,2}");
    assert_string_equal(im.out[IMPORT_W_SKILL].p, "{\"焊工\",\"电工\"}");
    assert_string_equal(im.out[IMPORT_W_SKILL_LEVEL].p, "{3,1}");
    assert_string_equal(im.out[IMPORT_W_OUT_COUNTY].p, "{t}");
    assert_string_equal(im.out[IMPORT_W_EDUCATION].p, "{\"junior_secondary\"}");
    assert_string_equal(im.out[IMPORT_W_WAGE_FLOOR].p, "{NULL}");
    import_free(&im);
}

static void test_bad_row_adds_nothing(void **state)
{
    (void)state;
    struct import im;
    char a[19], b[19], text[256], expect[64];
    snprintf(text, sizeof text,
             "site_id,household_ref,name,id_number,skills\n"
             "1,H,甲,%s,焊工:9\n"
             "1,H,乙,%s,焊工:2\n",
             id_born(530102, years_ago(35) - 20, 123, a),
             id_born(532901, years_ago(47) - 100, 5, b));
    run(&im, true, text);
    assert_int_equal(im.valid, 1);
    assert_string_equal(fault(&im, 0, "field"), "skills");
    assert_string_equal(fault(&im, 0, "code"), "out_of_range");
    assert_string_equal(im.out[IMPORT_W_LINE].p, "{3}");
    assert_string_equal(im.out[IMPORT_W_SKILL_LINE].p, "{3}");
    snprintf(expect, sizeof expect, "{\"h-id-%s\"}", b);
    assert_string_equal(im.out[IMPORT_W_ID_HASH].p, expect);
    import_free(&im);
}

static void test_too_young_and_unsealable(void **state)
{
    (void)state;
    struct import im;
    char id[19], text[128];
    /* sixteen tomorrow */
    snprintf(text, sizeof text, "site_id,household_ref,name,id_number\n1,H,甲,%s\n",
             id_born(530102, years_ago(16) + 1, 123, id));
    run(&im, true, text);
    assert_int_equal(im.valid, 0);
    assert_string_equal(fault(&im, 0, "field"), "id_number");
    import_free(&im);

    seals = 0;
    refuse = 1;
    assert_int_equal(import_init(&im, true, PROBLEM_LANG_ZH, TODAY, &hooks), 0);
    snprintf(text, sizeof text, "site_id,household_ref,name,id_number\n1,H,甲,%s\n",
             id_born(530102, years_ago(35), 123, id));
    import_run(&im, text, strlen(text));
    assert_int_equal(im.valid, 0);
    assert_string_equal(fault(&im, 0, "code"), "invalid_format");
    import_free(&im);
}

static void test_header_faults(void **state)
{
    (void)state;
    struct import im;
    run(&im, false, "ref,site_id,colour\nA,1,red\n");
    assert_int_equal(im.nrows, 0);
    assert_string_equal(fault(&im, 0, "code"), "unknown_field");
    assert_string_equal(fault(&im, 0, "column"), "colour");
    assert_string_equal(fault(&im, 1, "field"), "origin_county_code");
    assert_string_equal(fault(&im, 1, "code"), "required");
    assert_string_equal(fault(&im, 2, "field"), "members");
    import_free(&im);
}

static void test_whole_file_faults(void **state)
{
    (void)state;
    struct import im;
    run(&im, false, "");
    assert_string_equal(im.fatal, "required");
    import_free(&im);
    assert_int_equal(import_init(&im, true, PROBLEM_LANG_EN, TODAY, &hooks), 0);
    import_run(&im, "a\0b", 3);
    assert_string_equal(im.fatal, "invalid_utf8");
    import_error(&im, 1, "", "", im.fatal);
    assert_string_equal(fault(&im, 0, "code"), "invalid_utf8");
    import_free(&im);
}

static void test_fields_table(void **state)
{
    (void)state;
    assert_true(fields_count > 0);
    for (size_t i = 0; i < fields_count; i++) {
        assert_true(fields_table[i].min <= fields_table[i].max);
        assert_true((fields_table[i].table == NULL) == (fields_table[i].column == NULL));
    }
    assert_int_equal(FIELDS_MIN(MAX_COMMUTE_KM), 0);
    assert_int_equal(FIELDS_MAX(MAX_COMMUTE_KM), 3000);
    bool found = false;
    for (size_t i = 0; i < fields_count; i++)
        if (!strcmp(fields_table[i].field, "max_commute_km")) {
            found = true;
            assert_int_equal(fields_table[i].max, FIELDS_MAX(MAX_COMMUTE_KM));
            assert_string_equal(fields_table[i].table, "worker");
        }
    assert_true(found);
}

int main(void)
{
    time_t now = time(NULL) + 8 * 3600;
    struct tm t;
    gmtime_r(&now, &t);
    today_day = date_day(t.tm_year + 1900, t.tm_mon + 1, t.tm_mday);
    TODAY = (int)date_ymd(today_day);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_households_in_chinese),
        cmocka_unit_test(test_monitoring_needs_how_and_when),
        cmocka_unit_test(test_bounds_come_from_the_fields_table),
        cmocka_unit_test(test_worker_secrets_go_through_the_hooks),
        cmocka_unit_test(test_bad_row_adds_nothing),
        cmocka_unit_test(test_too_young_and_unsealable),
        cmocka_unit_test(test_header_faults),
        cmocka_unit_test(test_whole_file_faults),
        cmocka_unit_test(test_fields_table),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
