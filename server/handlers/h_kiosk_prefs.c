/*
 * A job seeker changes their own preferences at the kiosk: the kinds of work
 * they want, the lowest wage they accept, how far they will go each day,
 * whether they would work outside the province, and their quiet hours.  The
 * worker is the caller's own, from the scope "k:<worker id>"
 * (migrations/045_accounts_places.sql).
 */
#include "h_accounts.h"

#include "api.h"
#include "fields.h"

#include <stdlib.h>
#include <string.h>

static const char *const prefs_kinds[] = {
    "regular", "work_relief", "public_welfare", "forest_ranger", "workshop", "labor_export", NULL};

static const struct jv_field prefs_fields[] = {
    {"job_kinds_wanted", JV_ENUM_ARRAY, 0, 0, 6, prefs_kinds, NULL},
    {"wage_floor", JV_INT, 0, FIELDS_MIN(WAGE_FLOOR), FIELDS_MAX(WAGE_FLOOR), NULL, NULL},
    {"max_commute_km", JV_INT, 0, FIELDS_MIN(MAX_COMMUTE_KM), FIELDS_MAX(MAX_COMMUTE_KM), NULL,
     NULL},
    {"willing_outside_province", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"quiet_from", JV_STRING, JV_NULLABLE, 5, 5, NULL, NULL},
    {"quiet_to", JV_STRING, JV_NULLABLE, 5, 5, NULL, NULL},
};
static const struct jv_schema prefs_schema = JV_SCHEMA(prefs_fields);

static const struct pgpool_stmt prefs_stmt = {
    "kiosk_prefs_update", "SELECT * FROM api_kiosk_preferences_update($1::integer, $2::jsonb, $3)"};

/* "HH:MM" on a 24-hour clock, or null. */
static bool kiosk_prefs_time_ok(const json_t *v)
{
    if (json_is_null(v))
        return true;
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 5 || s[2] != ':')
        return false;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return false;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60;
}

void h_kiosk_preferences_update(struct httpd_req *r)
{
    char version[16];
    bool any = false;
    if (!api_if_match(r, version, &any))
        return;
    json_t *obj = api_body(r, &prefs_schema, true);
    if (!obj)
        return;
    static const char *const times[] = {"quiet_from", "quiet_to"};
    for (int i = 0; i < 2; i++) {
        json_t *t = json_object_get(obj, times[i]);
        if (t && !kiosk_prefs_time_ok(t)) {
            json_decref(obj);
            api_reply_field_error(r, "validation_failed", times[i], "invalid_format");
            return;
        }
    }
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[3] = {any ? NULL : version, payload, api_actor(r)};
    api_call(r, &prefs_stmt, 3, v, NULL);
    free(payload);
}
