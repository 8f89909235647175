#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privacy.h"

/* text shaped for caller, written back compactly with sorted keys (a new string) */
static char *shaped(const char *text, enum privacy_caller caller, unsigned revealed)
{
    json_error_t err;
    json_t *v = json_loads(text, 0, &err);
    if (!v)
        fail_msg("bad test JSON %s: %s", text, err.text);
    privacy_shape_json(v, caller, revealed);
    char *out = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(v);
    return out;
}

static void expect_shape(const char *text, enum privacy_caller caller, unsigned revealed,
                         const char *want)
{
    char *got = shaped(text, caller, revealed);
    if (strcmp(got, want) != 0)
        fail_msg("caller %d: %s\n  got  %s\n  want %s", (int)caller, text, got, want);
    free(got);
}

static void test_mask_idnum(void **state)
{
    (void)state;
    char out[19];
    privacy_mask_idnum("530622198402292204", out);
    assert_string_equal(out, "530622***********4");
    privacy_mask_idnum("11010519491231002x", out);
    assert_string_equal(out, "110105***********X");
    privacy_mask_idnum("530622********2204", out); /* a mask of the old shape */
    assert_string_equal(out, "530622***********4");
    privacy_mask_idnum("5306221984022922", out);
    assert_string_equal(out, "******************");
    privacy_mask_idnum("53062219840229220412", out);
    assert_string_equal(out, "******************");
    privacy_mask_idnum("", out);
    assert_string_equal(out, "******************");
}

static const char worker[] =
    "{\"id\":7,\"name\":\"张三\",\"id_number_masked\":\"530622********2204\","
    "\"birth_date\":\"1984-02-29\",\"age\":41,\"sex\":\"F\",\"phone_masked\":\"138****5678\","
    "\"household_id\":3,\"monitoring_status\":\"unstable\",\"zero_employment\":true}";

static void test_staff_get_age_and_the_short_mask(void **state)
{
    (void)state;
    const char *want = "{\"age\":41,\"household_id\":3,\"id\":7,\"id_number_masked\":"
                       "\"530622***********4\",\"monitoring_status\":\"unstable\",\"name\":"
                       "\"张三\",\"phone_masked\":\"138****5678\",\"sex\":\"F\","
                       "\"zero_employment\":true}";
    expect_shape(worker, PRIVACY_STAFF, false, want);
    /* pii:reveal alone changes nothing outside a reveal */
    expect_shape(worker, PRIVACY_STAFF_REVEAL, false, want);
    /* a staff answer marked as a reveal still does not pass the birth date */
    expect_shape(worker, PRIVACY_STAFF, true, want);
}

static void test_reveal_answer(void **state)
{
    (void)state;
    const char *reveal =
        "{\"birth_date\":\"1984-02-29\",\"id_number\":\"530622198402292204\",\"phone\":null}";
    expect_shape(reveal, PRIVACY_STAFF_REVEAL, true, reveal);
    expect_shape(reveal, PRIVACY_STAFF_REVEAL, false, "{}");
    expect_shape(reveal, PRIVACY_STAFF, true, "{}");
    expect_shape(reveal, PRIVACY_KIOSK, true, "{}");
    expect_shape(reveal, PRIVACY_BROKER, true, "{}");
}

static void test_broker_and_public(void **state)
{
    (void)state;
    const char *want = "{\"age\":41,\"id\":7,\"name\":\"张三\",\"sex\":\"F\"}";
    expect_shape(worker, PRIVACY_BROKER, false, want);
    expect_shape(worker, PRIVACY_PUBLIC, false, want);
    /* a kiosk: the person's own record, without household status on a public screen */
    expect_shape(worker, PRIVACY_KIOSK, false,
                 "{\"age\":41,\"household_id\":3,\"id\":7,\"id_number_masked\":"
                 "\"530622***********4\",\"name\":\"张三\",\"phone_masked\":\"138****5678\","
                 "\"sex\":\"F\"}");
}

