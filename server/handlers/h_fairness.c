/*
 * The fairness report and the optional ethnicity it reads.
 *
 *   GET /v1/reports/fairness?county_code=&site_id=&from=&to=&format=json|csv
 *   GET /v1/workers/{id}/ethnicity, PUT /v1/workers/{id}/ethnicity {ethnicity}
 *
 * The report's figures are computed by api_report_fairness
 * (migrations/041_help_fairness.sql; definitions in docs/reports.md).  Its
 * ethnicity section is asked for only for staff granted the ethnicity
 * permission, and the answer is marked for them, so the privacy shaping
 * (lib/privacy.c) lets ethnicity through to them and to nobody else.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_fairness.h"

#include "api.h"
#include "dbreply.h"
#include "principal.h"
#include "textout.h"
#include "validate.h"

#include <event2/buffer.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct pgpool_stmt fairness_stmt = {
    "report_fairness", "SELECT * FROM api_report_fairness($1::integer, $2::bigint, $3::date, "
                       "$4::date, $5::boolean)"};

/* The dimensions of the report in the order of its CSV. */
static const char *const fairness_dims[] = {"sex", "age_band", "mandarin_level", "sex_age_band",
                                            "ethnicity"};

struct fairness_ctx {
    struct httpd_req *r;
    bool csv;
};

static void fairness_csv_num(struct evbuffer *b, json_t *v)
{
    if (json_is_number(v))
        evbuffer_add_printf(b, ",%g", json_number_value(v));
    else
        evbuffer_add(b, ",", 1);
}

/* One line per dimension, group and stage; the header names the JSON members. */
static void fairness_csv(struct httpd_req *r, json_t *body)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    evbuffer_add(b, "\xEF\xBB\xBF", 3);
    evbuffer_add_printf(b, "dimension,group,people,stage,n,k,rate,ci_low,ci_high,ratio_to_best,"
                           "status\r\n");
    json_t *dims = json_object_get(body, "dimensions");
    json_t *stages = json_object_get(body, "stages");
    for (size_t d = 0; d < sizeof fairness_dims / sizeof fairness_dims[0]; d++) {
        size_t i, s;
        json_t *g, *stage;
        json_array_foreach(json_object_get(dims, fairness_dims[d]), i, g)
        {
            json_array_foreach(stages, s, stage)
            {
                json_t *f = json_object_get(json_object_get(g, "stages"), json_string_value(stage));
                if (!f)
                    continue;
                evbuffer_add_printf(b, "%s,", fairness_dims[d]);
                textout_csv(b, json_string_value(json_object_get(g, "group")));
                evbuffer_add_printf(b, ",%lld,%s,%lld,%lld",
                                    (long long)json_integer_value(json_object_get(g, "people")),
                                    json_string_value(stage),
                                    (long long)json_integer_value(json_object_get(f, "n")),
                                    (long long)json_integer_value(json_object_get(f, "k")));
                fairness_csv_num(b, json_object_get(f, "rate"));
                fairness_csv_num(b, json_object_get(f, "ci_low"));
                fairness_csv_num(b, json_object_get(f, "ci_high"));
                fairness_csv_num(b, json_object_get(f, "ratio_to_best"));
                evbuffer_add_printf(b, ",%s\r\n", json_string_value(json_object_get(f, "status")));
            }
        }
    }
    httpd_set_header(r, "Content-Disposition", "attachment; filename=\"fairness.csv\"");
    size_t len = evbuffer_get_length(b);
    httpd_reply_raw(r, 200, "text/csv; charset=utf-8", (const char *)evbuffer_pullup(b, -1), len);
    evbuffer_free(b);
}

static void fairness_cb(void *arg, const struct pgpool_reply *rep)
{
    struct fairness_ctx *c = arg;
    struct httpd_req *r = c->r;
    bool csv = c->csv;
    free(c);
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    json_t *body = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
    if (!body) {
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    if (csv) {
        fairness_csv(r, body);
        json_decref(body);
        return;
    }
    httpd_reply_json(r, 200, body);
}

/* A decimal query parameter in [lo, hi] into out ("" when absent). */
static bool fairness_int(struct httpd_req *r, const char *name, long long lo, long long hi,
                         char out[24])
{
    long long x = 0;
    out[0] = '\0';
    if (!api_query_int(r, name, lo, hi, &x))
        return false;
    if (httpd_req_query(r, name))
        snprintf(out, 24, "%lld", x);
    return true;
}

/* A date query parameter into out ("" when absent: the report's default). */
static bool fairness_date(struct httpd_req *r, const char *name, char out[11])
{
    const char *v = httpd_req_query(r, name);
    int ymd;
    out[0] = '\0';
    if (!v)
        return true;
    if (!validate_date(v, strlen(v), &ymd)) {
        api_reply_field_error(r, "invalid_query", name, "invalid_date");
        return false;
    }
    snprintf(out, 11, "%s", v);
    return true;
}

void h_reports_fairness(struct httpd_req *r)
{
    const char *fmt = httpd_req_query(r, "format");
    if (fmt && strcmp(fmt, "csv") && strcmp(fmt, "json")) {
        api_reply_field_error(r, "invalid_query", "format", "unknown_value");
        return;
    }
    char county[24], site[24], from[11], to[11];
    if (!fairness_int(r, "county_code", 100000, 999999, county) ||
        !fairness_int(r, "site_id", 1, 999999999999LL, site) || !fairness_date(r, "from", from) ||
        !fairness_date(r, "to", to))
        return;
    struct fairness_ctx *c = malloc(sizeof *c);
    if (!c) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    c->r = r;
    c->csv = fmt && !strcmp(fmt, "csv");
    const struct principal *p = httpd_req_principal(r);
    bool ethnicity = p->kind == PRINCIPAL_STAFF && p->ethnicity;
    if (ethnicity)
        httpd_req_mark_ethnicity(r);
    const char *v[5] = {county[0] ? county : NULL, site[0] ? site : NULL, from[0] ? from : NULL,
                        to[0] ? to : NULL, ethnicity ? "true" : "false"};
    pgpool_query_scoped(httpd_req_read_pool(r), api_scope(r), &fairness_stmt, 5, v, fairness_cb, c);
}

/* ---------- a worker's ethnicity ---------- */

static const struct pgpool_stmt fairness_ethnicity_get_stmt = {
    "worker_ethnicity_get", "SELECT * FROM api_worker_ethnicity_get($1::bigint)"};
static const struct pgpool_stmt fairness_ethnicity_put_stmt = {
    "worker_ethnicity_put", "SELECT * FROM api_worker_ethnicity_put($1::bigint, $2::jsonb, $3)"};

static const struct jv_field fairness_ethnicity_fields[] = {
    {"ethnicity", JV_STRING, JV_REQUIRED | JV_NULLABLE, 1, 20, NULL, NULL},
};
static const struct jv_schema fairness_ethnicity_schema = JV_SCHEMA(fairness_ethnicity_fields);

void h_worker_ethnicity_get(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    httpd_req_mark_ethnicity(r);
    const char *v[1] = {id};
    api_call(r, &fairness_ethnicity_get_stmt, 1, v, NULL);
}

void h_worker_ethnicity_put(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *obj = api_body(r, &fairness_ethnicity_schema, false);
    if (!obj)
        return;
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    httpd_req_mark_ethnicity(r);
    const char *v[3] = {id, payload, api_actor(r)};
    api_call(r, &fairness_ethnicity_put_stmt, 3, v, NULL);
    free(payload);
}
