/*
 * Employers: /v1/employers.
 *
 * The credit code is checked here (GB 32100 check character) and is unique
 * over all employers; the county must be county-level and the partner
 * province known (migrations/008_api_employers.sql).  The contact phone is
 * written but answered only masked.
 */
#include "h_employers.h"
#include "api.h"
#include "handlers.h"

static const char *const employer_kinds[] = {"enterprise",  "assistance_workshop",   "cooperative",
                                             "public_body", "labor_service_company", NULL};

static const struct jv_field employer_fields[] = {
    {"name", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"credit_code", JV_CREDIT_CODE, JV_REQUIRED, 0, 0, NULL, NULL},
    {"kind", JV_ENUM, JV_REQUIRED, 0, 0, employer_kinds, NULL},
    {"county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"partner_province_code", JV_REGION, JV_NULLABLE, 0, 0, NULL, NULL},
    {"contact_name", JV_STRING, 0, 0, 50, NULL, NULL},
    {"contact_phone", JV_PHONE, JV_NULLABLE, 0, 0, NULL, NULL},
    {"address", JV_STRING, 0, 0, 200, NULL, NULL},
};

/* JV_REQUIRED in a partial check: may be left out, may not be set to null */
static const struct jv_field employer_update_fields[] = {
    {"name", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"credit_code", JV_CREDIT_CODE, JV_REQUIRED, 0, 0, NULL, NULL},
    {"kind", JV_ENUM, JV_REQUIRED, 0, 0, employer_kinds, NULL},
    {"county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"partner_province_code", JV_REGION, JV_NULLABLE, 0, 0, NULL, NULL},
    {"contact_name", JV_STRING, 0, 0, 50, NULL, NULL},
    {"contact_phone", JV_PHONE, JV_NULLABLE, 0, 0, NULL, NULL},
    {"address", JV_STRING, 0, 0, 200, NULL, NULL},
    {"archived", JV_BOOL, 0, 0, 0, NULL, NULL},
};

static const struct jv_schema employer_create_schema = JV_SCHEMA(employer_fields);
static const struct jv_schema employer_update_schema = JV_SCHEMA(employer_update_fields);

static const struct api_filter employer_filters[] = {
    {"county_code", API_FILTER_REGION, NULL},
    {"kind", API_FILTER_ENUM, employer_kinds},
    {"partner_province_code", API_FILTER_REGION, NULL},
    {"archived", API_FILTER_BOOL, NULL},
    {"q", API_FILTER_TEXT, NULL},
};

static const char *const employer_sorts[] = {"id", "name", NULL};

static const struct pgpool_stmt employer_get = {"employer_get",
                                                "SELECT * FROM api_employer_get($1::bigint)"};
static const struct pgpool_stmt employer_patch = {
    "employer_patch", "SELECT * FROM api_employer_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt employer_list = {
    "employer_list", "SELECT * FROM api_employer_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource employer_resource = {
    "/v1/employers",
    "api_employer_create",
    &employer_create_schema,
    &employer_update_schema,
    &employer_get,
    &employer_patch,
    &employer_list,
    employer_filters,
    sizeof employer_filters / sizeof employer_filters[0],
    employer_sorts,
    NULL,
};

void h_employers_create(struct httpd_req *r)
{
    api_create(r, &employer_resource);
}

void h_employers_get(struct httpd_req *r)
{
    api_get(r, &employer_resource);
}

void h_employers_update(struct httpd_req *r)
{
    api_update(r, &employer_resource);
}

void h_employers_list(struct httpd_req *r)
{
    api_list(r, &employer_resource);
}
