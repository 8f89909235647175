#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "csv.h"

#include <stdlib.h>
#include <string.h>

static void parse_all(const char *text, struct csv_record *recs, size_t max, size_t *n,
                      size_t *errors)
{
    static struct csv_parser ps;
    csv_init(&ps, text, strlen(text));
    *n = *errors = 0;
    enum csv_status st;
    struct csv_record r;
    while ((st = csv_next(&ps, &r)) != CSV_END) {
        if (st == CSV_ERROR) {
            (*errors)++;
            continue;
        }
        assert_true(*n < max);
        recs[*n] = r;
        /* fields point into the parser: copy for later checks */
        for (size_t i = 0; i < r.n; i++)
            recs[*n].field[i] = strdup(r.field[i]);
        (*n)++;
    }
}

static void free_all(struct csv_record *recs, size_t n)
{
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < recs[k].n; i++)
            free((void *)(uintptr_t)recs[k].field[i]);
}

static void test_simple_rows(void **state)
{
    (void)state;
    struct csv_record recs[4];
    size_t n, e;
    parse_all("name,age\r\n张三, 30 \r\n李四,41\n", recs, 4, &n, &e);
    assert_int_equal(n, 3);
    assert_int_equal(e, 0);
    assert_string_equal(recs[1].field[0], "张三");
    assert_string_equal(recs[1].field[1], "30");
    assert_int_equal(recs[2].line, 3);
    free_all(recs, n);
}

static void test_quotes_commas_newlines(void **state)
{
    (void)state;
    struct csv_record recs[4];
    size_t n, e;
    parse_all("a,\"b, c\",\"say \"\"hi\"\"\"\n\"multi\nline\",x,\n next,1,2\n", recs, 4, &n, &e);
    assert_int_equal(n, 3);
    assert_string_equal(recs[0].field[1], "b, c");
    assert_string_equal(recs[0].field[2], "say \"hi\"");
    assert_string_equal(recs[1].field[0], "multi\nline");
    assert_int_equal(recs[1].n, 3);
    assert_string_equal(recs[1].field[2], "");
    assert_int_equal(recs[2].line, 4);
    free_all(recs, n);
}

static void test_blank_lines_skipped(void **state)
{
    (void)state;
    struct csv_record recs[4];
    size_t n, e;
    parse_all("a\n\n\r\n,,\nb\n", recs, 4, &n, &e);
    assert_int_equal(n, 2);
    assert_int_equal(recs[1].line, 5);
    free_all(recs, n);
}

static void test_errors_reported_and_skipped(void **state)
{
    (void)state;
    struct csv_record recs[4];
    size_t n, e;
    parse_all("ok,1\nbad\"quote,2\n\"x\"y,3\nok,4\n\"open,5\n", recs, 4, &n, &e);
    assert_int_equal(n, 2);
    assert_int_equal(e, 3);
    assert_string_equal(recs[1].field[1], "4");
    free_all(recs, n);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    char line[CSV_MAX_FIELDS * 2 + 8] = "";
    for (int i = 0; i < CSV_MAX_FIELDS + 1; i++)
        strcat(line, i ? ",x" : "x");
    strcat(line, "\n");
    struct csv_parser ps;
    struct csv_record r;
    csv_init(&ps, line, strlen(line));
    assert_int_equal(csv_next(&ps, &r), CSV_ERROR);
    assert_string_equal(ps.error, "too_many_fields");
    assert_int_equal(csv_next(&ps, &r), CSV_END);
}

static void test_field_too_long(void **state)
{
    (void)state;
    size_t len = CSV_MAX_FIELD + 10;
    char *text = malloc(len + 2);
    memset(text, 'a', len);
    text[len] = '\n';
    text[len + 1] = '\0';
    struct csv_parser ps;
    struct csv_record r;
    csv_init(&ps, text, strlen(text));
    assert_int_equal(csv_next(&ps, &r), CSV_ERROR);
    assert_string_equal(ps.error, "field_too_long");
    free(text);
}

static void test_utf8_with_bom(void **state)
{
    (void)state;
    char *out;
    size_t len;
    enum csv_encoding enc;
    assert_int_equal(csv_to_utf8("\xEF\xBB\xBF姓名\n", 10, &out, &len, &enc), 0);
    assert_int_equal(enc, CSV_UTF8);
    assert_string_equal(out, "姓名\n");
    free(out);
}

static void test_gbk_converted(void **state)
{
    (void)state;
    char *out;
    size_t len;
    enum csv_encoding enc;
    /* "张三,1\n" in GBK */
    assert_int_equal(csv_to_utf8("\xD5\xC5\xC8\xFD,1\n", 7, &out, &len, &enc), 0);
    assert_int_equal(enc, CSV_GB18030);
    assert_string_equal(out, "张三,1\n");
    free(out);
}

static void test_nul_and_garbage_refused(void **state)
{
    (void)state;
    char *out;
    size_t len;
    enum csv_encoding enc;
    assert_int_equal(csv_to_utf8("a\0b", 3, &out, &len, &enc), -1);
    assert_int_equal(csv_to_utf8("\x81\x20", 2, &out, &len, &enc), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_rows),
        cmocka_unit_test(test_quotes_commas_newlines),
        cmocka_unit_test(test_blank_lines_skipped),
        cmocka_unit_test(test_errors_reported_and_skipped),
        cmocka_unit_test(test_too_many_fields),
        cmocka_unit_test(test_field_too_long),
        cmocka_unit_test(test_utf8_with_bom),
        cmocka_unit_test(test_gbk_converted),
        cmocka_unit_test(test_nul_and_garbage_refused),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
