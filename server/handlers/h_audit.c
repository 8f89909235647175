/*
 * The audit log for administrators (/v1/audit), a record's history for the
 * staff who may see the record (/v1/{workers,households,vacancies}/{id}/history),
 * and brokers' records for staff (/v1/brokers).
 */
#include "api.h"
#include "handlers.h"

static const char *const audit_actor_kinds[] = {"staff", "broker", "kiosk", "system", NULL};

static const struct api_filter audit_filters[] = {
    {"actor_kind", API_FILTER_ENUM, audit_actor_kinds},
    {"actor_name", API_FILTER_TEXT, NULL},
    {"action", API_FILTER_TEXT, NULL},
    {"resource", API_FILTER_TEXT, NULL},
    {"resource_id", API_FILTER_TEXT, NULL},
    {"request_id", API_FILTER_TEXT, NULL},
    {"from", API_FILTER_DATE, NULL},
    {"to", API_FILTER_DATE, NULL},
};

static const char *const audit_sorts[] = {"-id", NULL};

static const struct pgpool_stmt audit_list = {
    "audit_list", "SELECT * FROM api_audit_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource audit_resource = {
    .path = "/v1/audit",
    .list = &audit_list,
    .filters = audit_filters,
    .nfilters = sizeof audit_filters / sizeof audit_filters[0],
    .sorts = audit_sorts,
};

/* a record's history: newest first, no filters but the record in the path */
static const char *const audit_history_sorts[] = {"-id", NULL};

static const struct pgpool_stmt audit_worker_history = {
    "worker_history",
    "SELECT * FROM api_record_history('worker', $1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt audit_household_history = {
    "household_history",
    "SELECT * FROM api_record_history('household', $1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt audit_vacancy_history = {
    "vacancy_history",
    "SELECT * FROM api_record_history('vacancy', $1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource audit_worker_history_resource = {
    .path = "/v1/workers", .list = &audit_worker_history, .sorts = audit_history_sorts};
static const struct api_resource audit_household_history_resource = {
    .path = "/v1/households", .list = &audit_household_history, .sorts = audit_history_sorts};
static const struct api_resource audit_vacancy_history_resource = {
    .path = "/v1/vacancies", .list = &audit_vacancy_history, .sorts = audit_history_sorts};

static const struct api_filter audit_broker_filters[] = {
    {"archived", API_FILTER_BOOL, NULL},
    {"q", API_FILTER_TEXT, NULL},
};

static const char *const audit_broker_sorts[] = {"id", "name", NULL};

static const struct pgpool_stmt audit_broker_get = {"broker_get",
                                                    "SELECT * FROM api_broker_get($1::bigint)"};
static const struct pgpool_stmt audit_broker_list = {
    "broker_list", "SELECT * FROM api_broker_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource audit_broker_resource = {
    .path = "/v1/brokers",
    .get = &audit_broker_get,
    .list = &audit_broker_list,
    .filters = audit_broker_filters,
    .nfilters = sizeof audit_broker_filters / sizeof audit_broker_filters[0],
    .sorts = audit_broker_sorts,
};

void h_audit_list(struct httpd_req *r)
{
    api_list(r, &audit_resource);
}

void h_brokers_list(struct httpd_req *r)
{
    api_list(r, &audit_broker_resource);
}

void h_brokers_get(struct httpd_req *r)
{
    api_get(r, &audit_broker_resource);
}

void h_workers_history(struct httpd_req *r)
{
    api_list_under(r, &audit_worker_history_resource, "id");
}

void h_households_history(struct httpd_req *r)
{
    api_list_under(r, &audit_household_history_resource, "id");
}

void h_vacancies_history(struct httpd_req *r)
{
    api_list_under(r, &audit_vacancy_history_resource, "id");
}
