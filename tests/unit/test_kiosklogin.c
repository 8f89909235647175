#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "jv.h"
#include "kiosklogin.h"
#include "problem.h"

#define TODAY 20261128

/* Parses text as the body; returns kiosklogin_parse's result and the field
 * errors as "field:code,..." in errs. */
static int parse(const char *text, char id18[19], char pin[7], char *errs, size_t cap)
{
    json_error_t e;
    json_t *body = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    assert_non_null(body);
    json_t *problem = problem_new("validation_failed", PROBLEM_LANG_EN, NULL);
    int rc = kiosklogin_parse(body, TODAY, problem, PROBLEM_LANG_EN, id18, pin);
    errs[0] = '\0';
    size_t i;
    json_t *err;
    json_array_foreach(json_object_get(problem, "errors"), i, err)
    {
        size_t n = strlen(errs);
        snprintf(errs + n, cap - n, "%s%s:%s", n ? "," : "",
                 json_string_value(json_object_get(err, "field")),
                 json_string_value(json_object_get(err, "code")));
    }
    assert_int_equal(rc == 0, jv_error_count(problem) == 0);
    json_decref(problem);
    json_decref(body);
    return rc;
}

static void test_good(void **state)
{
    (void)state;
    char id[19], pin[7], errs[256];
    assert_int_equal(parse("{\"id_number\":\"11010519491231002x\",\"pin\":\"012345\"}", id, pin,
                           errs, sizeof errs),
                     0);
    assert_string_equal(id, "11010519491231002X");
    assert_string_equal(pin, "012345");
}

static void test_bad(void **state)
{
    (void)state;
    static const struct {
        const char *body, *errs;
    } cases[] = {
        {"{\"id_number\":\"110105194912310021\",\"pin\":\"123456\"}", "id_number:check_digit"},
        {"{\"id_number\":\"11010519491231002X\",\"pin\":\"12345\"}", "pin:too_short"},
        {"{\"id_number\":\"11010519491231002X\",\"pin\":\"12345a\"}", "pin:invalid_format"},
        {"{\"id_number\":\"11010519491231002X\",\"pin\":123456}", "pin:invalid_type"},
        {"{\"pin\":\"123456\"}", "id_number:required"},
        {"{\"id_number\":\"11010519491231002X\",\"pin\":\"123456\",\"x\":1}", "x:unknown_field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char id[19], pin[7], errs[256];
        assert_int_equal(parse(cases[i].body, id, pin, errs, sizeof errs), -1);
        if (strcmp(errs, cases[i].errs))
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].body, errs, cases[i].errs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
