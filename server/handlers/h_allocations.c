/*
 * Allocations: /v1/allocations.  A request queues the work (202); the solver
 * thread (allocator.c) fills in the draft; staff drop, restore or swap single
 * assignments, confirm or cancel; the public notice and its objections follow.
 * The rules live in migrations/028_allocations.sql; a swap is checked against
 * the matching index here first.
 */
#define _POSIX_C_SOURCE 200809L
#include "api.h"
#include "dbreply.h"
#include "date.h"
#include "handlers.h"
#include "matchidx.h"
#include "textout.h"
#include "validate.h"

#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const allocation_kinds[] = {
    "regular", "work_relief", "public_welfare", "forest_ranger", "workshop", "labor_export", NULL};
static const char *const allocation_states[] = {"queued",    "running", "draft", "confirmed",
                                                "cancelled", "failed",  NULL};
static const char *const allocation_decisions[] = {"upheld", "dismissed", NULL};

static const struct jv_field allocation_fields[] = {
    {"vacancy_ids", JV_ID_ARRAY, 0, 1, 100000, NULL, NULL},
    {"project_id", JV_ID, 0, 0, 0, NULL, NULL},
    {"county_code", JV_REGION, 0, 0, 0, NULL, NULL},
    {"kind", JV_ENUM, 0, 0, 0, allocation_kinds, NULL},
    {"worker_ids", JV_ID_ARRAY, 0, 1, 100000, NULL, NULL},
    {"k", JV_INT, 0, 1, MATCH_MAX_K, NULL, NULL},
    {"notice_days", JV_INT, 0, 0, 30, NULL, NULL},
};
static const struct jv_schema allocation_schema = JV_SCHEMA(allocation_fields);

