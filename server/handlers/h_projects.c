/*
 * Work-relief (以工代赈) projects: /v1/work-relief-projects, and the labour
 * remuneration they pay out (POST /v1/work-relief-projects/{id}/payments).
 * The money rules and the rollups (jobs filled, remuneration paid) are in
 * migrations/009_api_vacancies.sql.
 */
#include "h_projects.h"
#include "api.h"
#include "handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const project_fundings[] = {"central", "provincial", "other", NULL};

/* money in yuan, up to 100 billion */
static const struct jv_field project_fields[] = {
    {"county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"name", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"funding", JV_ENUM, 0, 0, 0, project_fundings, NULL},
    {"total_investment", JV_NUMBER, JV_REQUIRED, 0, 100000000000, NULL, NULL},
    {"remuneration_budget", JV_NUMBER, JV_REQUIRED, 0, 100000000000, NULL, NULL},
    {"planned_jobs", JV_INT, JV_REQUIRED, 0, 1000000, NULL, NULL},
    {"local_hires", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"start_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"end_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
};

static const struct jv_field project_update_fields[] = {
    {"county_code", JV_REGION, 0, 0, 0, NULL, NULL},
    {"name", JV_STRING, 0, 1, 100, NULL, NULL},
    {"funding", JV_ENUM, 0, 0, 0, project_fundings, NULL},
    {"total_investment", JV_NUMBER, 0, 0, 100000000000, NULL, NULL},
    {"remuneration_budget", JV_NUMBER, 0, 0, 100000000000, NULL, NULL},
    {"planned_jobs", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"local_hires", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"start_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"end_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"archived", JV_BOOL, 0, 0, 0, NULL, NULL},
};

static const struct jv_field payment_fields[] = {
    {"amount", JV_NUMBER, JV_REQUIRED, 0, 10000000000, NULL, NULL},
    {"paid_on", JV_DATE, JV_REQUIRED, 20000101, 21001231, NULL, NULL},
    {"note", JV_STRING, 0, 0, 500, NULL, NULL},
};

static const struct jv_schema project_create_schema = JV_SCHEMA(project_fields);
static const struct jv_schema project_update_schema = JV_SCHEMA(project_update_fields);
static const struct jv_schema payment_schema = JV_SCHEMA(payment_fields);

static const struct api_filter project_filters[] = {
    {"county_code", API_FILTER_REGION, NULL},
    {"funding", API_FILTER_ENUM, project_fundings},
    {"archived", API_FILTER_BOOL, NULL},
    {"q", API_FILTER_TEXT, NULL},
};

static const char *const project_sorts[] = {"id", "name", NULL};

static const struct pgpool_stmt project_get = {"project_get",
                                               "SELECT * FROM api_project_get($1::bigint)"};
static const struct pgpool_stmt project_patch = {
    "project_patch", "SELECT * FROM api_project_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt project_list = {
    "project_list", "SELECT * FROM api_project_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource project_resource = {
    "/v1/work-relief-projects",
    "api_project_create",
    &project_create_schema,
    &project_update_schema,
    &project_get,
    &project_patch,
    &project_list,
    project_filters,
    sizeof project_filters / sizeof project_filters[0],
    project_sorts,
    NULL,
};

void h_projects_create(struct httpd_req *r)
{
    api_create(r, &project_resource);
}

void h_projects_get(struct httpd_req *r)
{
    api_get(r, &project_resource);
}

void h_projects_update(struct httpd_req *r)
{
    api_update(r, &project_resource);
}

void h_projects_list(struct httpd_req *r)
{
    api_list(r, &project_resource);
}

/* YYYY-MM-DD (already validated) as YYYYMMDD. */
static int project_ymd(const char *s)
{
    return atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8);
}

/* Records labour remuneration paid by project {id}: {amount > 0, paid_on
 * (not in the future), note}. */
void h_projects_payment_create(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return;
    enum problem_lang lang = httpd_req_lang(r);
    json_t *problem = problem_new("validation_failed", lang, NULL);
    json_t *obj = jv_check(body, &payment_schema, false, api_today(), "", problem, lang);
    json_decref(body);
    if (obj) {
        /* the database refuses these too; here they are named with any other fault */
        bool no_amount = json_number_value(json_object_get(obj, "amount")) <= 0;
        bool future = project_ymd(json_string_value(json_object_get(obj, "paid_on"))) > api_today();
        if ((no_amount && problem_add_error(problem, "amount", "out_of_range", lang, NULL) < 0) ||
            (future && problem_add_error(problem, "paid_on", "out_of_range", lang, NULL) < 0)) {
            json_decref(obj);
            json_decref(problem);
            httpd_reply_problem(r, "overloaded", NULL);
            return;
        }
    }
    if (!obj || jv_error_count(problem) > 0) {
        json_decref(obj);
        httpd_reply_problem_json(r, problem);
        return;
    }
    json_decref(problem);
    json_object_set_new(obj, "project_id", json_integer(strtoll(id, NULL, 10)));
    api_idem_call(r, "api_project_payment_create", obj, NULL);
    json_decref(obj);
}
