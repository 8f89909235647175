/*
 * Applications: /v1/applications, and their moves through the flow
 * (POST /v1/applications/{id}/transitions).  The flow and the hire (the
 * placement, its follow-ups, the worker's status and the vacancy's places,
 * in one transaction) are in migrations/010_api_applications.sql; the
 * programme rules checked on creating, offering and hiring, and their
 * override, in migrations/035_records_rules.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_applications.h"
#include "api.h"
#include "date.h"
#include "handlers.h"
#include "principal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a hire may be recorded up to this many days after the work started */
#define APPLICATION_BACKDATE_DAYS 31
/* the written reason for overriding a programme rule, in bytes */
#define APPLICATION_OVERRIDE_MAX 500

static const char *const application_sources[] = {"kiosk", "staff", "broker", "allocation", NULL};
static const char *const application_statuses[] = {"applied",  "shortlisted", "offered", "hired",
                                                   "rejected", "withdrawn",   NULL};

static const struct jv_field application_fields[] = {
    {"worker_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"vacancy_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"source", JV_ENUM, JV_REQUIRED, 0, 0, application_sources, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
    {"override_reason", JV_STRING, 0, 0, APPLICATION_OVERRIDE_MAX, NULL, NULL},
};

static const struct jv_field transition_fields[] = {
    {"to", JV_ENUM, JV_REQUIRED, 0, 0, application_statuses, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
    {"start_date", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
    {"wage", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"override_reason", JV_STRING, 0, 0, APPLICATION_OVERRIDE_MAX, NULL, NULL},
};

static const struct jv_schema application_create_schema = JV_SCHEMA(application_fields);
static const struct jv_schema transition_schema = JV_SCHEMA(transition_fields);

static const struct api_filter application_filters[] = {
    {"worker_id", API_FILTER_ID, NULL},
    {"vacancy_id", API_FILTER_ID, NULL},
    {"status", API_FILTER_ENUM, application_statuses},
    {"source", API_FILTER_ENUM, application_sources},
    {"broker_id", API_FILTER_ID, NULL},
};

static const char *const application_sorts[] = {"id", "-id", NULL};

static const struct pgpool_stmt application_get = {"application_get",
                                                   "SELECT * FROM api_application_get($1::bigint)"};
static const struct pgpool_stmt application_list = {
    "application_list",
    "SELECT * FROM api_application_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt application_transition = {
    "application_transition",
    "SELECT * FROM api_application_transition_under_rules($1::bigint, $2::integer, $3::jsonb, "
    "$4)"};

/* An override_reason in obj (borrowed) needs the rules:override permission
 * and some text: answers 403 or 422 and returns -1 otherwise. */
static int application_override_check(struct httpd_req *r, const json_t *obj)
{
    const char *reason = json_string_value(json_object_get(obj, "override_reason"));
    if (!reason)
        return 0;
    if (!httpd_req_principal(r)->rules_override) {
        api_reply_field_error(r, "forbidden", "override_reason", "not_allowed");
        return -1;
    }
    if (reason[strspn(reason, " \t\r\n")] == '\0') {
        api_reply_field_error(r, "validation_failed", "override_reason", "required");
        return -1;
    }
    return 0;
}

static int application_prepare(struct httpd_req *r, json_t *obj, bool create)
{
    (void)create;
    return application_override_check(r, obj);
}

static const struct api_resource application_resource = {
    "/v1/applications",
    "api_application_create_under_rules",
    &application_create_schema,
    NULL,
    &application_get,
    NULL,
    &application_list,
    application_filters,
    sizeof application_filters / sizeof application_filters[0],
    application_sorts,
    application_prepare,
};

/* start_date and wage come with a hire and only with one; the work may have
 * started at most APPLICATION_BACKDATE_DAYS ago. */
static void application_hire_rules(const json_t *obj, json_t *problem, enum problem_lang lang)
{
    static const char *const hire_fields[] = {"start_date", "wage"};
    bool hire = !strcmp(json_string_value(json_object_get(obj, "to")), "hired");
    for (size_t i = 0; i < 2; i++) {
        bool given = json_object_get(obj, hire_fields[i]) != NULL;
        if (hire && !given)
            api_fault(problem, hire_fields[i], "required", lang);
        else if (!hire && given)
            api_fault(problem, hire_fields[i], "not_allowed", lang);
    }
    const json_t *start = json_object_get(obj, "start_date");
    if (hire && start &&
        date_from_ymd(date_text_ymd(json_string_value(start))) <
            date_from_ymd(api_today()) - APPLICATION_BACKDATE_DAYS)
        api_fault(problem, "start_date", "out_of_range", lang);
}

void h_applications_create(struct httpd_req *r)
{
    api_create(r, &application_resource);
}

void h_applications_get(struct httpd_req *r)
{
    api_get(r, &application_resource);
}

void h_applications_list(struct httpd_req *r)
{
    api_list(r, &application_resource);
}

/* Moves application {id}: {to, note; start_date and wage for a hire;
 * override_reason to pass a programme rule}.
 * If-Match is optional and honoured when given. */
void h_applications_transition(struct httpd_req *r)
{
    char id[24], version[16];
    if (!api_param_id(r, 0, id) || !api_if_match_optional(r, version))
        return;
    json_t *obj = api_body_rules(r, &transition_schema, application_hire_rules);
    if (!obj)
        return;
    if (application_override_check(r, obj) < 0) {
        json_decref(obj);
        return;
    }
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {id, version[0] ? version : NULL, payload, api_actor(r)};
    api_call(r, &application_transition, 4, v, NULL);
    free(payload);
}
