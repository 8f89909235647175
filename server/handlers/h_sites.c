/* Resettlement sites (安置点): /v1/sites */
#include "api.h"
#include "handlers.h"

static const char *const site_kinds[] = {"urban_centralized", "rural_centralized", "scattered",
                                         NULL};

static const struct jv_field site_fields[] = {
    {"name", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"lat", JV_NUMBER, 0, 20, 30, NULL, NULL},
    {"lon", JV_NUMBER, 0, 97, 107, NULL, NULL},
    {"kind", JV_ENUM, JV_REQUIRED, 0, 0, site_kinds, NULL},
    {"households", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"people", JV_INT, 0, 0, 5000000, NULL, NULL},
};

static const struct jv_field site_update_fields[] = {
    {"name", JV_STRING, 0, 1, 100, NULL, NULL},
    {"county_code", JV_REGION, 0, 0, 0, NULL, NULL},
    {"lat", JV_NUMBER, 0, 20, 30, NULL, NULL},
    {"lon", JV_NUMBER, 0, 97, 107, NULL, NULL},
    {"kind", JV_ENUM, 0, 0, 0, site_kinds, NULL},
    {"households", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"people", JV_INT, 0, 0, 5000000, NULL, NULL},
    {"archived", JV_BOOL, 0, 0, 0, NULL, NULL},
};

static const struct jv_schema site_create_schema = JV_SCHEMA(site_fields);
static const struct jv_schema site_update_schema = JV_SCHEMA(site_update_fields);

static const struct api_filter site_filters[] = {
    {"county_code", API_FILTER_REGION, NULL},
    {"kind", API_FILTER_ENUM, site_kinds},
    {"archived", API_FILTER_BOOL, NULL},
    {"q", API_FILTER_TEXT, NULL},
};

static const char *const site_sorts[] = {"id", "name", NULL};

static const struct pgpool_stmt site_get = {"site_get", "SELECT * FROM api_site_get($1::bigint)"};
static const struct pgpool_stmt site_patch = {
    "site_patch", "SELECT * FROM api_site_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt site_list = {
    "site_list", "SELECT * FROM api_site_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource site_resource = {
    "/v1/sites",
    "api_site_create",
    &site_create_schema,
    &site_update_schema,
    &site_get,
    &site_patch,
    &site_list,
    site_filters,
    sizeof site_filters / sizeof site_filters[0],
    site_sorts,
    NULL,
};

void h_sites_create(struct httpd_req *r)
{
    api_create(r, &site_resource);
}

void h_sites_get(struct httpd_req *r)
{
    api_get(r, &site_resource);
}

void h_sites_update(struct httpd_req *r)
{
    api_update(r, &site_resource);
}

void h_sites_list(struct httpd_req *r)
{
    api_list(r, &site_resource);
}