static const struct jv_field swap_fields[] = {
    {"worker_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
};
static const struct jv_schema swap_schema = JV_SCHEMA(swap_fields);

static const struct jv_field objection_fields[] = {
    {"reason", JV_STRING, JV_REQUIRED, 1, 2000, NULL, NULL},
    {"objector", JV_STRING, 0, 0, 100, NULL, NULL},
    {"received_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
};
static const struct jv_schema objection_schema = JV_SCHEMA(objection_fields);

static const struct jv_field resolve_fields[] = {
    {"decision", JV_ENUM, JV_REQUIRED, 0, 0, allocation_decisions, NULL},
    {"note", JV_STRING, 0, 0, 2000, NULL, NULL},
};
static const struct jv_schema resolve_schema = JV_SCHEMA(resolve_fields);

static const struct api_filter allocation_filters[] = {
    {"state", API_FILTER_ENUM, allocation_states},
    {"county_code", API_FILTER_REGION, NULL},
    {"project_id", API_FILTER_ID, NULL},
};
static const char *const allocation_sorts[] = {"-id", "id", NULL};

static const struct pgpool_stmt allocation_list_stmt = {
    "allocation_list", "SELECT * FROM api_allocation_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt allocation_get_stmt = {
    "allocation_get", "SELECT * FROM api_allocation_get($1::bigint, $2)"};
static const struct pgpool_stmt allocation_unassigned_stmt = {
    "allocation_unassigned",
    "SELECT * FROM api_allocation_unassigned($1::bigint, $2, $3, $4::integer)"};
static const struct pgpool_stmt allocation_drop_stmt = {
    "allocation_drop",
    "SELECT * FROM api_allocation_drop($1::bigint, $2::bigint, $3::boolean, $4)"};
static const struct pgpool_stmt allocation_swap_target_stmt = {
    "allocation_swap_target",
    "SELECT vacancy_id FROM api_allocation_swap_target($1::bigint, $2::bigint, $3::bigint)"};
static const struct pgpool_stmt allocation_swap_stmt = {
    "allocation_swap", "SELECT * FROM api_allocation_swap($1::bigint, $2::bigint, $3::bigint, "
                       "$4::integer, $5::jsonb, $6)"};
static const struct pgpool_stmt allocation_confirm_stmt = {
    "allocation_confirm", "SELECT * FROM api_allocation_confirm($1::bigint, $2)"};
static const struct pgpool_stmt allocation_cancel_stmt = {
    "allocation_cancel", "SELECT * FROM api_allocation_cancel($1::bigint, $2)"};
static const struct pgpool_stmt allocation_notice_stmt = {
    "allocation_notice", "SELECT * FROM api_allocation_notice($1::bigint)"};
static const struct pgpool_stmt allocation_objection_stmt = {
    "allocation_objection",
    "SELECT * FROM api_allocation_objection($1::bigint, $2::bigint, $3::jsonb, $4)"};
static const struct pgpool_stmt allocation_resolve_stmt = {
    "allocation_resolve",
    "SELECT * FROM api_allocation_resolve($1::bigint, $2::bigint, $3::jsonb, $4)"};

static const struct api_resource allocation_resource = {
    "/v1/allocations",
    "api_allocation_create",
    &allocation_schema,
    NULL,
    NULL,
    NULL,
    &allocation_list_stmt,
    allocation_filters,
    sizeof allocation_filters / sizeof allocation_filters[0],
    allocation_sorts,
    NULL,
};

static const char *allocation_lang(struct httpd_req *r)
{
    const char *l = httpd_req_query(r, "lang");
    if (l)
        return !strcmp(l, "en") ? "en" : "zh";
    return httpd_req_lang(r) == PROBLEM_LANG_EN ? "en" : "zh";
}

void h_allocations_create(struct httpd_req *r)
{
    api_create(r, &allocation_resource);
}

void h_allocations_list(struct httpd_req *r)
{
    api_list(r, &allocation_resource);
}

void h_allocation_get(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[2] = {id, allocation_lang(r)};
    api_call(r, &allocation_get_stmt, 2, v, NULL);
}

void h_allocation_unassigned(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    char limit[24], filters[48];
    if (!api_query_id(r, "limit", 200, limit))
        return;
    snprintf(filters, sizeof filters, "{\"id\":%s}", id);
    const char *cs = httpd_req_query(r, "cursor");
    char *cursor = cs ? api_cursor_open(r, "score", filters, cs) : NULL;
    if (cs && !cursor)
        return;
    long long s, w;
    char tail;
    if (cursor && (strlen(cursor) > 40 || sscanf(cursor, "%lld.%lld%c", &s, &w, &tail) != 2 ||
                   s < -1 || s > 10000 || w < 1)) {
        free(cursor);
        api_reply_field_error(r, "invalid_query", "cursor", "invalid_format");
        return;
    }
    const char *v[4] = {id, allocation_lang(r), cursor, limit[0] ? limit : NULL};
    api_call_list(r, &allocation_unassigned_stmt, 4, v, "score", filters);
    free(cursor);
}

static void allocation_drop_or_restore(struct httpd_req *r, bool drop)
{
    char id[24], aid[24];
    if (!api_param_id(r, 0, id) || !api_param_id(r, 1, aid) || !api_body_empty(r))
        return;
    const char *v[4] = {id, aid, drop ? "true" : "false", api_actor(r)};
    api_call(r, &allocation_drop_stmt, 4, v, NULL);
}

void h_allocation_drop(struct httpd_req *r)
{
    allocation_drop_or_restore(r, true);
}

void h_allocation_restore(struct httpd_req *r)
{
    allocation_drop_or_restore(r, false);
}

/* ---------- swap: the vacancy from the database, the pair from the index ---------- */

struct swap_ctx {
    struct httpd_req *r;
    char id[24], aid[24], worker[24];
};

static void swap_target_cb(void *arg, const struct pgpool_reply *rep)
{
    struct swap_ctx *c = arg;
    struct httpd_req *r = c->r;
    if (rep->status != PGPOOL_OK || PQntuples(rep->res) != 1 || PQgetisnull(rep->res, 0, 0)) {
        if (rep->status != PGPOOL_OK)
            dbreply_error(r, rep);
        else
            httpd_reply_problem(r, "not_found", NULL);
        free(c);
        return;
    }
    int64_t vacancy = atoll(PQgetvalue(rep->res, 0, 0));
    const struct match_index *idx;
    const struct match_names *names;
    if (!matchidx_read_begin(&idx, &names)) {
        free(c);
        httpd_reply_problem(r, "not_ready", NULL);
        return;
    }
    struct match_query q;
    int t = api_today();
    match_query_init(&q, date_from_ymd(t), 1);
    struct match_hit *h = malloc(sizeof *h);
    int rc = h ? match_explain(idx, atoll(c->worker), vacancy, &q, MATCH_TARGET_WORKERS, h) : -1;
    json_t *reasons = NULL;
    char score[16] = "";
    const char *failed = NULL;
    if (rc == 0 && h->failed == 0) {
        reasons = json_pack("{s:o, s:o}", "zh", matchidx_reasons_json(h, MATCH_LANG_ZH, names),
                            "en", matchidx_reasons_json(h, MATCH_LANG_EN, names));
        snprintf(score, sizeof score, "%d", (int)h->score);
    } else if (rc == 0) {
        for (int f = 1; f < MATCH_F_COUNT && !failed; f++)
            if (h->failed & (1u << f))
                failed = match_filter_code((enum match_filter)f);
    }
    matchidx_read_end();
    free(h);
    if (!reasons) {
        json_t *p = problem_new("validation_failed", httpd_req_lang(r), NULL);
        if (p && problem_add_error(p, "worker_id", rc == 0 ? "not_eligible" : "not_seeking",
                                   httpd_req_lang(r), NULL) == 0) {
            if (failed)
                json_object_set_new(p, "failed", json_string(failed));
            httpd_reply_problem_json(r, p);
        } else {
            json_decref(p);
            httpd_reply_problem(r, "internal_error", NULL);
        }
        free(c);
        return;
    }
    char *text = json_dumps(reasons, JSON_COMPACT);
    json_decref(reasons);
    if (!text) {
        free(c);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[6] = {c->id, c->aid, c->worker, score, text, api_actor(r)};
    api_call(r, &allocation_swap_stmt, 6, v, NULL);
    free(text);
    free(c);
}

/* The swap's lookups, once a replay under its Idempotency-Key is ruled out. */
static void swap_go(struct httpd_req *r, void *arg, bool go)
{
    struct swap_ctx *c = arg;
    if (!go) {
        free(c);
        return;
    }
    const char *v[3] = {c->id, c->aid, c->worker};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &allocation_swap_target_stmt, 3, v,
                        swap_target_cb, c);
}

void h_allocation_swap(struct httpd_req *r)
{
    char id[24], aid[24];
    if (!api_param_id(r, 0, id) || !api_param_id(r, 1, aid))
        return;
    json_t *obj = api_body(r, &swap_schema, false);
    if (!obj)
        return;
    struct swap_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        json_decref(obj);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    c->r = r;
    memcpy(c->id, id, sizeof c->id);
    memcpy(c->aid, aid, sizeof c->aid);
    snprintf(c->worker, sizeof c->worker, "%lld",
             (long long)json_integer_value(json_object_get(obj, "worker_id")));
    json_decref(obj);
    api_idem_first(r, swap_go, c);
}

void h_allocation_confirm(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id) || !api_body_empty(r))
        return;
    const char *v[2] = {id, api_actor(r)};
    api_call(r, &allocation_confirm_stmt, 2, v, NULL);
}

