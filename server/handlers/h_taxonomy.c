/*
 * Reference taxonomies: /v1/occupations (职业分类大典 2022, read-only, keyset
 * paged by code), /v1/skills and /v1/certificate-types (whole lists; staff
 * extend them), /v1/skill-levels and /v1/provinces (whole lists, read-only).
 * The rules between fields are in migrations/008_api_employers.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_taxonomy.h"
#include "api.h"
#include "dbreply.h"
#include "handlers.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAXONOMY_MAX_PARAMS 8
#define TAXONOMY_ID_MAX 2147483647 /* skill and certificate_type ids are integers */

/* --- formats the schema cannot state --- */

static bool taxonomy_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool taxonomy_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ^[a-z][a-z0-9_.]{1,63}$ (dots allowed) or ^[a-z][a-z0-9_]{1,31}$. */
static bool taxonomy_word_ok(const char *s, size_t max, bool dots)
{
    size_t n = strlen(s);
    if (n < 2 || n > max || !taxonomy_lower(s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!taxonomy_lower(s[i]) && !taxonomy_digit(s[i]) && s[i] != '_' && !(dots && s[i] == '.'))
            return false;
    return true;
}

static bool taxonomy_code_ok(const char *s)
{
    return taxonomy_word_ok(s, 64, true);
}

static bool taxonomy_category_ok(const char *s)
{
    return taxonomy_word_ok(s, 32, false);
}

/* An occupation code of the 2022 大典: ^[1-8]-[0-9]{2}-[0-9]{2}-[0-9]{2}$. */
static bool taxonomy_occupation_ok(const char *s)
{
    if (!s || strlen(s) != 10 || s[0] < '1' || s[0] > '8')
        return false;
    for (size_t i = 1; i < 10; i++)
        if (i % 3 == 1 ? s[i] != '-' : !taxonomy_digit(s[i]))
            return false;
    return true;
}

/* Checks code, category and occupation_code when present; answers 422 naming
 * every fault and returns -1, or returns 0. */
static int taxonomy_prepare(struct httpd_req *r, json_t *obj, bool create)
{
    static const struct {
        const char *field;
        bool (*ok)(const char *);
    } rules[] = {
        {"code", taxonomy_code_ok},
        {"category", taxonomy_category_ok},
        {"occupation_code", taxonomy_occupation_ok},
    };
    (void)create;
    enum problem_lang lang = httpd_req_lang(r);
    json_t *problem = problem_new("validation_failed", lang, NULL);
    if (!problem) {
        httpd_reply_problem(r, "overloaded", NULL);
        return -1;
    }
    bool bad = false;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        const char *v = json_string_value(json_object_get(obj, rules[i].field));
        if (!v || rules[i].ok(v))
            continue;
        bad = true;
        if (problem_add_error(problem, rules[i].field, "invalid_format", lang, NULL) < 0)
            break;
    }
    if (!bad) {
        json_decref(problem);
        return 0;
    }
    httpd_reply_problem_json(r, problem);
    return -1;
}

/*
 * Checks that every query parameter is one of names (NULL-terminated; NULL
 * for none) with a text value of 1-100 characters, and collects them into
 * filters.  Answers 400 and returns false otherwise.
 */
static bool taxonomy_query(struct httpd_req *r, const char *const *names, json_t *filters)
{
    const char *given[TAXONOMY_MAX_PARAMS];
    size_t n = httpd_req_query_names(r, given, TAXONOMY_MAX_PARAMS);
    if (n > TAXONOMY_MAX_PARAMS) {
        api_reply_field_error(r, "invalid_query", "", "too_long");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t k = 0; names && names[k] && !known; k++)
            known = !strcmp(names[k], given[i]);
        char field[64];
        validate_copy_text(field, sizeof field, given[i]);
        if (!known) {
            api_reply_field_error(r, "invalid_query", field, "unknown_field");
            return false;
        }
        const char *v = httpd_req_query(r, given[i]);
        size_t len = v ? strlen(v) : 0;
        if (len == 0 || !validate_text(v, len, 100)) {
            api_reply_field_error(r, "invalid_query", field, "invalid_format");
            return false;
        }
        json_object_set_new(filters, given[i], json_string(v));
    }
    return true;
}

