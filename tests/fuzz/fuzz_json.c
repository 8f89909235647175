/* Fuzz target: JSON request bodies through strict parsing and field validation. */
#include "jv.h"
#include "problem.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_kinds[] = {"a", "b", "c", NULL};

static const struct jv_field fuzz_item_fields[] = {
    {"skill_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"level", JV_INT, JV_REQUIRED, 1, 5, NULL, NULL},
};
static const struct jv_schema fuzz_item = JV_SCHEMA(fuzz_item_fields);

static const struct jv_field fuzz_fields[] = {
    {"name", JV_STRING, JV_REQUIRED, 1, 50, NULL, NULL},
    {"id_number", JV_IDNUM, 0, 0, 0, NULL, NULL},
    {"phone", JV_PHONE, JV_NULLABLE, 0, 0, NULL, NULL},
    {"credit_code", JV_CREDIT_CODE, 0, 0, 0, NULL, NULL},
    {"county_code", JV_REGION, 0, 0, 0, NULL, NULL},
    {"household_id", JV_ID, 0, 0, 0, NULL, NULL},
    {"wage", JV_INT, 0, 0, 100000, NULL, NULL},
    {"lat", JV_NUMBER, 0, -90, 90, NULL, NULL},
    {"ok", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"on", JV_DATE, 0, 0, 0, NULL, NULL},
    {"kind", JV_ENUM, 0, 0, 0, fuzz_kinds, NULL},
    {"kinds", JV_ENUM_ARRAY, 0, 0, 3, fuzz_kinds, NULL},
    {"skills", JV_OBJECTS, 0, 0, 20, NULL, &fuzz_item},
    {"ids", JV_ID_ARRAY, 0, 1, 10, NULL, NULL},
};
static const struct jv_schema fuzz_schema = JV_SCHEMA(fuzz_fields);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return 0;
    for (int partial = 0; partial < 2; partial++) {
        json_t *problem = problem_new("validation_failed", PROBLEM_LANG_EN, NULL);
        json_t *out = jv_check(j, &fuzz_schema, partial, 20261128, "", problem, PROBLEM_LANG_EN);
        /* exactly one of: a normalised object, or at least one field error */
        if ((out != NULL) == (jv_error_count(problem) > 0))
            __builtin_trap();
        json_decref(out);
        json_decref(problem);
    }
    json_decref(j);
    return 0;
}
