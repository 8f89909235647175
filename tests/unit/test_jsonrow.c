#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonrow.h"

/* a column of value v (NULL for SQL NULL) */
static struct jsonrow_col col(const char *name, enum jsonrow_kind kind, const char *v)
{
    return (struct jsonrow_col){name, strlen(name), kind, v, v ? strlen(v) : 0};
}

/* The kinds of member a worker's answer has, each as the database sends it. */
static void test_writes_each_kind_in_column_order(void **state)
{
    (void)state;
    /* a time as the database sends it as json: today's, in the ISO form */
    char at[64], want[400];
    time_t now = time(NULL);
    strftime(at, sizeof at, "\"%Y-%m-%dT%H:%M:%S.123456+08:00\"", gmtime(&now));
    const struct jsonrow_col cols[] = {
        col("id", JSONROW_RAW, "42"),
        col("sex", JSONROW_STRING, "F"),
        col("skills", JSONROW_RAW, "[{\"code\" : \"a\", \"level\" : 2}]"),
        col("archived", JSONROW_BOOL, "f"),
        col("placement", JSONROW_RAW, NULL),
        col("created_at", JSONROW_RAW, at),
        col("phone_masked", JSONROW_STRING, NULL),
        col("consent_brokers", JSONROW_BOOL, "t"),
    };
    size_t len = 0;
    char *s = jsonrow_object(cols, 8, &len);
    assert_non_null(s);
    snprintf(want, sizeof want,
             "{\"id\":42,\"sex\":\"F\",\"skills\":[{\"code\" : \"a\", \"level\" : 2}],"
             "\"archived\":false,\"placement\":null,\"created_at\":%s,"
             "\"phone_masked\":null,\"consent_brokers\":true}",
             at);
    assert_string_equal(s, want);
    assert_int_equal(len, strlen(s));
    free(s);
}

/* Strings are escaped as PostgreSQL's json output escapes them: the quote,
 * the backslash, \b \f \n \r \t, \u00xx for the other control characters,
 * and every other byte (UTF-8 included) as it is. */
static void test_escapes_as_postgresql_does(void **state)
{
    (void)state;
    const struct jsonrow_col cols[] = {
        col("name", JSONROW_STRING, "a\"b\\c\b\f\n\r\t\x01\x1f\x7f 李/</"),
        col("q\"k", JSONROW_STRING, ""),
    };
    size_t len = 0;
    char *s = jsonrow_object(cols, 2, &len);
    assert_non_null(s);
    assert_string_equal(
        s, "{\"name\":\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\x7f 李/</\",\"q\\\"k\":\"\"}");
    free(s);
}

/* The longest escape for every byte fits the space reserved for it. */
static void test_worst_case_fits(void **state)
{
    (void)state;
    char v[300];
    memset(v, '\x02', sizeof v - 1);
    v[sizeof v - 1] = '\0';
    const struct jsonrow_col cols[] = {col(v, JSONROW_STRING, v), col("b", JSONROW_BOOL, "")};
    size_t len = 0;
    char *s = jsonrow_object(cols, 2, &len);
    assert_non_null(s);
    assert_int_equal(len, 2 + 2 * (2 + 299 * 6) + 1 + 1 + 4 + 5);
    assert_string_equal(s + len - 10, "\"b\":false}");
    free(s);
}

/* No JSON value is empty text: a RAW column with no bytes is refused, and
 * no columns are an empty object. */
static void test_empty_raw_is_refused(void **state)
{
    (void)state;
    const struct jsonrow_col cols[] = {col("id", JSONROW_RAW, "")};
    size_t len = 0;
    assert_null(jsonrow_object(cols, 1, &len));
    char *s = jsonrow_object(cols, 0, &len);
    assert_non_null(s);
    assert_string_equal(s, "{}");
    assert_int_equal(len, 2);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_each_kind_in_column_order),
        cmocka_unit_test(test_escapes_as_postgresql_does),
        cmocka_unit_test(test_worst_case_fits),
        cmocka_unit_test(test_empty_raw_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
