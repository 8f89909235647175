/*
 * Households: /v1/households.
 *
 * labor_count, employed_count and zero_employment follow the household's
 * workers (triggers on worker) and cannot be set.  The monitoring rules and
 * the site and origin checks are in migrations/006_api_households.sql.
 */
#include "h_households.h"
#include "api.h"
#include "fields.h"
#include "handlers.h"

static const char *const household_monitoring[] = {"none", "unstable", "marginal",
                                                   "sudden_hardship", NULL};
static const char *const household_found_by[] = {"self_application", "data_comparison",
                                                 "cadre_visit", NULL};

/* found_on may not be in the future either: the database checks that against today */
static const struct jv_field household_fields[] = {
    {"site_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"origin_county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"origin_village", JV_STRING, 0, FIELDS_MIN(ORIGIN_VILLAGE), FIELDS_MAX(ORIGIN_VILLAGE), NULL,
     NULL},
    {"members", JV_INT, JV_REQUIRED, FIELDS_MIN(HOUSEHOLD_MEMBERS), FIELDS_MAX(HOUSEHOLD_MEMBERS),
     NULL, NULL},
    {"monitoring_status", JV_ENUM, 0, 0, 0, household_monitoring, NULL},
    {"monitoring_found_by", JV_ENUM, JV_NULLABLE, 0, 0, household_found_by, NULL},
    {"monitoring_found_on", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
};

static const struct jv_field household_update_fields[] = {
    {"site_id", JV_ID, 0, 0, 0, NULL, NULL},
    {"origin_county_code", JV_REGION, 0, 0, 0, NULL, NULL},
    {"origin_village", JV_STRING, 0, FIELDS_MIN(ORIGIN_VILLAGE), FIELDS_MAX(ORIGIN_VILLAGE), NULL,
     NULL},
    {"members", JV_INT, 0, FIELDS_MIN(HOUSEHOLD_MEMBERS), FIELDS_MAX(HOUSEHOLD_MEMBERS), NULL,
     NULL},
    {"monitoring_status", JV_ENUM, 0, 0, 0, household_monitoring, NULL},
    {"monitoring_found_by", JV_ENUM, JV_NULLABLE, 0, 0, household_found_by, NULL},
    {"monitoring_found_on", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"archived", JV_BOOL, 0, 0, 0, NULL, NULL},
};

static const struct jv_schema household_create_schema = JV_SCHEMA(household_fields);
static const struct jv_schema household_update_schema = JV_SCHEMA(household_update_fields);

static const struct api_filter household_filters[] = {
    {"site_id", API_FILTER_ID, NULL},
    {"county_code", API_FILTER_REGION, NULL},
    {"origin_county_code", API_FILTER_REGION, NULL},
    {"monitoring_status", API_FILTER_ENUM, household_monitoring},
    {"monitored", API_FILTER_BOOL, NULL},
    {"zero_employment", API_FILTER_BOOL, NULL},
    {"archived", API_FILTER_BOOL, NULL},
};

static const char *const household_sorts[] = {"id", "site", NULL};

static const struct pgpool_stmt household_get = {"household_get",
                                                 "SELECT * FROM api_household_get($1::bigint)"};
static const struct pgpool_stmt household_patch = {
    "household_patch",
    "SELECT * FROM api_household_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt household_list = {
    "household_list", "SELECT * FROM api_household_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource household_resource = {
    "/v1/households",
    "api_household_create",
    &household_create_schema,
    &household_update_schema,
    &household_get,
    &household_patch,
    &household_list,
    household_filters,
    sizeof household_filters / sizeof household_filters[0],
    household_sorts,
    NULL,
};

void h_households_create(struct httpd_req *r)
{
    api_create(r, &household_resource);
}

void h_households_get(struct httpd_req *r)
{
    api_get(r, &household_resource);
}

void h_households_update(struct httpd_req *r)
{
    api_update(r, &household_resource);
}

void h_households_list(struct httpd_req *r)
{
    api_list(r, &household_resource);
}
