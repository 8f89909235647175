/*
 * Organised labour export (劳务输出): /v1/export-trips, their sign-ups,
 * the roster filled by the allocation engine, departure check-in, arrival,
 * the follow-ups out of province with what was seen, the subsidy list, the
 * printable roster, the dashboard panel of workers out of province and the
 * kiosk's trips.  The records and their rules live in
 * migrations/039_labour_export.sql and 047_trip_changes.sql; the roster is
 * solved on the solver thread (server/jobs/rosterfill.c).
 */
#define _POSIX_C_SOURCE 200809L
#include "h_export.h"

#include "api.h"
#include "dbreply.h"
#include "textout.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Vacancies one trip goes to at most. */
#define EXPORT_MAX_VACANCIES 50

static const char *const export_transports[] = {"chartered_bus", "special_train", "train",
                                                "flight",        "other",         NULL};
static const char *const export_statuses[] = {"open", "closed", "departed", "cancelled", NULL};

static const struct jv_field trip_fields[] = {
    {"title", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"employer_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"dest_province_code", JV_INT, JV_REQUIRED, 110000, 820000, NULL, NULL},
    {"dest_city", JV_STRING, 0, 0, 50, NULL, NULL},
    {"departure_on", JV_DATE, JV_REQUIRED, 20000101, 21001231, NULL, NULL},
    {"departure_place", JV_STRING, JV_REQUIRED, 1, 200, NULL, NULL},
    {"transport", JV_ENUM, JV_REQUIRED, 0, 0, export_transports, NULL},
    {"seats", JV_INT, JV_REQUIRED, 1, 2000, NULL, NULL},
    {"headcount", JV_INT, JV_REQUIRED, 1, 2000, NULL, NULL},
    {"escort", JV_STRING, 0, 0, 100, NULL, NULL},
    {"broker_id", JV_ID, 0, 0, 0, NULL, NULL},
    {"vacancy_ids", JV_ID_ARRAY, JV_REQUIRED, 1, EXPORT_MAX_VACANCIES, NULL, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
};
static const struct jv_schema trip_schema = JV_SCHEMA(trip_fields);

/* What may change before departure (PATCH, each optional). */
static const struct jv_field trip_update_fields[] = {
    {"departure_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
    {"departure_place", JV_STRING, 0, 1, 200, NULL, NULL},
    {"transport", JV_ENUM, 0, 0, 0, export_transports, NULL},
    {"seats", JV_INT, 0, 1, 2000, NULL, NULL},
    {"headcount", JV_INT, 0, 1, 2000, NULL, NULL},
    {"escort", JV_STRING, 0, 0, 100, NULL, NULL},
};
static const struct jv_schema trip_update_schema = JV_SCHEMA(trip_update_fields);

static const struct jv_field cancel_fields[] = {
    {"reason", JV_STRING, JV_REQUIRED, 1, 500, NULL, NULL},
};
static const struct jv_schema cancel_schema = JV_SCHEMA(cancel_fields);

static const struct jv_field signup_fields[] = {
    {"worker_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
};
static const struct jv_schema signup_schema = JV_SCHEMA(signup_fields);

static const struct jv_field kiosk_signup_fields[] = {
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
};
static const struct jv_schema kiosk_signup_schema = JV_SCHEMA(kiosk_signup_fields);

static const struct jv_field arrival_fields[] = {
    {"arrived_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
    {"wage", JV_INT, JV_REQUIRED, 0, 1000000, NULL, NULL},
    {"vacancy_id", JV_ID, 0, 0, 0, NULL, NULL},
};
static const struct jv_schema arrival_schema = JV_SCHEMA(arrival_fields);

static const struct jv_field followup_fields[] = {
    {"still_employed", JV_BOOL, JV_REQUIRED, 0, 0, NULL, NULL},
    {"wage", JV_INT, JV_NULLABLE, 0, 1000000, NULL, NULL},
    {"contract_seen", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"employer_letter_seen", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"wage_records_seen", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
    {"returned_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
};
static const struct jv_schema followup_schema = JV_SCHEMA(followup_fields);
static const struct jv_schema empty_schema = {NULL, 0};

static const struct api_filter trip_filters[] = {
    {"status", API_FILTER_ENUM, export_statuses},
    {"county_code", API_FILTER_REGION, NULL},
    {"upcoming", API_FILTER_BOOL, NULL},
};
static const char *const trip_sorts[] = {"departure_on", "-id", NULL};

static const struct pgpool_stmt trip_get_stmt = {"export_trip_get",
                                                 "SELECT * FROM api_export_trip_get($1::bigint)"};
static const struct pgpool_stmt trip_patch_stmt = {
    "export_trip_update",
    "SELECT * FROM api_export_trip_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt trip_cancel_stmt = {
    "export_trip_cancel",
    "SELECT * FROM api_export_trip_cancel($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt trip_list_stmt = {
    "export_trip_list",
    "SELECT * FROM api_export_trip_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt signup_stmt = {
    "export_signup", "SELECT * FROM api_export_signup($1::bigint, $2::jsonb, $3)"};
static const struct pgpool_stmt kiosk_signup_stmt = {
    "export_kiosk_signup", "SELECT * FROM api_kiosk_export_signup($1::bigint, $2::jsonb, $3)"};
static const struct pgpool_stmt kiosk_withdraw_stmt = {
    "export_kiosk_withdraw", "SELECT * FROM api_kiosk_export_withdraw($1::bigint, $2)"};
static const struct pgpool_stmt fill_stmt = {"export_fill_queue",
                                             "SELECT * FROM api_export_fill_queue($1::bigint, $2)"};
static const struct pgpool_stmt checkin_stmt = {
    "export_checkin", "SELECT * FROM api_export_checkin($1::bigint, $2::bigint, $3)"};
static const struct pgpool_stmt arrival_stmt = {
    "export_arrival", "SELECT * FROM api_export_arrival($1::bigint, $2::bigint, $3::jsonb, $4)"};
static const struct pgpool_stmt followup_stmt = {
    "export_followup",
    "SELECT * FROM api_export_followup($1::bigint, $2::bigint, $3, $4::jsonb, $5)"};
static const struct pgpool_stmt subsidies_stmt = {"export_subsidies",
                                                  "SELECT * FROM api_export_subsidies($1::bigint)"};
static const struct pgpool_stmt roster_stmt = {
    "export_roster", "SELECT * FROM api_export_roster($1::bigint, $2::boolean)"};
static const struct pgpool_stmt panel_stmt = {"export_panel", "SELECT * FROM api_export_panel()"};
static const struct pgpool_stmt kiosk_trips_stmt = {"export_kiosk_trips",
                                                    "SELECT * FROM api_kiosk_export_trips()"};

static const struct api_resource trip_resource = {
    "/v1/export-trips",
    "api_export_trip_create",
    &trip_schema,
    &trip_update_schema,
    &trip_get_stmt,
    &trip_patch_stmt,
    &trip_list_stmt,
    trip_filters,
    sizeof trip_filters / sizeof trip_filters[0],
    trip_sorts,
    NULL,
};

void h_export_trips_list(struct httpd_req *r)
{
    api_list(r, &trip_resource);
}

void h_export_trips_create(struct httpd_req *r)
{
    api_create(r, &trip_resource);
}

void h_export_trips_get(struct httpd_req *r)
{
    api_get(r, &trip_resource);
}

/* PATCH /v1/export-trips/{id} with If-Match: day, place, transport, seats,
 * escort and headcount, until the trip leaves (see migration 047). */
void h_export_trips_update(struct httpd_req *r)
{
    api_update(r, &trip_resource);
}

/* POST /v1/export-trips/{id}/cancel {reason}; If-Match honoured when given. */
void h_export_trips_cancel(struct httpd_req *r)
{
    char id[24], version[16];
    if (!api_param_id(r, 0, id) || !api_if_match_optional(r, version))
        return;
    json_t *obj = api_body(r, &cancel_schema, false);
    if (!obj)
        return;
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {id, version[0] ? version : NULL, payload, api_actor(r)};
    api_call(r, &trip_cancel_stmt, 4, v, NULL);
    free(payload);
}

/* The body validated against schema, or {} for an empty body when
 * may_be_empty; answers and returns NULL on a fault.  New reference. */
static json_t *export_body(struct httpd_req *r, const struct jv_schema *schema, bool may_be_empty)
{
    size_t len = 0;
    httpd_req_body(r, &len);
    if (len == 0 && may_be_empty)
        return json_object();
    return api_body(r, schema, false);
}

/* Runs st with the path's ids, then the body as JSON (when body is not
 * NULL), then the actor; answers with its result.  body is borrowed. */
static void export_call(struct httpd_req *r, const struct pgpool_stmt *st, const char *const *ids,
                        int nids, const json_t *body)
{
    char *payload = body ? json_dumps(body, JSON_COMPACT) : NULL;
    if (body && !payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[5];
    int n = 0;
    for (int i = 0; i < nids; i++)
        v[n++] = ids[i];
    if (payload)
        v[n++] = payload;
    v[n++] = api_actor(r);
    api_call(r, st, n, v, NULL);
    free(payload);
}

/* POST /v1/export-trips/{id}/signups {worker_id, note}: staff, or the broker
 * organising the trip for a consenting worker. */
void h_export_signup(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *obj = api_body(r, &signup_schema, false);
    if (!obj)
        return;
    const char *ids[1] = {id};
    export_call(r, &signup_stmt, ids, 1, obj);
    json_decref(obj);
}

/* POST /v1/kiosk/export-trips/{id}/signup {note}: the signed-in job seeker. */
void h_kiosk_export_signup(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *obj = export_body(r, &kiosk_signup_schema, true);
    if (!obj)
        return;
    const char *ids[1] = {id};
    export_call(r, &kiosk_signup_stmt, ids, 1, obj);
    json_decref(obj);
}

/* POST /v1/kiosk/export-trips/{id}/withdraw: the job seeker's own sign-up,
 * before the trip leaves. */
void h_kiosk_export_withdraw(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *obj = export_body(r, &empty_schema, true);
    if (!obj)
        return;
    json_decref(obj);
    const char *ids[1] = {id};
    export_call(r, &kiosk_withdraw_stmt, ids, 1, NULL);
}

void h_kiosk_export_trips(struct httpd_req *r)
{
    api_call(r, &kiosk_trips_stmt, 0, NULL, NULL);
}

/* ---------- the roster ---------- */

/* POST /v1/export-trips/{id}/fill: queues the roster fill (202 with the
 * run); the solver thread solves it (server/jobs/rosterfill.c) and the
 * trip's answer shows the run's state under "fill". */
void h_export_fill(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *obj = export_body(r, &empty_schema, true);
    if (!obj)
        return;
    json_decref(obj);
    const char *ids[1] = {id};
    export_call(r, &fill_stmt, ids, 1, NULL);
}

/* ---------- departure, arrival, follow-ups ---------- */

void h_export_checkin(struct httpd_req *r)
{
    char id[24], sid[24];
    if (!api_param_id(r, 0, id) || !api_param_id(r, 1, sid))
        return;
    json_t *obj = export_body(r, &empty_schema, true);
    if (!obj)
        return;
    json_decref(obj);
    const char *ids[2] = {id, sid};
    export_call(r, &checkin_stmt, ids, 2, NULL);
}

void h_export_arrival(struct httpd_req *r)
{
    char id[24], sid[24];
    if (!api_param_id(r, 0, id) || !api_param_id(r, 1, sid))
        return;
    json_t *obj = api_body(r, &arrival_schema, false);
    if (!obj)
        return;
    const char *ids[2] = {id, sid};
    export_call(r, &arrival_stmt, ids, 2, obj);
    json_decref(obj);
}

/* POST /v1/export-trips/{id}/signups/{sid}/followups/{point}, point one of
 * day7, month1, month3, month6; returned_on only with still_employed false. */
void h_export_followup(struct httpd_req *r)
{
    static const char *const points[] = {"day7", "month1", "month3", "month6"};
    char id[24], sid[24];
    if (!api_param_id(r, 0, id) || !api_param_id(r, 1, sid))
        return;
    const char *point = httpd_req_param(r, 2);
    size_t k = 0;
    while (k < 4 && strcmp(point, points[k]))
        k++;
    if (k == 4) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    json_t *obj = api_body(r, &followup_schema, false);
    if (!obj)
        return;
    if (json_is_true(json_object_get(obj, "still_employed")) &&
        json_object_get(obj, "returned_on")) {
        json_decref(obj);
        api_reply_field_error(r, "validation_failed", "returned_on", "not_allowed");
        return;
    }
    const char *ids[3] = {id, sid, points[k]};
    export_call(r, &followup_stmt, ids, 3, obj);
    json_decref(obj);
}

void h_export_subsidies(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, &subsidies_stmt, 1, v, NULL);
}

void h_export_panel(struct httpd_req *r)
{
    api_call_read(r, &panel_stmt, 0, NULL);
}

/* ---------- the printable roster ---------- */

struct roster_ctx {
    struct httpd_req *r;
    bool html, en;
};

static const char *export_roster_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const struct {
    const char *code, *zh, *en;
} roster_words[] = {
    {"chartered_bus", "包车", "Chartered bus"},
    {"special_train", "专列", "Special train"},
    {"train", "火车", "Train"},
    {"flight", "飞机", "Flight"},
    {"other", "其他", "Other"},
    {"going", "出发", "Going"},
    {"selected", "已入选", "Selected"},
    {"departed", "已出发", "Departed"},
    {"arrived", "已到岗", "Arrived"},
    {"returned", "已返乡", "Returned home"},
    {"waitlisted", "候补", "Waiting list"},
};

static const char *export_roster_word(const char *code, bool en)
{
    for (size_t i = 0; i < sizeof roster_words / sizeof roster_words[0]; i++)
        if (!strcmp(code, roster_words[i].code))
            return en ? roster_words[i].en : roster_words[i].zh;
    return code;
}

static const char roster_style[] =
    "@page{size:A4;margin:15mm}"
    "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif;"
    "font-size:11pt;color:#000;margin:0}"
    "h1{font-size:18pt;text-align:center;margin:0 0 8pt}p{margin:0 0 6pt;line-height:1.5}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #444;padding:3pt "
    "5pt;text-align:left}"
    "thead th{background:#eee}tr{page-break-inside:avoid}"
    "footer{margin-top:16pt;text-align:right}";

static void export_roster_html(struct httpd_req *r, json_t *body, bool en)
{
    struct evbuffer *b = evbuffer_new();
    bool pub = json_is_true(json_object_get(body, "public"));
    evbuffer_add_printf(b,
                        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                        "<title>%s</title><style>%s</style></head><body>\n<h1>",
                        en ? "en" : "zh-CN", en ? "Labour export roster" : "劳务输出人员名单",
                        roster_style);
    textout_html(b, export_roster_str(body, "title"));
    evbuffer_add_printf(b, "%s</h1>\n<p>", en ? " — roster" : " 出行名单");
    evbuffer_add_printf(b, "%s", en ? "Employer: " : "用工单位：");
    textout_html(b, export_roster_str(body, "employer_name"));
    evbuffer_add_printf(b, "%s", en ? "; destination: " : "；目的地：");
    textout_html(b, export_roster_str(body, "dest_province_name"));
    textout_html(b, export_roster_str(body, "dest_city"));
    evbuffer_add_printf(b, "</p>\n<p>%s%s%s", en ? "Departure: " : "出发：",
                        export_roster_str(body, "departure_on"), " ");
    textout_html(b, export_roster_str(body, "departure_place"));
    evbuffer_add_printf(b, "%s%s%s%lld%s", en ? "; transport: " : "；交通：",
                        export_roster_word(export_roster_str(body, "transport"), en),
                        en ? "; seats: " : "；座位：",
                        (long long)json_integer_value(json_object_get(body, "seats")),
                        en ? "; escort: " : "；带队：");
    textout_html(b, export_roster_str(body, "escort"));
    evbuffer_add_printf(b,
                        "</p>\n<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                        "<th>%s</th></tr></thead><tbody>\n",
                        en ? "No." : "序号", en ? "Name" : "姓名", en ? "Site" : "安置点",
                        en ? "Post" : "岗位", en ? "Status" : "状态");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(body, "items"), i, x)
    {
        evbuffer_add_printf(b, "<tr><td>%zu</td><td>", i + 1);
        textout_html(b, export_roster_str(x, "name"));
        evbuffer_add(b, "</td><td>", 9);
        textout_html(b, export_roster_str(x, "site_name"));
        evbuffer_add(b, "</td><td>", 9);
        textout_html(b, export_roster_str(x, "vacancy_title"));
        evbuffer_add(b, "</td><td>", 9);
        textout_html(b, export_roster_word(export_roster_str(x, "state"), en));
        evbuffer_add(b, "</td></tr>\n", 11);
    }
    evbuffer_add_printf(b, "</tbody></table>\n<footer>");
    textout_html(b, export_roster_str(body, "county_name"));
    evbuffer_add_printf(
        b, "%s<br>%s%s</footer></body></html>\n",
        en ? " Human Resources and Social Security Bureau" : "人力资源和社会保障局",
        export_roster_str(body, "printed_on"),
        pub ? (en ? " (names partly hidden for posting)" : "（公开张贴，姓名部分隐去）") : "");
    size_t len = evbuffer_get_length(b);
    httpd_set_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    httpd_reply_raw(r, 200, "text/html; charset=utf-8", (const char *)evbuffer_pullup(b, -1), len);
    evbuffer_free(b);
}

static void export_roster_cb(void *arg, const struct pgpool_reply *rep)
{
    struct roster_ctx *c = arg;
    struct httpd_req *r = c->r;
    bool html = c->html, en = c->en;
    free(c);
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    json_t *body =
        PQntuples(rep->res) == 1 ? json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL) : NULL;
    if (!body) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    if (!html) {
        httpd_reply_json(r, 200, body);
        return;
    }
    export_roster_html(r, body, en);
    json_decref(body);
}

/* GET /v1/export-trips/{id}/roster?format=html|json&public=true|false&lang=zh|en */
void h_export_roster(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *fmt = httpd_req_query(r, "format");
    const char *pub = httpd_req_query(r, "public");
    const char *lang = httpd_req_query(r, "lang");
    if (fmt && strcmp(fmt, "html") && strcmp(fmt, "json")) {
        api_reply_field_error(r, "invalid_query", "format", "unknown_value");
        return;
    }
    if (pub && strcmp(pub, "true") && strcmp(pub, "false")) {
        api_reply_field_error(r, "invalid_query", "public", "unknown_value");
        return;
    }
    if (lang && strcmp(lang, "zh") && strcmp(lang, "en")) {
        api_reply_field_error(r, "invalid_query", "lang", "unknown_value");
        return;
    }
    struct roster_ctx *c = malloc(sizeof *c);
    if (!c) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    c->r = r;
    c->html = !fmt || !strcmp(fmt, "html");
    c->en = lang ? !strcmp(lang, "en") : httpd_req_lang(r) == PROBLEM_LANG_EN;
    const char *v[2] = {id, pub && !strcmp(pub, "true") ? "true" : "false"};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &roster_stmt, 2, v, export_roster_cb, c);
}
