#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jv.h"
#include "problem.h"

static const struct jv_field id_fields[] = {
    {"ids", JV_ID_ARRAY, JV_REQUIRED, 1, 3, NULL, NULL},
};
static const struct jv_schema id_schema = JV_SCHEMA(id_fields);

/* Checks text against id_schema: the normalised object, or NULL with the
 * first error's code in code. */
static json_t *check(const char *text, const char **code)
{
    json_t *in = json_loads(text, 0, NULL);
    assert_non_null(in);
    json_t *problem = problem_new("validation_failed", PROBLEM_LANG_EN, NULL);
    json_t *out = jv_check(in, &id_schema, false, 20261129, "", problem, PROBLEM_LANG_EN);
    *code = NULL;
    json_t *errors = json_object_get(problem, "errors");
    if (json_array_size(errors) > 0) {
        static char buf[64];
        const json_t *e = json_array_get(errors, 0);
        snprintf(buf, sizeof buf, "%s/%s", json_string_value(json_object_get(e, "field")),
                 json_string_value(json_object_get(e, "code")));
        *code = buf;
    }
    assert_true((out != NULL) == (*code == NULL));
    json_decref(problem);
    json_decref(in);
    return out;
}

static void test_id_array_accepts_ids(void **state)
{
    (void)state;
    const char *code;
    json_t *out = check("{\"ids\": [3, 1, 3]}", &code);
    assert_non_null(out);
    json_t *ids = json_object_get(out, "ids");
    assert_int_equal(json_array_size(ids), 3); /* kept as given: the database folds the set */
    assert_int_equal(json_integer_value(json_array_get(ids, 1)), 1);
    json_decref(out);
}

static void test_id_array_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *body, *want;
    } cases[] = {
        {"{\"ids\": []}", "ids/too_short"},
        {"{\"ids\": [1, 2, 3, 4]}", "ids/too_long"},
        {"{\"ids\": [0]}", "ids/invalid_format"},
        {"{\"ids\": [-7]}", "ids/invalid_format"},
        {"{\"ids\": [\"1\"]}", "ids/invalid_type"},
        {"{\"ids\": [1.5]}", "ids/invalid_type"},
        {"{\"ids\": [null]}", "ids/invalid_type"},
        {"{\"ids\": 1}", "ids/invalid_type"},
        {"{}", "ids/required"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *code;
        json_t *out = check(cases[i].body, &code);
        if (out || strcmp(code, cases[i].want) != 0)
            fail_msg("%s: got %s, want %s", cases[i].body, out ? "accepted" : code, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_array_accepts_ids),
        cmocka_unit_test(test_id_array_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
