/* Fuzz target: kiosk sign-in bodies through strict JSON parsing and kiosklogin_parse. */
#include "jv.h"
#include "kiosklogin.h"
#include "problem.h"
#include "validate.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        return 0;
    json_t *problem = problem_new("validation_failed", PROBLEM_LANG_ZH, NULL);
    char id18[19], pin[7];
    int rc = kiosklogin_parse(j, 20261128, problem, PROBLEM_LANG_ZH, id18, pin);
    /* exactly one of: a valid ID number and a six-digit PIN, or field errors */
    if (rc == 0) {
        struct validate_idnum info;
        enum validate_reason why;
        if (jv_error_count(problem) != 0 || strlen(id18) != 18 || strlen(pin) != 6 ||
            strspn(pin, "0123456789") != 6 || !validate_idnum(id18, 18, 20261128, &info, &why))
            __builtin_trap();
    } else if (jv_error_count(problem) == 0) {
        __builtin_trap();
    }
    json_decref(problem);
    json_decref(j);
    return 0;
}
