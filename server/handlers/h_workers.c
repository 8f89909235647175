/*
 * Workers (labour profiles): /v1/workers.
 *
 * The ID number never reaches SQL or the logs: before the database sees a
 * write, worker_prepare replaces it by its blind index, ciphertext and mask
 * and adds the birth date and sex it encodes; a lookup by ID number sends
 * only the blind index.  The phone is stored the same way (blind index,
 * ciphertext, mask) and found by its blind index (GET /v1/workers?phone=…).
 * Answers carry the masked number and phone (the full ones: POST
 * /v1/workers/{id}/reveal).  The rules between fields, the lists
 * and the consent history are in migrations/020_api_workers.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_workers.h"
#include "api.h"
#include "auth.h"
#include "fields.h"
#include "handlers.h"
#include "pii.h"
#include "validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKER_MAX_ITEMS 50

static const char *const worker_education[] = {
    "none",       "primary", "junior_secondary", "senior_secondary",
    "vocational", "college", "bachelor_plus",    NULL};
static const char *const worker_mandarin[] = {"none", "basic", "fluent", NULL};
static const char *const worker_status[] = {"seeking",
                                            "employed_local",
                                            "employed_outside_county",
                                            "employed_outside_province",
                                            "in_training",
                                            "not_seeking",
                                            NULL};
static const char *const worker_job_kinds[] = {
    "regular", "work_relief", "public_welfare", "forest_ranger", "workshop", "labor_export", NULL};
static const char *const worker_disability[] = {"none", "mild", "moderate", "severe", NULL};
static const char *const worker_consent_methods[] = {"in_person", "paper_form", "phone", "kiosk",
                                                     NULL};
static const char *const worker_monitoring[] = {"none", "unstable", "marginal", "sudden_hardship",
                                                NULL};
static const char *const worker_levels[] = {"1", "2", "3", "4", "5", NULL};

/* ISO 639 codes of the languages spoken in Yunnan besides Chinese, of its
 * neighbours, Cantonese (work in Guangdong) and English. */
static const char *const worker_languages[] = {
    "ii",  "hni", "bca", "tdd", "khb", "za",  "hmn", "lis", "lhu", "prk", "nxq",
    "ium", "bo",  "kac", "blr", "pmi", "nuf", "acn", "jiu", "pll", "duu", "mn",
    "pcc", "swi", "yue", "en",  "my",  "lo",  "vi",  "th",  NULL};