/* Answers the JSON st builds from the checked query: st takes the filters
 * as its one parameter, or none when names is NULL. */
static void taxonomy_reply_all(struct httpd_req *r, const char *const *names,
                               const struct pgpool_stmt *st)
{
    json_t *filters = json_object();
    if (!filters) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (!taxonomy_query(r, names, filters)) {
        json_decref(filters);
        return;
    }
    char *text = json_dumps(filters, JSON_COMPACT);
    json_decref(filters);
    if (!text) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[1] = {text};
    dbreply_json(r, st, names ? 1 : 0, v, 200);
    free(text);
}

/* --- occupations --- */

static const char *const occupation_levels[] = {"1", "2", "3", "4", NULL};

static const struct api_filter occupation_filters[] = {
    {"level", API_FILTER_ENUM, occupation_levels},
    {"parent", API_FILTER_TEXT, NULL},
    {"q", API_FILTER_TEXT, NULL},
    {"digital", API_FILTER_BOOL, NULL},
    {"green", API_FILTER_BOOL, NULL},
};

static const char *const occupation_sorts[] = {"code", NULL};

static const struct pgpool_stmt occupation_get = {"occupation_get",
                                                  "SELECT * FROM api_occupation_get($1::text)"};
static const struct pgpool_stmt occupation_list = {
    "occupation_list", "SELECT * FROM api_occupation_list($1::jsonb, $2::jsonb, $3::integer, $4)"};

static const struct api_resource occupation_resource = {
    "/v1/occupations",
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    &occupation_list,
    occupation_filters,
    sizeof occupation_filters / sizeof occupation_filters[0],
    occupation_sorts,
    NULL,
};

void h_occupations_list(struct httpd_req *r)
{
    const char *parent = httpd_req_query(r, "parent");
    if (parent && !taxonomy_occupation_ok(parent)) {
        api_reply_field_error(r, "invalid_query", "parent", "invalid_format");
        return;
    }
    api_list(r, &occupation_resource);
}

void h_occupations_get(struct httpd_req *r)
{
    const char *code = httpd_req_param(r, 0);
    if (!taxonomy_occupation_ok(code)) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    const char *v[1] = {code};
    api_call(r, &occupation_get, 1, v, NULL);
}

/* --- skills --- */

static const struct jv_field skill_fields[] = {
    {"code", JV_STRING, JV_REQUIRED, 2, 64, NULL, NULL},
    {"name_zh", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"name_en", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"category", JV_STRING, 0, 2, 32, NULL, NULL},
    {"parent_id", JV_INT, JV_NULLABLE, 1, TAXONOMY_ID_MAX, NULL, NULL},
    {"occupation_code", JV_STRING, JV_NULLABLE, 1, 20, NULL, NULL},
};

/* JV_REQUIRED in a partial check: may be left out, may not be set to null */
static const struct jv_field skill_update_fields[] = {
    {"code", JV_STRING, JV_REQUIRED, 2, 64, NULL, NULL},
    {"name_zh", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"name_en", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"category", JV_STRING, JV_REQUIRED, 2, 32, NULL, NULL},
    {"parent_id", JV_INT, JV_NULLABLE, 1, TAXONOMY_ID_MAX, NULL, NULL},
    {"occupation_code", JV_STRING, JV_NULLABLE, 1, 20, NULL, NULL},
};

static const struct jv_schema skill_create_schema = JV_SCHEMA(skill_fields);
static const struct jv_schema skill_update_schema = JV_SCHEMA(skill_update_fields);

static const char *const skill_list_params[] = {"category", "q", NULL};

