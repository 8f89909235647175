/* kiosklogin: the body of a kiosk sign-in; see kiosklogin.h. */
#include "kiosklogin.h"

#include "jv.h"

#include <string.h>

static const struct jv_field kiosklogin_fields[] = {
    {"id_number", JV_IDNUM, JV_REQUIRED, 0, 0, NULL, NULL},
    {"pin", JV_STRING, JV_REQUIRED, 6, 6, NULL, NULL},
};
static const struct jv_schema kiosklogin_schema = JV_SCHEMA(kiosklogin_fields);

static int kiosklogin_pin_ok(const char *pin)
{
    if (!pin || strlen(pin) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return 0;
    return 1;
}

int kiosklogin_parse(const json_t *body, int today, json_t *problem, enum problem_lang lang,
                     char id18[19], char pin[7])
{
    json_t *obj = jv_check(body, &kiosklogin_schema, false, today, "", problem, lang);
    if (!obj)
        return -1;
    const char *id = json_string_value(json_object_get(obj, "id_number"));
    const char *p = json_string_value(json_object_get(obj, "pin"));
    int rc = -1;
    if (!kiosklogin_pin_ok(p)) {
        if (problem_add_error(problem, "pin", "invalid_format", lang, NULL) < 0)
            json_object_del(problem, "errors");
    } else if (!id || strlen(id) != 18) {
        if (problem_add_error(problem, "id_number", "invalid_format", lang, NULL) < 0)
            json_object_del(problem, "errors");
    } else {
        memcpy(id18, id, 19);
        memcpy(pin, p, 7);
        rc = 0;
    }
    json_decref(obj);
    return rc;
}