void h_allocation_cancel(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id) || !api_body_empty(r))
        return;
    const char *v[2] = {id, api_actor(r)};
    api_call(r, &allocation_cancel_stmt, 2, v, NULL);
}

static void allocation_assignment_call(struct httpd_req *r, const struct jv_schema *schema,
                                       const struct pgpool_stmt *st)
{
    char id[24], aid[24];
    if (!api_param_id(r, 0, id) || !api_param_id(r, 1, aid))
        return;
    json_t *obj = api_body(r, schema, false);
    if (!obj)
        return;
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {id, aid, payload, api_actor(r)};
    api_call(r, st, 4, v, NULL);
    free(payload);
}

void h_allocation_objection(struct httpd_req *r)
{
    allocation_assignment_call(r, &objection_schema, &allocation_objection_stmt);
}

void h_allocation_resolve(struct httpd_req *r)
{
    allocation_assignment_call(r, &resolve_schema, &allocation_resolve_stmt);
}

/* ---------- the public notice ---------- */

enum notice_format { NOTICE_JSON, NOTICE_CSV, NOTICE_HTML };

struct notice_ctx {
    struct httpd_req *r;
    enum notice_format format;
};

static const struct {
    const char *code, *zh, *en;
} notice_kinds[] = {
    {"work_relief", "以工代赈", "Work relief"},
    {"public_welfare", "公益性岗位", "Public-welfare post"},
    {"forest_ranger", "生态护林员", "Forest ranger"},
};

static const char *notice_kind(const char *code, bool en)
{
    for (size_t i = 0; i < sizeof notice_kinds / sizeof notice_kinds[0]; i++)
        if (code && !strcmp(code, notice_kinds[i].code))
            return en ? notice_kinds[i].en : notice_kinds[i].zh;
    return code ? code : "";
}

static const char *notice_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The cells of one line of the notice after its number, each written by
 * cell and followed by sep. */
static void notice_cells(struct evbuffer *b, json_t *x, bool en,
                         void (*cell)(struct evbuffer *b, const char *s), const char *sep)
{
    static const char *const keys[] = {"name", "site_name", "vacancy_title", NULL, "employer_name"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (k)
            evbuffer_add(b, sep, strlen(sep));
        cell(b, keys[k] ? notice_str(x, keys[k])
                        : notice_kind(json_string_value(json_object_get(x, "vacancy_kind")), en));
    }
}

static void notice_csv(struct httpd_req *r, json_t *body, bool en)
{
    struct evbuffer *b = evbuffer_new();
    evbuffer_add(b, "\xEF\xBB\xBF", 3);
    evbuffer_add_printf(b, "%s\r\n",
                        en ? "no,name,site,post,kind,employer"
                           : "序号,姓名,安置点,岗位,岗位类别,用工单位");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(body, "items"), i, x)
    {
        evbuffer_add_printf(b, "%zu,", i + 1);
        notice_cells(b, x, en, textout_csv, ",");
        evbuffer_add(b, "\r\n", 2);
    }
    char name[96];
    snprintf(name, sizeof name, "attachment; filename=\"notice-%lld.csv\"",
             (long long)json_integer_value(json_object_get(body, "allocation_id")));
    httpd_set_header(r, "Content-Disposition", name);
    size_t len = evbuffer_get_length(b);
    httpd_reply_raw(r, 200, "text/csv; charset=utf-8", (const char *)evbuffer_pullup(b, -1), len);
    evbuffer_free(b);
}

