/*
 * Households that ask for help at the kiosk.
 *
 *   POST /v1/kiosk/help                      a person signed in at a kiosk asks
 *                                            for help: a self_application visit
 *
 * The SQL is in migrations/041_help_fairness.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_help.h"

#include "api.h"
#include "principal.h"

#include <stdio.h>
#include <string.h>

static const char *const help_reasons[] = {"lost_job", "illness", "income_fell", "other", NULL};
static const struct jv_field help_fields[] = {
    {"reason", JV_ENUM, JV_REQUIRED, 0, 0, help_reasons, NULL},
};
static const struct jv_schema help_schema = JV_SCHEMA(help_fields);

void h_kiosk_help(struct httpd_req *r)
{
    const char *key;
    if (!api_idem_key(r, &key))
        return;
    json_t *obj = api_body(r, &help_schema, false);
    if (!obj)
        return;
    char actor[32];
    snprintf(actor, sizeof actor, "kiosk:%lld", (long long)httpd_req_principal(r)->id);
    api_idem_create(r, "api_kiosk_help_request", obj, obj, actor, key, NULL);
    json_decref(obj);
}
