#include "dbreply.h"
#include "handlers.h"

#include <string.h>

#define REGION_JSON                                                                                \
    "json_build_object('code', code, 'name', name, 'name_pinyin', name_pinyin, 'level', level,"    \
    " 'county_type', county_type, 'parent_code', parent_code, 'lat', lat, 'lon', lon)"

static const struct pgpool_stmt regions_get_stmt = {
    "regions_get", "SELECT " REGION_JSON " FROM region WHERE code = $1::integer"};

static const struct pgpool_stmt regions_list_stmt = {
    "regions_list",
    "SELECT json_build_object('items', coalesce(json_agg(" REGION_JSON " ORDER BY code), '[]'))"
    " FROM region WHERE ($1::text IS NULL OR level = $1) AND ($2::integer IS NULL OR parent_code = "
    "$2)"};

/* A six-digit GB/T 2260 code. */
static bool regions_code_ok(const char *s)
{
    if (!s || strlen(s) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return s[0] != '0';
}

static void regions_bad(struct httpd_req *r, const char *field, const char *code)
{
    json_t *p = problem_new("invalid_query", httpd_req_lang(r), NULL);
    if (problem_add_error(p, field, code, httpd_req_lang(r), NULL) < 0) {
        json_decref(p);
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    httpd_reply_problem_json(r, p);
}

void h_regions_get(struct httpd_req *r)
{
    const char *code = httpd_req_param(r, 0);
    if (!regions_code_ok(code)) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    const char *v[1] = {code};
    httpd_set_header(r, "Cache-Control", "public, max-age=3600");
    dbreply_json(r, &regions_get_stmt, 1, v, 200);
}

void h_regions_list(struct httpd_req *r)
{
    const char *level = httpd_req_query(r, "level");
    const char *parent = httpd_req_query(r, "parent");
    if (level && strcmp(level, "province") && strcmp(level, "prefecture") &&
        strcmp(level, "county")) {
        regions_bad(r, "level", "unknown_value");
        return;
    }
    if (parent && !regions_code_ok(parent)) {
        regions_bad(r, "parent", "invalid_format");
        return;
    }
    const char *v[2] = {level, parent};
    httpd_set_header(r, "Cache-Control", "public, max-age=3600");
    dbreply_json(r, &regions_list_stmt, 2, v, 200);
}
