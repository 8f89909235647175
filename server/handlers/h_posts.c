/*
 * Public-welfare and forest-ranger posts managed after the hire: the post's
 * terms (duties, duty area, funding source, monthly subsidy), the managing
 * unit's monthly assessment, ending a post after a run of unsatisfactory
 * months (a job loss), the monthly subsidy roll per funding source and the
 * rangers whose duty area is far from their site.  The rules are in
 * migrations/040_payroll_posts.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "api.h"
#include "h_payroll.h"
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const post_kinds[] = {"public_welfare", "forest_ranger", NULL};
static const char *const post_sources[] = {"central_ranger",    "provincial", "county_budget",
                                           "collective_income", "other",      NULL};

static const struct jv_field terms_fields[] = {
    {"duties", JV_STRING, 0, 0, 1000, NULL, NULL},
    {"duty_area", JV_STRING, 0, 0, 100, NULL, NULL},
    {"duty_lat", JV_NUMBER, JV_NULLABLE, 20, 30, NULL, NULL},
    {"duty_lon", JV_NUMBER, JV_NULLABLE, 97, 107, NULL, NULL},
    {"funding_source", JV_ENUM, JV_REQUIRED, 0, 0, post_sources, NULL},
    {"monthly_subsidy", JV_NUMBER, JV_REQUIRED, 0, 100000, NULL, NULL},
    {"managing_unit", JV_STRING, 0, 0, 100, NULL, NULL},
};
static const struct jv_field assess_fields[] = {
    {"month", JV_STRING, JV_REQUIRED, 7, 7, NULL, NULL},
    {"satisfactory", JV_BOOL, JV_REQUIRED, 0, 0, NULL, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
};
static const struct jv_field end_fields[] = {
    {"ended_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
    {"note", JV_STRING, 0, 0, 500, NULL, NULL},
};
static const struct jv_schema terms_schema = JV_SCHEMA(terms_fields);
static const struct jv_schema assess_schema = JV_SCHEMA(assess_fields);
static const struct jv_schema end_schema = JV_SCHEMA(end_fields);

static const struct api_filter post_filters[] = {
    {"county_code", API_FILTER_REGION, NULL},          {"kind", API_FILTER_ENUM, post_kinds},
    {"funding_source", API_FILTER_ENUM, post_sources}, {"active", API_FILTER_BOOL, NULL},
    {"end_proposed", API_FILTER_BOOL, NULL},           {"far_from_site", API_FILTER_BOOL, NULL},
};
static const char *const post_sorts[] = {"id", NULL};

static const struct pgpool_stmt post_list = {
    "post_list", "SELECT * FROM api_post_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt post_get = {"post_get", "SELECT * FROM api_post_get($1::bigint)"};
static const struct pgpool_stmt post_terms = {
    "post_terms", "SELECT * FROM api_post_terms_put($1::bigint, $2::jsonb, $3)"};
static const struct pgpool_stmt post_assess = {
    "post_assess", "SELECT * FROM api_post_assess($1::bigint, $2::jsonb, $3)"};
static const struct pgpool_stmt post_end = {
    "post_end", "SELECT * FROM api_post_end($1::bigint, $2::jsonb, $3)"};
static const struct pgpool_stmt post_roll = {
    "post_roll", "SELECT * FROM api_post_subsidy_roll($1, $2::integer)"};

static const struct api_resource post_resource = {
    "/v1/posts", NULL,         NULL,
    NULL,        NULL,         NULL,
    &post_list,  post_filters, sizeof post_filters / sizeof post_filters[0],
    post_sorts,  NULL,
};

void h_posts_list(struct httpd_req *r)
{
    api_list(r, &post_resource);
}

void h_posts_get(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, &post_get, 1, v, NULL);
}

/* The placement {id} and the body checked against schema (an empty body
 * reads as {} when empty_ok), then st(id, body, actor). */
static void post_call(struct httpd_req *r, const struct pgpool_stmt *st,
                      const struct jv_schema *schema, bool empty_ok)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    size_t len = 0;
    httpd_req_body(r, &len);
    json_t *obj = empty_ok && len == 0 ? json_object() : api_body(r, schema, false);
    if (!obj)
        return;
    char *text = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!text) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[3] = {id, text, api_actor(r)};
    api_call(r, st, 3, v, NULL);
    free(text);
}

void h_posts_terms_put(struct httpd_req *r)
{
    post_call(r, &post_terms, &terms_schema, false);
}

void h_posts_assess(struct httpd_req *r)
{
    post_call(r, &post_assess, &assess_schema, false);
}

void h_posts_end(struct httpd_req *r)
{
    post_call(r, &post_end, &end_schema, true);
}

void h_posts_subsidy_roll(struct httpd_req *r)
{
    const char *county = httpd_req_query(r, "county_code");
    if (county) {
        char *end;
        long c = strtol(county, &end, 10);
        if (*end || end == county || c < 110000 || c > 999999) {
            api_reply_field_error(r, "invalid_query", "county_code", "invalid_format");
            return;
        }
    }
    const char *v[2] = {httpd_req_query(r, "month"), county};
    if (!v[0]) {
        api_reply_field_error(r, "invalid_query", "month", "required");
        return;
    }
    api_call(r, &post_roll, 2, v, NULL);
}