static const char notice_style[] =
    "@page{size:A4;margin:15mm}"
    "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif;"
    "font-size:11pt;color:#000;margin:0}"
    "h1{font-size:18pt;text-align:center;margin:0 0 8pt}p{margin:0 0 8pt;line-height:1.6}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #444;padding:3pt "
    "5pt;text-align:left}"
    "thead th{background:#eee}tr{page-break-inside:avoid}"
    "footer{margin-top:16pt;text-align:right}";

static void notice_html(struct httpd_req *r, json_t *body, bool en)
{
    struct evbuffer *b = evbuffer_new();
    const char *county = notice_str(body, "county_name");
    const char *project = notice_str(body, "project_name");
    json_t *until = json_object_get(body, "objections_until");
    evbuffer_add_printf(b,
                        "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                        "<title>%s</title><style>%s</style></head><body>\n<h1>",
                        en ? "en" : "zh-CN", en ? "Public notice" : "公示", notice_style);
    textout_html(b, county);
    textout_html(b, project);
    evbuffer_add_printf(b, "%s</h1>\n<p>",
                        en ? " — public notice of post assignments" : "岗位安置人员名单公示");
    if (en) {
        evbuffer_add_printf(
            b,
            "The people below have been offered the posts shown. Anyone who knows a "
            "reason why an assignment should not stand may raise an objection with "
            "the county human resources and social security bureau until %s "
            "(%lld days).",
            json_is_string(until) ? json_string_value(until) : "—",
            (long long)json_integer_value(json_object_get(body, "notice_days")));
    } else {
        evbuffer_add_printf(b,
                            "经审核，拟安排以下人员到相应岗位。公示期为%lld天，至%s止。"
                            "如有异议，请在公示期内向县人力资源和社会保障局实名反映。",
                            (long long)json_integer_value(json_object_get(body, "notice_days")),
                            json_is_string(until) ? json_string_value(until) : "—");
    }
    evbuffer_add_printf(b,
                        "</p>\n<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
                        "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
                        en ? "No." : "序号", en ? "Name" : "姓名", en ? "Site" : "安置点",
                        en ? "Post" : "岗位", en ? "Kind" : "岗位类别",
                        en ? "Employer" : "用工单位");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(body, "items"), i, x)
    {
        evbuffer_add_printf(b, "<tr><td>%zu</td><td>", i + 1);
        notice_cells(b, x, en, textout_html, "</td><td>");
        evbuffer_add(b, "</td></tr>\n", 11);
    }
    evbuffer_add_printf(b, "</tbody></table>\n<footer>");
    textout_html(b, county);
    evbuffer_add_printf(b, "%s<br>%s</footer></body></html>\n",
                        en ? " Human Resources and Social Security Bureau" : "人力资源和社会保障局",
                        notice_str(body, "published_on"));
    size_t len = evbuffer_get_length(b);
    httpd_set_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    httpd_reply_raw(r, 200, "text/html; charset=utf-8", (const char *)evbuffer_pullup(b, -1), len);
    evbuffer_free(b);
}

static void notice_cb(void *arg, const struct pgpool_reply *rep)
{
    struct notice_ctx *c = arg;
    struct httpd_req *r = c->r;
    enum notice_format format = c->format;
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
    bool en = httpd_req_lang(r) == PROBLEM_LANG_EN;
    const char *lang = httpd_req_query(r, "lang");
    if (lang)
        en = !strcmp(lang, "en");
    if (format == NOTICE_JSON) {
        httpd_reply_json(r, 200, body);
        return;
    }
    if (format == NOTICE_CSV)
        notice_csv(r, body, en);
    else
        notice_html(r, body, en);
    json_decref(body);
}

void h_allocation_notice(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *fmt = httpd_req_query(r, "format");
    enum notice_format format = NOTICE_HTML;
    if (fmt && !strcmp(fmt, "csv"))
        format = NOTICE_CSV;
    else if (fmt && !strcmp(fmt, "json"))
        format = NOTICE_JSON;
    else if (fmt && strcmp(fmt, "html")) {
        api_reply_field_error(r, "invalid_query", "format", "unknown_value");
        return;
    }
    struct notice_ctx *c = malloc(sizeof *c);
    if (!c) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    c->r = r;
    c->format = format;
    const char *v[1] = {id};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &allocation_notice_stmt, 1, v, notice_cb,
                        c);
}