static void test_broker_match_answer(void **state)
{
    (void)state;
    const char *hit =
        "{\"items\":[{\"id\":1,\"score\":71.5,\"parts\":{\"skill\":20,\"priority\":0},"
        "\"reasons\":[{\"code\":\"skill_ok\",\"text\":\"a\"},"
        "{\"code\":\"prio_monitoring\",\"text\":\"防返贫监测户优先\"},"
        "{\"code\":\"prio_zero_employment\",\"text\":\"零就业家庭优先\"},"
        "{\"code\":\"filter\",\"filter\":\"household_post\",\"text\":\"b\"},"
        "{\"code\":\"filter\",\"filter\":\"age\",\"text\":\"c\"}],"
        "\"failed\":[\"household_post\",\"age\"],"
        "\"worker\":{\"id\":1,\"household\":{\"id\":2},\"zero_employment_since\":\"x\"}}],"
        "\"weights\":{\"skill\":40,\"prio_relocated\":0.4,\"prio_monitoring\":0.3}}";
    expect_shape(hit, PRIVACY_BROKER, false,
                 "{\"items\":[{\"failed\":[\"age\"],\"id\":1,\"parts\":{\"skill\":20},"
                 "\"reasons\":[{\"code\":\"skill_ok\",\"text\":\"a\"},"
                 "{\"code\":\"filter\",\"filter\":\"age\",\"text\":\"c\"}],\"score\":71.5,"
                 "\"worker\":{\"id\":1}}],\"weights\":{\"skill\":40}}");
    char *kiosk = shaped(hit, PRIVACY_KIOSK, false);
    assert_null(strstr(kiosk, "\"code\":\"prio_monitoring\""));
    assert_null(strstr(kiosk, "零就业"));
    assert_non_null(strstr(kiosk, "\"priority\""));
    free(kiosk);
    char *staff = shaped(hit, PRIVACY_STAFF, false);
    assert_non_null(strstr(staff, "prio_monitoring"));
    assert_non_null(strstr(staff, "\"priority\""));
    free(staff);
}

static void test_actions(void **state)
{
    (void)state;
    assert_int_equal(privacy_action_of("birth_date", PRIVACY_STAFF, false), PRIVACY_DROP);
    assert_int_equal(privacy_action_of("birth_date", PRIVACY_STAFF_REVEAL, true), PRIVACY_KEEP);
    assert_int_equal(privacy_action_of("phone_masked", PRIVACY_BROKER, false), PRIVACY_DROP);
    assert_int_equal(privacy_action_of("phone_masked", PRIVACY_STAFF, false), PRIVACY_KEEP);
    assert_int_equal(privacy_action_of("priority", PRIVACY_BROKER, false), PRIVACY_DROP);
    assert_int_equal(privacy_action_of("household_id", PRIVACY_BROKER, false), PRIVACY_DROP);
    assert_int_equal(privacy_action_of("site_name", PRIVACY_BROKER, false), PRIVACY_KEEP);
    assert_int_equal(privacy_action_of("id_number_masked", PRIVACY_KIOSK, false), PRIVACY_REMASK);
    assert_int_equal(privacy_action_of("age", PRIVACY_PUBLIC, false), PRIVACY_KEEP);
    assert_int_equal(privacy_action_of("id_number", 99, true), PRIVACY_DROP);
    /* bank accounts: the number never, the mask and holder not for brokers */
    assert_int_equal(privacy_action_of("account_number", PRIVACY_STAFF_REVEAL, true), PRIVACY_DROP);
    assert_int_equal(privacy_action_of("account_masked", PRIVACY_STAFF, false), PRIVACY_KEEP);
    assert_int_equal(privacy_action_of("account_masked", PRIVACY_BROKER, false), PRIVACY_DROP);
    assert_int_equal(privacy_action_of("holder_name", PRIVACY_PUBLIC, false), PRIVACY_DROP);
}

static void test_needs_shaping(void **state)
{
    (void)state;
    const char *ok = "{\"items\": [{\"id_number_masked\": \"530622***********4\", \"age\": 41}, "
                     "{\"id_number_masked\": null}]}";
    assert_false(privacy_json_needs_shaping(ok, strlen(ok), PRIVACY_STAFF, false));
    assert_true(privacy_json_needs_shaping(ok, strlen(ok), PRIVACY_BROKER, false));
    const char *old = "{\"id_number_masked\": \"530622********2204\"}";
    assert_true(privacy_json_needs_shaping(old, strlen(old), PRIVACY_STAFF, false));
    const char *birth = "{\"birth_date\":\"1984-02-29\"}";
    assert_true(privacy_json_needs_shaping(birth, strlen(birth), PRIVACY_STAFF_REVEAL, false));
    assert_false(privacy_json_needs_shaping(birth, strlen(birth), PRIVACY_STAFF_REVEAL, true));
    const char *prio = "{\"parts\":{\"priority\":12.5}}";
    assert_false(privacy_json_needs_shaping(prio, strlen(prio), PRIVACY_KIOSK, false));
    assert_true(privacy_json_needs_shaping(prio, strlen(prio), PRIVACY_BROKER, false));
    /* one pass: a later key of another rule is found after a well-shaped mask */
    const char *later =
        "{\"id_number_masked\": \"530622***********4\", \"phone\": \"13800000000\"}";
    assert_true(privacy_json_needs_shaping(later, strlen(later), PRIVACY_STAFF, false));
    const char *hh = "{\"name\":\"x\",\"household_id\":7}";
    assert_false(privacy_json_needs_shaping(hh, strlen(hh), PRIVACY_STAFF, false));
    assert_true(privacy_json_needs_shaping(hh, strlen(hh), PRIVACY_BROKER, false));
    /* cut short: a scan never reads past the end */
    assert_true(privacy_json_needs_shaping(old, 30, PRIVACY_STAFF, false));
    assert_false(privacy_json_needs_shaping("\"", 1, PRIVACY_STAFF, false));
}