static const struct jv_field worker_skill_fields[] = {
    {"skill_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"level", JV_INT, JV_REQUIRED, FIELDS_MIN(SKILL_LEVEL), FIELDS_MAX(SKILL_LEVEL), NULL, NULL},
};

static const struct jv_field worker_training_fields[] = {
    {"name", JV_STRING, JV_REQUIRED, FIELDS_MIN(TRAINING_NAME), FIELDS_MAX(TRAINING_NAME), NULL,
     NULL},
    {"provider", JV_STRING, 0, FIELDS_MIN(TRAINING_PROVIDER), FIELDS_MAX(TRAINING_PROVIDER), NULL,
     NULL},
    {"start_date", JV_DATE, JV_REQUIRED, 19500101, 21001231, NULL, NULL},
    {"end_date", JV_DATE, JV_NULLABLE, 19500101, 21001231, NULL, NULL},
    {"completed", JV_BOOL, 0, 0, 0, NULL, NULL},
    {"skill_id", JV_ID, JV_NULLABLE, 0, 0, NULL, NULL},
};

static const struct jv_field worker_certificate_fields[] = {
    {"certificate_type_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"number", JV_STRING, 0, FIELDS_MIN(CERTIFICATE_NUMBER), FIELDS_MAX(CERTIFICATE_NUMBER), NULL,
     NULL},
    {"issued_on", JV_DATE, JV_NULLABLE, 19500101, 21001231, NULL, NULL},
    {"expires_on", JV_DATE, JV_NULLABLE, 19500101, 21991231, NULL, NULL},
};

static const struct jv_schema worker_skill_schema = JV_SCHEMA(worker_skill_fields);
static const struct jv_schema worker_training_schema = JV_SCHEMA(worker_training_fields);
static const struct jv_schema worker_certificate_schema = JV_SCHEMA(worker_certificate_fields);

/* The fields of a create; an update takes the same (none required) and archived.
 * Birth date and sex are not among them: they follow from the ID number. */
/* clang-format off */
#define WORKER_FIELDS \
    {"household_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL}, \
    {"name", JV_STRING, JV_REQUIRED, FIELDS_MIN(WORKER_NAME), FIELDS_MAX(WORKER_NAME), NULL, NULL}, \
    {"id_number", JV_IDNUM, JV_REQUIRED, 0, 0, NULL, NULL}, \
    {"phone", JV_PHONE, JV_NULLABLE, 0, 0, NULL, NULL}, \
    {"education", JV_ENUM, 0, 0, 0, worker_education, NULL}, \
    {"mandarin_level", JV_ENUM, 0, 0, 0, worker_mandarin, NULL}, \
    {"languages", JV_ENUM_ARRAY, 0, 0, 10, worker_languages, NULL}, \
    {"employment_status", JV_ENUM, 0, 0, 0, worker_status, NULL}, \
    {"max_commute_km", JV_INT, 0, FIELDS_MIN(MAX_COMMUTE_KM), FIELDS_MAX(MAX_COMMUTE_KM), NULL, NULL}, \
    {"willing_outside_county", JV_BOOL, 0, 0, 0, NULL, NULL}, \
    {"willing_outside_province", JV_BOOL, 0, 0, 0, NULL, NULL}, \
    {"needs_accommodation", JV_BOOL, 0, 0, 0, NULL, NULL}, \
    {"wage_floor", JV_INT, 0, FIELDS_MIN(WAGE_FLOOR), FIELDS_MAX(WAGE_FLOOR), NULL, NULL}, \
    {"job_kinds_wanted", JV_ENUM_ARRAY, 0, 0, 6, worker_job_kinds, NULL}, \
    {"available_from", JV_DATE, JV_NULLABLE, 20000101, 21001231, NULL, NULL}, \
    {"disability", JV_ENUM, 0, 0, 0, worker_disability, NULL}, \
    {"consent_employers", JV_BOOL, 0, 0, 0, NULL, NULL}, \
    {"consent_brokers", JV_BOOL, 0, 0, 0, NULL, NULL}, \
    {"consent_method", JV_ENUM, 0, 0, 0, worker_consent_methods, NULL}, \
    {"consent_given_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL}, \
    {"skills", JV_OBJECTS, 0, 0, WORKER_MAX_ITEMS, NULL, &worker_skill_schema}, \
    {"trainings", JV_OBJECTS, 0, 0, WORKER_MAX_ITEMS, NULL, &worker_training_schema}, \
    {"certificates", JV_OBJECTS, 0, 0, WORKER_MAX_ITEMS, NULL, &worker_certificate_schema}
/* clang-format on */

static const struct jv_field worker_fields[] = {WORKER_FIELDS};
static const struct jv_field worker_update_fields[] = {
    WORKER_FIELDS,
    {"archived", JV_BOOL, 0, 0, 0, NULL, NULL},
};

static const struct jv_schema worker_create_schema = JV_SCHEMA(worker_fields);
static const struct jv_schema worker_update_schema = JV_SCHEMA(worker_update_fields);

static const struct api_filter worker_filters[] = {
    {"household_id", API_FILTER_ID, NULL},
    {"site_id", API_FILTER_ID, NULL},
    {"county_code", API_FILTER_REGION, NULL},
    {"employment_status", API_FILTER_ENUM, worker_status},
    {"skill_id", API_FILTER_ID, NULL},
    {"min_level", API_FILTER_ENUM, worker_levels},
    {"certificate_type_id", API_FILTER_ID, NULL},
    {"consent_employers", API_FILTER_BOOL, NULL},
    {"consent_brokers", API_FILTER_BOOL, NULL},
    {"zero_employment", API_FILTER_BOOL, NULL},
    {"monitoring_status", API_FILTER_ENUM, worker_monitoring},
    {"q", API_FILTER_TEXT, NULL},
    {"archived", API_FILTER_BOOL, NULL},
};

static const char *const worker_sorts[] = {"id", "name", NULL};

/* a worker's answer, its members as columns (migrations/064_worker_read_members.sql) */
static const struct pgpool_stmt worker_get = {
    "worker_get", "SELECT * FROM api_worker_members_many(ARRAY[$1::bigint])"};
/* the same for many ids at once */
static const struct pgpool_stmt worker_get_many = {
    "worker_get_many", "SELECT * FROM api_worker_members_many($1::bigint[])"};
static const struct pgpool_batch worker_get_batch = {&worker_get, &worker_get_many};
static const struct pgpool_stmt worker_patch = {
    "worker_patch", "SELECT * FROM api_worker_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt worker_list = {
    "worker_list", "SELECT * FROM api_worker_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
/* a search by ID number or phone is recorded in the audit log (042) */
static const struct pgpool_stmt worker_find_stmt = {
    "worker_find", "SELECT * FROM api_worker_search('id_number', $1::bytea)"};
static const struct pgpool_stmt worker_find_phone_stmt = {
    "worker_find_phone", "SELECT * FROM api_worker_search('phone', $1::bytea)"};

/*
 * Replaces a phone (already in validate_phone_cn's normal form, or null) by
 * phone_hash, phone_enc and phone_masked (all null for null).  Returns 0, or
 * -1 after answering.
 */
static int worker_prepare_phone(struct httpd_req *r, json_t *obj)
{
    json_t *v = json_object_get(obj, "phone");
    if (!v)
        return 0;
    const char *phone = json_string_value(v);
    if (!phone) {
        json_object_set_new(obj, "phone_hash", json_null());
        json_object_set_new(obj, "phone_enc", json_null());
        json_object_set_new(obj, "phone_masked", json_null());
        json_object_del(obj, "phone");
        return 0;
    }
    char hash[PII_HASH_HEX], enc[PII_PHONE_ENC_HEX], masked[PII_PHONE_MAX];
    pii_hash_phone(phone, hash);
    int rc = pii_encrypt_phone(phone, enc);
    validate_mask_phone(phone, masked, sizeof masked);
    json_object_del(obj, "phone");
    if (rc < 0) {
        httpd_reply_problem(r, "internal_error", NULL);
        return -1;
    }
    json_object_set_new(obj, "phone_hash", json_string(hash));
    json_object_set_new(obj, "phone_enc", json_string(enc));
    json_object_set_new(obj, "phone_masked", json_string(masked));
    return 0;
}

/*
 * Replaces id_number by id_number_hash, id_number_enc and id_number_masked
 * and adds birth_date and sex; replaces phone as worker_prepare_phone does.
 * A worker is of legal working age (16).  Returns 0, or -1 after answering.
 */
static int worker_prepare(struct httpd_req *r, json_t *obj, bool create)
{
    (void)create;
    if (worker_prepare_phone(r, obj) < 0)
        return -1;
    const char *s = json_string_value(json_object_get(obj, "id_number"));
    if (!s)
        return 0;
    int today = api_today();
    struct validate_idnum id;
    enum validate_reason why;
    if (!validate_idnum(s, strlen(s), today, &id, &why)) {
        api_reply_field_error(r, "validation_failed", "id_number", validate_reason_code(why));
        return -1;
    }
    int born = id.birth_year * 10000 + id.birth_month * 100 + id.birth_day;
    char hash[PII_HASH_HEX], enc[PII_ENC_HEX], masked[19], birth[32];
    char sex[2] = {id.sex, '\0'};
    pii_hash_idnum(id.normalized, hash);
    int rc = pii_encrypt_idnum(id.normalized, enc);
    validate_mask_idnum(id.normalized, masked);
    sodium_memzero(&id, sizeof id);
    json_object_del(obj, "id_number");
    if (today - born < FIELDS_MIN(WORKER_AGE) * 10000) {
        api_reply_field_error(r, "validation_failed", "id_number", "out_of_range");
        return -1;
    }
    if (rc < 0) {
        httpd_reply_problem(r, "internal_error", NULL);
        return -1;
    }
    snprintf(birth, sizeof birth, "%04d-%02d-%02d", born / 10000, born / 100 % 100, born % 100);
    json_object_set_new(obj, "id_number_hash", json_string(hash));
    json_object_set_new(obj, "id_number_enc", json_string(enc));
    json_object_set_new(obj, "id_number_masked", json_string(masked));
    json_object_set_new(obj, "birth_date", json_string(birth));
    json_object_set_new(obj, "sex", json_string(sex));
    return 0;
}

static const struct api_resource worker_resource = {
    .path = "/v1/workers",
    .create_fn = "api_worker_create",
    .create = &worker_create_schema,
    .update = &worker_update_schema,
    .patch = &worker_patch,
    .list = &worker_list,
    .filters = worker_filters,
    .nfilters = sizeof worker_filters / sizeof worker_filters[0],
    .sorts = worker_sorts,
    .prepare = worker_prepare,
};

/* Validates and prepares a create's body; answers and returns NULL on a fault. */
static json_t *worker_create_body(struct httpd_req *r)
{
    json_t *obj = api_body(r, &worker_create_schema, false);
    if (obj && worker_prepare(r, obj, true) < 0) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/*
 * api_create's flow, with a request hash over the prepared body without its
 * ciphertexts: a ciphertext's nonce is new on every request, so a retry with
 * the same Idempotency-Key must be recognised without them.
 */
void h_workers_create(struct httpd_req *r)
{
    const char *key;
    if (!api_idem_key(r, &key))
        return;
    json_t *obj = worker_create_body(r);
    if (!obj)
        return;
    json_t *stable = json_deep_copy(obj);
    if (!stable) {
        json_decref(obj);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    json_object_del(stable, "id_number_enc");
    json_object_del(stable, "phone_enc");
    api_idem_create(r, worker_resource.create_fn, obj, stable, api_actor(r), key,
                    worker_resource.path);
    json_decref(stable);
    json_decref(obj);
}

void h_workers_get(struct httpd_req *r)
{
    api_get_batched(r, &worker_get_batch);
}

void h_workers_update(struct httpd_req *r)
{
    api_update(r, &worker_resource);
}

/* Whether name is the request's only query parameter; otherwise answers
 * invalid_query naming another one. */
static bool worker_find_alone(struct httpd_req *r, const char *name)
{
    const char *names[4];
    size_t n = httpd_req_query_names(r, names, 4);
    if (n == 1)
        return true;
    const char *other = name;
    for (size_t i = 0; i < n && i < 4 && !strcmp(other, name); i++)
        other = names[i];
    char field[64];
    validate_copy_text(field, sizeof field, other);
    api_reply_field_error(r, "invalid_query", field, "not_allowed");
    return false;
}

/* GET /v1/workers?id_number=…: the worker with that ID number, archived or
 * not, found by its blind index.  No other parameter goes with it. */
static void worker_find_by_idnum(struct httpd_req *r, const char *number)
{
    if (!worker_find_alone(r, "id_number"))
        return;
    struct validate_idnum id;
    enum validate_reason why;
    if (!validate_idnum(number, strlen(number), api_today(), &id, &why)) {
        api_reply_field_error(r, "invalid_query", "id_number", validate_reason_code(why));
        return;
    }
    char hash[PII_HASH_HEX];
    pii_hash_idnum(id.normalized, hash);
    sodium_memzero(&id, sizeof id);
    if (!auth_attach_actor(r))
        return;
    const char *v[1] = {hash};
    api_call(r, &worker_find_stmt, 1, v, NULL);
}

/* GET /v1/workers?phone=…: the workers with that phone (at most 100),
 * archived or not, found by its blind index.  The number is normalised first
 * (spaces, hyphens, +86 or 86 before a mobile number), so every way of
 * writing it finds the same workers.  No other parameter goes with it. */
static void worker_find_by_phone(struct httpd_req *r, const char *phone)
{
    if (!worker_find_alone(r, "phone"))
        return;
    char normal[PII_PHONE_MAX];
    if (!validate_phone_cn(phone, strlen(phone), normal)) {
        api_reply_field_error(r, "invalid_query", "phone", "invalid_format");
        return;
    }
    char hash[PII_HASH_HEX];
    pii_hash_phone(normal, hash);
    sodium_memzero(normal, sizeof normal);
    if (!auth_attach_actor(r))
        return;
    const char *v[1] = {hash};
    api_call(r, &worker_find_phone_stmt, 1, v, NULL);
}

void h_workers_list(struct httpd_req *r)
{
    const char *number = httpd_req_query(r, "id_number");
    const char *phone = httpd_req_query(r, "phone");
    if (number)
        worker_find_by_idnum(r, number);
    else if (phone)
        worker_find_by_phone(r, phone);
    else
        api_list(r, &worker_resource);
}
