/*
 * Kiosk self-service: the signed-in job seeker's own profile and
 * applications.  The worker is never taken from the request: the SQL
 * functions (migrations/022_kiosk_self.sql) read it from the caller's scope
 * "k:<worker id>", and row-level security hides everyone else's records.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_kiosk_self.h"

#include "api.h"
#include "principal.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct pgpool_stmt kiosk_me_stmt = {"kiosk_me", "SELECT * FROM api_kiosk_me()"};
static const struct pgpool_stmt kiosk_list_stmt = {
    "kiosk_app_list", "SELECT * FROM api_kiosk_application_list($1::integer, $2::bigint)"};
static const struct pgpool_stmt kiosk_get_stmt = {
    "kiosk_app_get", "SELECT * FROM api_kiosk_application_get($1::bigint)"};
static const struct pgpool_stmt kiosk_slip_stmt = {
    "kiosk_app_slip", "SELECT * FROM api_kiosk_application_slip($1::bigint)"};
static const struct pgpool_stmt kiosk_withdraw_stmt = {
    "kiosk_app_withdraw", "SELECT * FROM api_kiosk_application_withdraw($1::bigint, $2)"};

static const struct jv_field kiosk_apply_fields[] = {
    {"vacancy_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
};
static const struct jv_schema kiosk_apply_schema = JV_SCHEMA(kiosk_apply_fields);

/* "kiosk:<worker id>": the actor recorded on the application and the
 * namespace of the caller's idempotency keys. */
static void kiosk_self_actor(struct httpd_req *r, char out[32])
{
    snprintf(out, 32, "kiosk:%lld", (long long)httpd_req_principal(r)->id);
}

void h_kiosk_me(struct httpd_req *r)
{
    api_call(r, &kiosk_me_stmt, 0, NULL, NULL);
}

void h_kiosk_applications_list(struct httpd_req *r)
{
    char limit[24], filters[48];
    if (!api_query_id(r, "limit", 200, limit))
        return;
    snprintf(filters, sizeof filters, "{\"worker\":%lld}", (long long)httpd_req_principal(r)->id);
    const char *cs = httpd_req_query(r, "cursor");
    char *cursor = cs ? api_cursor_open(r, "id", filters, cs) : NULL;
    if (cs && !cursor)
        return;
    if (cursor && !api_cursor_is_id(cursor)) {
        free(cursor);
        api_reply_field_error(r, "invalid_query", "cursor", "invalid_format");
        return;
    }
    const char *v[2] = {limit[0] ? limit : NULL, cursor};
    api_call_list(r, &kiosk_list_stmt, 2, v, "id", filters);
    free(cursor);
}

void h_kiosk_application_get(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, &kiosk_get_stmt, 1, v, NULL);
}

void h_kiosk_application_slip(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, &kiosk_slip_stmt, 1, v, NULL);
}

void h_kiosk_application_withdraw(struct httpd_req *r)
{
    char id[24], actor[32];
    if (!api_param_id(r, 0, id) || !api_body_empty(r))
        return;
    kiosk_self_actor(r, actor);
    const char *v[2] = {id, actor};
    api_call(r, &kiosk_withdraw_stmt, 2, v, NULL);
}

/* Like api_create, with the idempotency keys kept per worker (a kiosk
 * session has no account name to keep them apart by). */
void h_kiosk_applications_create(struct httpd_req *r)
{
    const char *key;
    if (!api_idem_key(r, &key))
        return;
    json_t *obj = api_body(r, &kiosk_apply_schema, false);
    if (!obj)
        return;
    char actor[32];
    kiosk_self_actor(r, actor);
    api_idem_create(r, "api_kiosk_application_create", obj, obj, actor, key,
                    "/v1/kiosk/applications");
    json_decref(obj);
}