static void expect_csv(const char *in, enum privacy_caller caller, const char *want)
{
    char *out;
    size_t n;
    assert_int_equal(privacy_shape_csv(in, strlen(in), caller, false, &out, &n), 0);
    if (!want) {
        assert_null(out);
        return;
    }
    assert_non_null(out);
    if (n != strlen(want) || memcmp(out, want, n) != 0)
        fail_msg("csv for caller %d\n  got  %.*s\n  want %s", (int)caller, (int)n, out, want);
    free(out);
}

static void test_csv(void **state)
{
    (void)state;
    const char *csv = "\xEF\xBB\xBFid,name,id_number_masked,birth_date,age,note\r\n"
                      "1,\"Li, Si\",530622********2204,1984-02-29,41,\"say \"\"hi\"\"\r\nbye\"\r\n"
                      "2,Wang,\"530622***********X\",,30,\r\n";
    expect_csv(csv, PRIVACY_STAFF,
               "\xEF\xBB\xBFid,name,id_number_masked,age,note\r\n"
               "1,\"Li, Si\",530622***********4,41,\"say \"\"hi\"\"\r\nbye\"\r\n"
               "2,Wang,530622***********X,30,\r\n");
    expect_csv(csv, PRIVACY_BROKER,
               "\xEF\xBB\xBFid,name,age,note\r\n"
               "1,\"Li, Si\",41,\"say \"\"hi\"\"\r\nbye\"\r\n"
               "2,Wang,30,\r\n");
    /* nothing to shape: no new buffer */
    expect_csv("id,name\r\n1,a\r\n", PRIVACY_BROKER, NULL);
    expect_csv("", PRIVACY_STAFF, NULL);
    /* a row longer than the header loses its extra fields */
    expect_csv("birth_date,id\n1984-01-01,1,2\n", PRIVACY_STAFF, "id\r\n1\r\n");
}

/* ethnicity travels only to staff, in an answer marked for the ethnicity
 * permission; a reveal's mark does not let it through */
static void test_ethnicity(void **state)
{
    (void)state;
    const char *in = "{\"dimensions\":{\"ethnicity\":[{\"group\":\"x\"}],\"sex\":[]}}";
    const char *kept = "{\"dimensions\":{\"ethnicity\":[{\"group\":\"x\"}],\"sex\":[]}}";
    const char *gone = "{\"dimensions\":{\"sex\":[]}}";
    expect_shape(in, PRIVACY_STAFF, PRIVACY_MARK_ETHNICITY, kept);
    expect_shape(in, PRIVACY_STAFF_REVEAL, PRIVACY_MARK_ETHNICITY | PRIVACY_MARK_REVEALED, kept);
    expect_shape(in, PRIVACY_STAFF, 0, gone);
    expect_shape(in, PRIVACY_STAFF_REVEAL, PRIVACY_MARK_REVEALED, gone);
    expect_shape(in, PRIVACY_KIOSK, PRIVACY_MARK_ETHNICITY, gone);
    expect_shape(in, PRIVACY_BROKER, PRIVACY_MARK_ETHNICITY, gone);
    expect_shape(in, PRIVACY_PUBLIC, PRIVACY_MARK_ETHNICITY, gone);
    assert_true(privacy_json_needs_shaping(in, strlen(in), PRIVACY_STAFF, 0));
    assert_false(privacy_json_needs_shaping(in, strlen(in), PRIVACY_STAFF, PRIVACY_MARK_ETHNICITY));
    char *out = NULL;
    size_t n = 0;
    const char *csv = "worker_id,ethnicity\r\n7,x\r\n";
    assert_int_equal(privacy_shape_csv(csv, strlen(csv), PRIVACY_STAFF, 0, &out, &n), 0);
    assert_non_null(out);
    assert_int_equal(n, strlen("worker_id\r\n7\r\n"));
    assert_memory_equal(out, "worker_id\r\n7\r\n", n);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_idnum),
        cmocka_unit_test(test_staff_get_age_and_the_short_mask),
        cmocka_unit_test(test_reveal_answer),
        cmocka_unit_test(test_broker_and_public),
        cmocka_unit_test(test_broker_match_answer),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_needs_shaping),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_ethnicity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
