/*
 * Placements made by hires (/v1/placements), their follow-ups at 1, 3 and 6
 * months (/v1/followups, POST /v1/placements/{id}/followups/{month}) and the
 * early-warning visits opened when a household loses its job
 * (/v1/early-warning-tasks).  Ending a placement and everything it sets off
 * happen in one transaction: see migrations/010_api_applications.sql; a
 * follow-up that finds the worker gone ends the placement the same way
 * (migrations/035_records_rules.sql).
 */
#define _POSIX_C_SOURCE 200809L
#include "h_placements.h"
#include "api.h"
#include "date.h"
#include "handlers.h"

#include <stdlib.h>
#include <string.h>

static const char *const placement_end_reasons[] = {
    "contract_ended", "quit", "dismissed", "project_finished", "health", "moved", "other", NULL};
static const char *const warning_task_statuses[] = {"open", "closed", NULL};

static const struct jv_field placement_end_fields[] = {
    {"ended_on", JV_DATE, JV_REQUIRED, 20000101, 21001231, NULL, NULL},
    {"end_reason", JV_ENUM, JV_REQUIRED, 0, 0, placement_end_reasons, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
};

static const struct jv_field followup_fields[] = {
    {"still_employed", JV_BOOL, JV_REQUIRED, 0, 0, NULL, NULL},
    {"wage", JV_INT, JV_NULLABLE, 0, 1000000, NULL, NULL},
    {"problems", JV_STRING, 0, 0, 1000, NULL, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
    {"ended_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
    {"end_reason", JV_ENUM, 0, 0, 0, placement_end_reasons, NULL},
};

static const struct jv_field warning_task_update_fields[] = {
    {"assignee", JV_STRING, 0, 0, 50, NULL, NULL},
    {"visit_note", JV_STRING, 0, 0, 2000, NULL, NULL},
    {"status", JV_ENUM, 0, 0, 0, warning_task_statuses, NULL},
};

static const struct jv_schema placement_end_schema = JV_SCHEMA(placement_end_fields);
static const struct jv_schema followup_schema = JV_SCHEMA(followup_fields);
static const struct jv_schema warning_task_update_schema = JV_SCHEMA(warning_task_update_fields);

static const struct api_filter placement_filters[] = {
    {"worker_id", API_FILTER_ID, NULL},
    {"vacancy_id", API_FILTER_ID, NULL},
    {"active", API_FILTER_BOOL, NULL},
    {"county_code", API_FILTER_REGION, NULL},
    {"followup_due_before", API_FILTER_DATE, NULL},
};

static const struct api_filter followup_filters[] = {
    {"due_before", API_FILTER_DATE, NULL},
    {"done", API_FILTER_BOOL, NULL},
    {"county_code", API_FILTER_REGION, NULL},
};

static const struct api_filter warning_task_filters[] = {
    {"status", API_FILTER_ENUM, warning_task_statuses},
    {"household_id", API_FILTER_ID, NULL},
    {"overdue", API_FILTER_BOOL, NULL},
    {"county_code", API_FILTER_REGION, NULL},
};

static const char *const placement_sorts[] = {"id", "-id", NULL};
static const char *const followup_sorts[] = {"due_on", NULL};
static const char *const warning_task_sorts[] = {"id", "due_on", NULL};

static const struct pgpool_stmt placement_get = {"placement_get",
                                                 "SELECT * FROM api_placement_get($1::bigint)"};
static const struct pgpool_stmt placement_list = {
    "placement_list", "SELECT * FROM api_placement_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt placement_end = {
    "placement_end", "SELECT * FROM api_placement_end($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt followup_record = {
    "followup_record", "SELECT * FROM api_followup_record($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt followup_list = {
    "followup_list", "SELECT * FROM api_followup_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt warning_task_get = {
    "warning_task_get", "SELECT * FROM api_warning_task_get($1::bigint)"};
static const struct pgpool_stmt warning_task_patch = {
    "warning_task_patch",
    "SELECT * FROM api_warning_task_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt warning_task_list = {
    "warning_task_list",
    "SELECT * FROM api_warning_task_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

/* Placements are made by hires (see h_applications.c), never created here. */
static const struct api_resource placement_resource = {
    "/v1/placements",
    NULL,
    NULL,
    NULL,
    &placement_get,
    NULL,
    &placement_list,
    placement_filters,
    sizeof placement_filters / sizeof placement_filters[0],
    placement_sorts,
    NULL,
};

static const struct api_resource followup_resource = {
    "/v1/followups",
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    &followup_list,
    followup_filters,
    sizeof followup_filters / sizeof followup_filters[0],
    followup_sorts,
    NULL,
};

/* Tasks are opened by the end of a placement, never created here. */
static const struct api_resource warning_task_resource = {
    "/v1/early-warning-tasks",
    NULL,
    NULL,
    &warning_task_update_schema,
    &warning_task_get,
    &warning_task_patch,
    &warning_task_list,
    warning_task_filters,
    sizeof warning_task_filters / sizeof warning_task_filters[0],
    warning_task_sorts,
    NULL,
};

void h_placements_list(struct httpd_req *r)
{
    api_list(r, &placement_resource);
}

void h_placements_get(struct httpd_req *r)
{
    api_get(r, &placement_resource);
}

/* A placement cannot end in the future (whether it ends before its start
 * is for the database to say). */
static void placement_end_rules(const json_t *obj, json_t *problem, enum problem_lang lang)
{
    const char *ended = json_string_value(json_object_get(obj, "ended_on"));
    if (date_text_ymd(ended) > api_today())
        api_fault(problem, "ended_on", "out_of_range", lang);
}

/* Runs st ($1 id, $2 version|NULL, $3 body, $4 actor) on the validated obj
 * (borrowed) and answers with its result. */
static void placement_call(struct httpd_req *r, const struct pgpool_stmt *st, const char *id,
                           const char *version, const json_t *obj)
{
    char *payload = json_dumps(obj, JSON_COMPACT);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {id, version, payload, api_actor(r)};
    api_call(r, st, 4, v, NULL);
    free(payload);
}

/* Ends placement {id}: {ended_on, end_reason, note}.  If-Match is optional
 * and honoured when given. */
void h_placements_end(struct httpd_req *r)
{
    char id[24], version[16];
    if (!api_param_id(r, 0, id) || !api_if_match_optional(r, version))
        return;
    json_t *obj = api_body_rules(r, &placement_end_schema, placement_end_rules);
    if (!obj)
        return;
    placement_call(r, &placement_end, id, version[0] ? version : NULL, obj);
    json_decref(obj);
}

/* ended_on and end_reason come only with still_employed false; the worker
 * cannot have left in the future. */
static void followup_rules(const json_t *obj, json_t *problem, enum problem_lang lang)
{
    static const char *const left_fields[] = {"ended_on", "end_reason"};
    bool left = json_is_false(json_object_get(obj, "still_employed"));
    for (size_t i = 0; i < 2; i++)
        if (!left && json_object_get(obj, left_fields[i]))
            api_fault(problem, left_fields[i], "not_allowed", lang);
    const char *ended = json_string_value(json_object_get(obj, "ended_on"));
    if (ended && date_text_ymd(ended) > api_today())
        api_fault(problem, "ended_on", "out_of_range", lang);
}

/* Records the follow-up of placement {id} at {month} (1, 3 or 6):
 * {still_employed, wage, problems, note; ended_on and end_reason when the
 * worker has left, which ends the placement}. */
void h_followups_record(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *month = httpd_req_param(r, 1);
    if (strcmp(month, "1") && strcmp(month, "3") && strcmp(month, "6")) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    json_t *obj = api_body_rules(r, &followup_schema, followup_rules);
    if (!obj)
        return;
    placement_call(r, &followup_record, id, month, obj);
    json_decref(obj);
}

void h_followups_list(struct httpd_req *r)
{
    api_list(r, &followup_resource);
}

void h_warning_tasks_list(struct httpd_req *r)
{
    api_list(r, &warning_task_resource);
}

void h_warning_tasks_get(struct httpd_req *r)
{
    api_get(r, &warning_task_resource);
}

void h_warning_tasks_update(struct httpd_req *r)
{
    api_update(r, &warning_task_resource);
}
