/*
 * Vacancies: /v1/vacancies.
 *
 * Bodies pass two checks before the declarative schema: fields that would
 * state a requirement on sex, ethnicity, origin, religion or marital status
 * are refused as discriminatory (Employment Promotion Law), and
 * required_certificates, a plain array of ids, is checked here.  The rules
 * between fields and the status rules are in migrations/009_api_vacancies.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_vacancies.h"
#include "api.h"
#include "handlers.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VACANCY_MAX_CERTIFICATES 20

static const char *const vacancy_kinds[] = {
    "regular", "work_relief", "public_welfare", "forest_ranger", "workshop", "labor_export", NULL};
static const char *const vacancy_periods[] = {"month", "day", "hour", "piece", NULL};
/* 'filled' is accepted by the schema so that the database can say why it may not be set */
static const char *const vacancy_statuses[] = {"draft", "open", "closed", "filled", NULL};

static const struct jv_field vacancy_skill_fields[] = {
    {"skill_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"min_level", JV_INT, 0, 1, 5, NULL, NULL},
    {"weight", JV_NUMBER, 0, 0, 10, NULL, NULL},
    {"must_have", JV_BOOL, 0, 0, 0, NULL, NULL},
};
static const struct jv_schema vacancy_skill_schema = JV_SCHEMA(vacancy_skill_fields);

/* lat/lon: mainland China, as labour-export posts lie outside Yunnan */
static const struct jv_field vacancy_fields[] = {
    {"employer_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"project_id", JV_ID, JV_NULLABLE, 0, 0, NULL, NULL},
    {"title", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"description", JV_STRING, 0, 0, 4000, NULL, NULL},
    {"occupation_code", JV_STRING, JV_REQUIRED, 1, 20, NULL, NULL},
    {"kind", JV_ENUM, JV_REQUIRED, 0, 0, vacancy_kinds, NULL},
    {"county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"lat", JV_NUMBER, 0, 3, 54, NULL, NULL},
    {"lon", JV_NUMBER, 0, 73, 136, NULL, NULL},
    {"address", JV_STRING, 0, 0, 200, NULL, NULL},
    {"dest_province_code", JV_REGION, JV_NULLABLE, 0, 0, NULL, NULL},
    {"dest_city", JV_STRING, JV_NULLABLE, 0, 50, NULL, NULL},
    {"headcount", JV_INT, JV_REQUIRED, 1, 100000, NULL, NULL},
    {"wage_min", JV_INT, JV_REQUIRED, 0, 1000000, NULL, NULL},
    {"wage_max", JV_INT, JV_REQUIRED, 0, 1000000, NULL, NULL},
    {"wage_period", JV_ENUM, 0, 0, 0, vacancy_periods, NULL},
    {"age_min", JV_INT, 0, 16, 65, NULL, NULL},
    {"age_max", JV_INT, 0, 16, 65, NULL, NULL},
    {"accommodation", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"transport", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"start_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"end_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"status", JV_ENUM, 0, 0, 0, vacancy_statuses, NULL},
    {"required_skills", JV_OBJECTS, 0, 0, 30, NULL, &vacancy_skill_schema},
};

static const struct jv_field vacancy_update_fields[] = {
    {"employer_id", JV_ID, 0, 0, 0, NULL, NULL},
    {"project_id", JV_ID, JV_NULLABLE, 0, 0, NULL, NULL},
    {"title", JV_STRING, 0, 1, 100, NULL, NULL},
    {"description", JV_STRING, 0, 0, 4000, NULL, NULL},
    {"occupation_code", JV_STRING, 0, 1, 20, NULL, NULL},
    {"kind", JV_ENUM, 0, 0, 0, vacancy_kinds, NULL},
    {"county_code", JV_REGION, 0, 0, 0, NULL, NULL},
    {"lat", JV_NUMBER, 0, 3, 54, NULL, NULL},
    {"lon", JV_NUMBER, 0, 73, 136, NULL, NULL},
    {"address", JV_STRING, 0, 0, 200, NULL, NULL},
    {"dest_province_code", JV_REGION, JV_NULLABLE, 0, 0, NULL, NULL},
    {"dest_city", JV_STRING, JV_NULLABLE, 0, 50, NULL, NULL},
    {"headcount", JV_INT, 0, 1, 100000, NULL, NULL},
    {"wage_min", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"wage_max", JV_INT, 0, 0, 1000000, NULL, NULL},
    {"wage_period", JV_ENUM, 0, 0, 0, vacancy_periods, NULL},
    {"age_min", JV_INT, 0, 16, 65, NULL, NULL},
    {"age_max", JV_INT, 0, 16, 65, NULL, NULL},
    {"accommodation", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"transport", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"start_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"end_date", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL},
    {"status", JV_ENUM, 0, 0, 0, vacancy_statuses, NULL},
    {"required_skills", JV_OBJECTS, 0, 0, 30, NULL, &vacancy_skill_schema},
    {"archived", JV_BOOL, 0, 0, 0, NULL, NULL},
};

static const struct jv_schema vacancy_create_schema = JV_SCHEMA(vacancy_fields);
static const struct jv_schema vacancy_update_schema = JV_SCHEMA(vacancy_update_fields);

static const struct api_filter vacancy_filters[] = {
    {"county_code", API_FILTER_REGION, NULL},      {"kind", API_FILTER_ENUM, vacancy_kinds},
    {"status", API_FILTER_ENUM, vacancy_statuses}, {"employer_id", API_FILTER_ID, NULL},
    {"project_id", API_FILTER_ID, NULL},           {"skill_id", API_FILTER_ID, NULL},
    {"occupation_code", API_FILTER_TEXT, NULL},    {"accommodation", API_FILTER_BOOL, NULL},
    {"archived", API_FILTER_BOOL, NULL},           {"q", API_FILTER_TEXT, NULL},
};

static const char *const vacancy_sorts[] = {"id", "-created", "wage", NULL};

static const struct pgpool_stmt vacancy_get = {"vacancy_get",
                                               "SELECT * FROM api_vacancy_get($1::bigint)"};
static const struct pgpool_stmt vacancy_patch = {
    "vacancy_patch", "SELECT * FROM api_vacancy_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt vacancy_list = {
    "vacancy_list", "SELECT * FROM api_vacancy_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

/* Create and update are handled here (see h_vacancies_create); get and list
 * go through the shared flow. */
static const struct api_resource vacancy_resource = {
    "/v1/vacancies",
    "api_vacancy_create",
    &vacancy_create_schema,
    &vacancy_update_schema,
    &vacancy_get,
    &vacancy_patch,
    &vacancy_list,
    vacancy_filters,
    sizeof vacancy_filters / sizeof vacancy_filters[0],
    vacancy_sorts,
    NULL,
};

/* Whole words (between '_' or '-') and word stems that name a personal trait
 * an employer may not select by. */
static const char *const vacancy_banned_words[] = {"sex",         "race",   "nation",
                                                   "nationality", "origin", NULL};
static const char *const vacancy_banned_stems[] = {
    "gender", "ethnic", "minzu", "hukou", "religio", "marital", "household_registration", NULL};

static bool vacancy_key_discriminatory(const char *key)
{
    char buf[128], *save = NULL;
    size_t n = strlen(key);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (key[i] >= 'A' && key[i] <= 'Z') ? (char)(key[i] - 'A' + 'a') : key[i];
    buf[n] = '\0';
    for (size_t i = 0; vacancy_banned_stems[i]; i++)
        if (strstr(buf, vacancy_banned_stems[i]))
            return true;
    for (char *w = strtok_r(buf, "_-", &save); w; w = strtok_r(NULL, "_-", &save))
        for (size_t i = 0; vacancy_banned_words[i]; i++)
            if (!strcmp(w, vacancy_banned_words[i]))
                return true;
    return false;
}

/* Adds a field error; when memory runs out the body is answered as overloaded instead. */
static void vacancy_fault(json_t *problem, const char *field, const char *code,
                          enum problem_lang lang)
{
    if (problem_add_error(problem, field, code, lang, NULL) < 0)
        return;
}

/* Refuses discriminatory fields: each is named in problem and removed from rest. */
static void vacancy_refuse_discriminatory(const json_t *body, json_t *rest, json_t *problem,
                                          enum problem_lang lang)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)body, key, v)
    {
        if (!vacancy_key_discriminatory(key))
            continue;
        char field[128];
        validate_copy_text(field, sizeof field, key);
        vacancy_fault(problem, field, "discriminatory", lang);
        json_object_del(rest, key);
    }
}

/* Checks required_certificates: an array of distinct positive ids.  Returns
 * a new reference to a copy, or NULL after naming each fault in problem. */
static json_t *vacancy_certificates(const json_t *v, json_t *problem, enum problem_lang lang)
{
    const char *f = "required_certificates";
    if (!json_is_array(v)) {
        vacancy_fault(problem, f, "invalid_type", lang);
        return NULL;
    }
    if (json_array_size(v) > VACANCY_MAX_CERTIFICATES) {
        vacancy_fault(problem, f, "too_long", lang);
        return NULL;
    }
    json_t *out = json_array();
    bool ok = out != NULL;
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)(uintptr_t)v, i, e)
    {
        char field[64];
        snprintf(field, sizeof field, "%s/%zu", f, i);
        json_int_t id = json_is_integer(e) ? json_integer_value(e) : 0;
        bool dup = false;
        for (size_t k = 0; k < i && !dup; k++)
            dup = json_equal(json_array_get(v, k), e);
        const char *code = !json_is_integer(e)        ? "invalid_type"
                           : id < 1 || id > INT32_MAX ? "invalid_format"
                           : dup                      ? "duplicate_item"
                                                      : NULL;
        if (code) {
            vacancy_fault(problem, field, code, lang);
            ok = false;
        } else if (json_array_append_new(out, json_integer(id)) < 0) {
            ok = false;
        }
    }
    if (!ok) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Checks what the schema cannot: weights above 0, each skill once. */
static void vacancy_check_skills(const json_t *obj, json_t *problem, enum problem_lang lang)
{
    const json_t *skills = json_object_get(obj, "required_skills");
    size_t i;
    json_t *e;
    json_array_foreach((json_t *)(uintptr_t)skills, i, e)
    {
        char field[64];
        const json_t *w = json_object_get(e, "weight");
        if (w && json_number_value(w) <= 0) {
            snprintf(field, sizeof field, "required_skills/%zu/weight", i);
            vacancy_fault(problem, field, "out_of_range", lang);
        }
        const json_t *id = json_object_get(e, "skill_id");
        for (size_t k = 0; k < i; k++)
            if (json_equal(json_object_get(json_array_get(skills, k), "skill_id"), id)) {
                snprintf(field, sizeof field, "required_skills/%zu/skill_id", i);
                vacancy_fault(problem, field, "duplicate_item", lang);
                break;
            }
    }
}

/* Validates the request body; answers and returns NULL on any fault.
 * Returns a new reference to the normalised body. */
static json_t *vacancy_body(struct httpd_req *r, bool partial)
{
    json_t *body = httpd_req_json_body(r);
    if (!body)
        return NULL;
    enum problem_lang lang = httpd_req_lang(r);
    json_t *problem = problem_new("validation_failed", lang, NULL);
    json_t *rest = json_is_object(body) ? json_copy(body) : json_incref(body);
    json_t *certs = NULL, *obj = NULL;
    if (!problem || !rest)
        goto fail;
    const json_t *given = json_object_get(body, "required_certificates");
    if (given) {
        certs = vacancy_certificates(given, problem, lang);
        json_object_del(rest, "required_certificates");
    }
    if (json_is_object(body))
        vacancy_refuse_discriminatory(body, rest, problem, lang);
    obj = jv_check(rest, partial ? &vacancy_update_schema : &vacancy_create_schema, partial,
                   api_today(), "", problem, lang);
    if (obj)
        vacancy_check_skills(obj, problem, lang);
    if (!obj || jv_error_count(problem) > 0 || (given && !certs))
        goto fail;
    if (certs && json_object_set(obj, "required_certificates", certs) < 0)
        goto fail;
    if (partial && json_object_size(obj) == 0) {
        vacancy_fault(problem, "", "required", lang);
        goto fail;
    }
    json_decref(problem);
    json_decref(certs);
    json_decref(rest);
    json_decref(body);
    return obj;
fail:
    json_decref(obj);
    json_decref(certs);
    json_decref(rest);
    json_decref(body);
    if (problem && jv_error_count(problem) > 0)
        httpd_reply_problem_json(r, problem);
    else {
        json_decref(problem);
        httpd_reply_problem(r, "overloaded", NULL);
    }
    return NULL;
}

void h_vacancies_create(struct httpd_req *r)
{
    json_t *obj = vacancy_body(r, false);
    if (!obj)
        return;
    api_idem_call(r, vacancy_resource.create_fn, obj, vacancy_resource.path);
    json_decref(obj);
}

void h_vacancies_get(struct httpd_req *r)
{
    api_get(r, &vacancy_resource);
}

void h_vacancies_update(struct httpd_req *r)
{
    char id[24], version[16];
    bool any;
    if (!api_param_id(r, 0, id) || !api_if_match(r, version, &any))
        return;
    json_t *obj = vacancy_body(r, true);
    if (!obj)
        return;
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {id, any ? NULL : version, payload, api_actor(r)};
    api_call(r, vacancy_resource.patch, 4, v, NULL);
    free(payload);
}

void h_vacancies_list(struct httpd_req *r)
{
    api_list(r, &vacancy_resource);
}