static const struct pgpool_stmt skill_get = {"skill_get",
                                             "SELECT * FROM api_skill_get($1::bigint)"};
static const struct pgpool_stmt skill_patch = {
    "skill_patch", "SELECT * FROM api_skill_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt skill_all = {"skill_all", "SELECT api_skill_all($1::jsonb)"};

static const struct api_resource skill_resource = {
    "/v1/skills",
    "api_skill_create",
    &skill_create_schema,
    &skill_update_schema,
    &skill_get,
    &skill_patch,
    NULL,
    NULL,
    0,
    NULL,
    taxonomy_prepare,
};

void h_skills_list(struct httpd_req *r)
{
    taxonomy_reply_all(r, skill_list_params, &skill_all);
}

void h_skills_create(struct httpd_req *r)
{
    api_create(r, &skill_resource);
}

void h_skills_get(struct httpd_req *r)
{
    api_get(r, &skill_resource);
}

void h_skills_update(struct httpd_req *r)
{
    api_update(r, &skill_resource);
}

/* --- certificate types --- */

static const struct jv_field certificate_type_fields[] = {
    {"code", JV_STRING, JV_REQUIRED, 2, 64, NULL, NULL},
    {"name_zh", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"name_en", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"category", JV_STRING, 0, 2, 32, NULL, NULL},
    {"parent_id", JV_INT, JV_NULLABLE, 1, TAXONOMY_ID_MAX, NULL, NULL},
};

/* JV_REQUIRED in a partial check: may be left out, may not be set to null */
static const struct jv_field certificate_type_update_fields[] = {
    {"code", JV_STRING, JV_REQUIRED, 2, 64, NULL, NULL},
    {"name_zh", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"name_en", JV_STRING, JV_REQUIRED, 1, 100, NULL, NULL},
    {"category", JV_STRING, JV_REQUIRED, 2, 32, NULL, NULL},
    {"parent_id", JV_INT, JV_NULLABLE, 1, TAXONOMY_ID_MAX, NULL, NULL},
};

static const struct jv_schema certificate_type_create_schema = JV_SCHEMA(certificate_type_fields);
static const struct jv_schema certificate_type_update_schema =
    JV_SCHEMA(certificate_type_update_fields);

static const struct pgpool_stmt certificate_type_get = {
    "certificate_type_get", "SELECT * FROM api_certificate_type_get($1::bigint)"};
static const struct pgpool_stmt certificate_type_patch = {
    "certificate_type_patch",
    "SELECT * FROM api_certificate_type_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt certificate_type_all = {
    "certificate_type_all", "SELECT api_certificate_type_all($1::jsonb)"};

static const struct api_resource certificate_type_resource = {
    "/v1/certificate-types",
    "api_certificate_type_create",
    &certificate_type_create_schema,
    &certificate_type_update_schema,
    &certificate_type_get,
    &certificate_type_patch,
    NULL,
    NULL,
    0,
    NULL,
    taxonomy_prepare,
};

void h_certificate_types_list(struct httpd_req *r)
{
    taxonomy_reply_all(r, skill_list_params, &certificate_type_all);
}

void h_certificate_types_create(struct httpd_req *r)
{
    api_create(r, &certificate_type_resource);
}

void h_certificate_types_get(struct httpd_req *r)
{
    api_get(r, &certificate_type_resource);
}

void h_certificate_types_update(struct httpd_req *r)
{
    api_update(r, &certificate_type_resource);
}

/* --- skill levels and provinces --- */

static const struct pgpool_stmt skill_levels_all = {"skill_levels_all",
                                                    "SELECT api_skill_levels()"};
static const struct pgpool_stmt provinces_all = {"provinces_all", "SELECT api_provinces()"};

void h_skill_levels_list(struct httpd_req *r)
{
    taxonomy_reply_all(r, NULL, &skill_levels_all);
}

void h_provinces_list(struct httpd_req *r)
{
    taxonomy_reply_all(r, NULL, &provinces_all);
}
