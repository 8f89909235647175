/*
 * Training (专项技能培训): courses (/v1/courses), enrolments with seats and
 * a waiting list (/v1/enrolments, /v1/kiosk/enrolments), attendance,
 * results (POST /v1/courses/{id}/results), the courses that would open
 * the most jobs for a worker (/v1/workers/{id}/course-recommendations,
 * /v1/kiosk/courses) and the skills missing among a county's or a site's
 * seekers (/v1/training/gaps).
 *
 * The records and their rules live in migrations/038_training.sql: a pass
 * writes the proven skill and certificate into the profile in the same
 * transaction, and the matching index hears of it through LISTEN
 * leye_match.  A recommendation reads the courses the worker could still
 * take (one scoped query, so row-level security decides what the caller
 * sees), then counts on the index, under its read lock on the request's
 * thread, the vacancies each course would open (match_recommend_courses).
 */
#define _POSIX_C_SOURCE 200809L
#include "h_training.h"

#include "api.h"
#include "clock.h"
#include "dbreply.h"
#include "h_applications.h"
#include "matchidx.h"
#include "principal.h"
#include "problem.h"
#include "validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRAINING_DEFAULT_MIN_SCORE 50 /* points a job must reach to count as open */

static const char *const course_statuses[] = {"open", "cancelled", NULL};
static const char *const enrolment_statuses[] = {"enrolled", "waitlisted", "withdrawn", "completed",
                                                 NULL};
static const char *const course_results[] = {"passed", "failed", "dropped_out", NULL};
/* Mandarin (zh) and the languages of Yunnan a course may be taught in (ISO 639) */
static const char *const course_languages[] = {"zh",  "ii",  "hni", "bca", "tdd", "khb", "za",
                                               "hmn", "lis", "lhu", "prk", "nxq", "ium", "bo",
                                               "kac", "blr", "pmi", "nuf", "acn", "jiu", NULL};

#define COURSE_FIELDS(req)                                                                         \
    {"title", JV_STRING, req, 1, 100, NULL, NULL},                                                 \
        {"provider", JV_STRING, req, 1, 100, NULL, NULL},                                          \
        {"skill_id", JV_ID, JV_NULLABLE, 0, 0, NULL, NULL},                                        \
        {"skill_level", JV_INT, JV_NULLABLE, 1, 5, NULL, NULL},                                    \
        {"certificate_type_id", JV_ID, JV_NULLABLE, 0, 0, NULL, NULL},                             \
        {"occupation_code", JV_STRING, JV_NULLABLE, 1, 20, NULL, NULL},                            \
        {"county_code", JV_REGION, req, 0, 0, NULL, NULL},                                         \
        {"site_id", JV_ID, JV_NULLABLE, 0, 0, NULL, NULL},                                         \
        {"place", JV_STRING, 0, 0, 200, NULL, NULL},                                               \
        {"starts_on", JV_DATE, req, 20000101, 21001231, NULL, NULL},                               \
        {"ends_on", JV_DATE, req, 20000101, 21001231, NULL, NULL},                                 \
        {"hours", JV_INT, req, 1, 2000, NULL, NULL}, {"seats", JV_INT, req, 1, 500, NULL, NULL},   \
        {"waitlist_max", JV_INT, 0, 0, 500, NULL, NULL},                                           \
        {"cost_cny", JV_INT, 0, 0, 100000, NULL, NULL},                                            \
        {"subsidy_cny", JV_INT, 0, 0, 100000, NULL, NULL},                                         \
    {                                                                                              \
        "language", JV_ENUM, 0, 0, 0, course_languages, NULL                                       \
    }

static const struct jv_field course_fields[] = {COURSE_FIELDS(JV_REQUIRED)};
static const struct jv_field course_update_fields[] = {
    COURSE_FIELDS(0),
    {"status", JV_ENUM, 0, 0, 0, course_statuses, NULL},
    {"archived", JV_BOOL, 0, 0, 0, NULL, NULL},
};
static const struct jv_field enrolment_fields[] = {
    {"course_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"worker_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
};
static const struct jv_field kiosk_enrolment_fields[] = {
    {"course_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
};
static const struct jv_field attendance_fields[] = {
    {"day", JV_DATE, JV_REQUIRED, 20000101, 21001231, NULL, NULL},
    {"hours", JV_NUMBER, JV_REQUIRED, 0, 24, NULL, NULL},
};
static const struct jv_field result_fields[] = {
    {"worker_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"result", JV_ENUM, JV_REQUIRED, 0, 0, course_results, NULL},
    {"result_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
};

static const struct jv_schema course_schema = JV_SCHEMA(course_fields);
static const struct jv_schema course_update_schema = JV_SCHEMA(course_update_fields);
static const struct jv_schema enrolment_schema = JV_SCHEMA(enrolment_fields);
static const struct jv_schema kiosk_enrolment_schema = JV_SCHEMA(kiosk_enrolment_fields);
static const struct jv_schema attendance_schema = JV_SCHEMA(attendance_fields);
static const struct jv_schema result_schema = JV_SCHEMA(result_fields);
static const struct jv_schema empty_schema = {NULL, 0};

static const struct api_filter course_filters[] = {
    {"county_code", API_FILTER_REGION, NULL},
    {"site_id", API_FILTER_ID, NULL},
    {"skill_id", API_FILTER_ID, NULL},
    {"certificate_type_id", API_FILTER_ID, NULL},
    {"language", API_FILTER_ENUM, course_languages},
    {"upcoming", API_FILTER_BOOL, NULL},
    {"archived", API_FILTER_BOOL, NULL},
};
static const struct api_filter enrolment_filters[] = {
    {"course_id", API_FILTER_ID, NULL},
    {"worker_id", API_FILTER_ID, NULL},
    {"status", API_FILTER_ENUM, enrolment_statuses},
};
static const char *const course_sorts[] = {"starts_on", "id", NULL};
static const char *const enrolment_sorts[] = {"id", NULL};

static const struct pgpool_stmt course_get = {"course_get",
                                              "SELECT * FROM api_course_get($1::bigint)"};
static const struct pgpool_stmt course_patch = {
    "course_patch", "SELECT * FROM api_course_update($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt course_list = {
    "course_list", "SELECT * FROM api_course_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt course_result = {
    "course_result", "SELECT * FROM api_course_result($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt enrolment_get = {"enrolment_get",
                                                 "SELECT * FROM api_enrolment_get($1::bigint)"};
static const struct pgpool_stmt enrolment_list = {
    "enrolment_list", "SELECT * FROM api_enrolment_list($1::jsonb, $2::jsonb, $3::integer, $4)"};
static const struct pgpool_stmt enrolment_withdraw = {
    "enrolment_withdraw",
    "SELECT * FROM api_enrolment_withdraw($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt enrolment_attendance = {
    "enrolment_attendance",
    "SELECT * FROM api_enrolment_attendance($1::bigint, $2::integer, $3::jsonb, $4)"};
static const struct pgpool_stmt kiosk_enrol = {
    "kiosk_enrol", "SELECT * FROM api_kiosk_enrolment_create($1::jsonb, $2)"};
static const struct pgpool_stmt kiosk_enrolments = {"kiosk_enrolments",
                                                    "SELECT * FROM api_kiosk_enrolment_list()"};
static const struct pgpool_stmt training_gaps = {"training_gaps",
                                                 "SELECT * FROM api_training_gaps($1::jsonb)"};
static const struct pgpool_stmt candidate_courses = {
    "training_candidates", "SELECT training_candidate_courses($1::bigint)"};

static const struct api_resource course_resource = {
    "/v1/courses",
    "api_course_create",
    &course_schema,
    &course_update_schema,
    &course_get,
    &course_patch,
    &course_list,
    course_filters,
    sizeof course_filters / sizeof course_filters[0],
    course_sorts,
    NULL,
};

static const struct api_resource enrolment_resource = {
    "/v1/enrolments",
    "api_enrolment_create",
    &enrolment_schema,
    NULL,
    &enrolment_get,
    NULL,
    &enrolment_list,
    enrolment_filters,
    sizeof enrolment_filters / sizeof enrolment_filters[0],
    enrolment_sorts,
    NULL,
};

void h_courses_list(struct httpd_req *r)
{
    api_list(r, &course_resource);
}

void h_courses_create(struct httpd_req *r)
{
    api_create(r, &course_resource);
}

void h_courses_get(struct httpd_req *r)
{
    api_get(r, &course_resource);
}

void h_courses_update(struct httpd_req *r)
{
    api_update(r, &course_resource);
}

void h_enrolments_list(struct httpd_req *r)
{
    api_list(r, &enrolment_resource);
}

void h_enrolments_create(struct httpd_req *r)
{
    api_create(r, &enrolment_resource);
}

void h_enrolments_get(struct httpd_req *r)
{
    api_get(r, &enrolment_resource);
}

/* Runs st ($1 id, $2 NULL, $3 body, $4 actor) on the validated obj (borrowed). */
static void training_call(struct httpd_req *r, const struct pgpool_stmt *st, const char *id,
                          const json_t *obj)
{
    char *payload = json_dumps(obj, JSON_COMPACT);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[4] = {id, NULL, payload, api_actor(r)};
    api_call(r, st, 4, v, NULL);
    free(payload);
}

/* Runs st for {id} with the body validated against s. */
static void training_post(struct httpd_req *r, const struct pgpool_stmt *st,
                          const struct jv_schema *s)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    json_t *obj = api_body_rules(r, s, NULL);
    if (!obj)
        return;
    training_call(r, st, id, obj);
    json_decref(obj);
}

void h_enrolments_withdraw(struct httpd_req *r)
{
    training_post(r, &enrolment_withdraw, &empty_schema);
}

void h_enrolments_attendance(struct httpd_req *r)
{
    training_post(r, &enrolment_attendance, &attendance_schema);
}

void h_courses_result(struct httpd_req *r)
{
    training_post(r, &course_result, &result_schema);
}

void h_kiosk_enrolments_list(struct httpd_req *r)
{
    api_call(r, &kiosk_enrolments, 0, NULL, NULL);
}

void h_kiosk_enrolments_create(struct httpd_req *r)
{
    json_t *obj = api_body_rules(r, &kiosk_enrolment_schema, NULL);
    if (!obj)
        return;
    char *payload = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    if (!payload) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    char actor[32];
    snprintf(actor, sizeof actor, "kiosk:%lld", (long long)httpd_req_principal(r)->id);
    const char *v[2] = {payload, actor};
    api_call(r, &kiosk_enrol, 2, v, "/v1/kiosk/enrolments");
    free(payload);
}

/* ---------- skill gaps for staff ---------- */

/* A query parameter that is a positive decimal of at most max; true if absent. */
static bool training_query_int(struct httpd_req *r, const char *name, long max, long *out)
{
    long long v = 0;
    if (!api_query_int(r, name, 0, max, &v))
        return false;
    *out = (long)v;
    return true;
}

void h_training_gaps(struct httpd_req *r)
{
    long county, site, limit;
    if (!training_query_int(r, "county_code", 999999, &county) ||
        !training_query_int(r, "site_id", 999999999, &site) ||
        !training_query_int(r, "limit", 100, &limit))
        return;
    if (county && county < 100000) {
        api_reply_field_error(r, "invalid_query", "county_code", "invalid_format");
        return;
    }
    json_t *f = json_object();
    if (county)
        json_object_set_new(f, "county_code", json_integer(county));
    if (site)
        json_object_set_new(f, "site_id", json_integer(site));
    if (limit)
        json_object_set_new(f, "limit", json_integer(limit));
    char *fs = json_dumps(f, JSON_COMPACT);
    json_decref(f);
    if (!fs) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[1] = {fs};
    api_call(r, &training_gaps, 1, v, NULL);
    free(fs);
}

/* ---------- recommendations: the courses that open the most jobs ---------- */

struct training_rec {
    struct httpd_req *r;
    int64_t worker;
    struct match_query q;
    enum problem_lang lang;
};

/* The national level of a skill level: 1 初级工 is 五级 … 5 高级技师 is 一级. */
static const char *const training_level_zh[] = {"", "五级", "四级", "三级", "二级", "一级"};

/* The plain words a kiosk shows for one course (c borrowed). */
static json_t *training_words(const json_t *c, uint32_t opened, bool en)
{
    const char *skill = json_string_value(json_object_get(c, en ? "skill_name_en" : "skill_name"));
    const char *cert =
        json_string_value(json_object_get(c, en ? "certificate_name_en" : "certificate_name"));
    json_int_t level = json_integer_value(json_object_get(c, "skill_level"));
    bool by_skill = skill && level >= 1 && level <= 5;
    char what[256], out[400];
    if (by_skill && en)
        snprintf(what, sizeof what, "%s (national level %d)", skill, (int)(6 - level));
    else if (by_skill)
        snprintf(what, sizeof what, "%s%s", skill, training_level_zh[level]);
    else
        snprintf(what, sizeof what, "%s", cert ? cert : "");
    if (en && opened)
        snprintf(out, sizeof out, "After %s you could apply for %u more jobs", what,
                 (unsigned)opened);
    else if (en)
        snprintf(out, sizeof out, "%s opens no more jobs for you today", what);
    else if (opened)
        snprintf(out, sizeof out, "%s%s，能多报 %u 个岗位", by_skill ? "学完" : "考取", what,
                 (unsigned)opened);
    else
        snprintf(out, sizeof out, "%s%s，目前不会多出可报的岗位", by_skill ? "学完" : "考取", what);
    return json_string(out);
}

static int training_rank(const void *a, const void *b)
{
    json_t *const *x = a, *const *y = b;
    json_int_t ox = json_integer_value(json_object_get(*x, "opens_jobs"));
    json_int_t oy = json_integer_value(json_object_get(*y, "opens_jobs"));
    if (ox != oy)
        return ox > oy ? -1 : 1;
    json_int_t ix = json_integer_value(json_object_get(*x, "id"));
    json_int_t iy = json_integer_value(json_object_get(*y, "id"));
    return (ix > iy) - (ix < iy);
}

/* Counts on the index and builds the answer from the candidate courses
 * (borrowed); NULL when the worker is not in the index yet. */
static json_t *training_rank_courses(struct training_rec *t, json_t *list)
{
    size_t n = json_array_size(list);
    if (n > MATCH_MAX_COURSES)
        n = MATCH_MAX_COURSES;
    struct match_course *courses = calloc(n + 1, sizeof *courses);
    struct match_course_gain *gain = calloc(n + 1, sizeof *gain);
    json_t **items = calloc(n + 1, sizeof *items);
    json_t *out = NULL;
    const struct match_index *idx;
    const struct match_names *names;
    if (!courses || !gain || !items)
        goto done;
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(list, i);
        json_int_t s = json_integer_value(json_object_get(c, "skill_id"));
        json_int_t l = json_integer_value(json_object_get(c, "skill_level"));
        json_int_t k = json_integer_value(json_object_get(c, "certificate_type_id"));
        courses[i].id = json_integer_value(json_object_get(c, "id"));
        courses[i].skill = s > 0 && s <= MATCH_MAX_SKILL ? (uint8_t)s : 0;
        courses[i].level = courses[i].skill ? (uint8_t)l : 0;
        courses[i].cert = k > 0 && k <= MATCH_MAX_CERT ? (uint8_t)k : 0;
    }
    if (!matchidx_read_begin(&idx, &names))
        goto done;
    uint32_t open_now = 0;
    int64_t t0 = clock_now_us();
    int rc = match_recommend_courses(idx, t->worker, &t->q, courses, n, gain, &open_now);
    int64_t t1 = clock_now_us();
    matchidx_read_end();
    if (rc < 0)
        goto done;
    bool en = t->lang == PROBLEM_LANG_EN;
    for (size_t i = 0; i < n; i++) {
        items[i] = json_deep_copy(json_array_get(list, i));
        json_object_set_new(items[i], "opens_jobs", json_integer(gain[i].opened));
        json_object_set_new(items[i], "text", training_words(items[i], gain[i].opened, en));
    }
    qsort(items, n, sizeof *items, training_rank);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, items[i]);
    out = json_pack("{s:I, s:I, s:f, s:o, s:f}", "worker_id", (json_int_t)t->worker, "open_now",
                    (json_int_t)open_now, "min_score", (double)t->q.min_score / 100.0, "items", arr,
                    "query_ms", (double)(t1 - t0) / 1000.0);
done:
    free(courses);
    free(gain);
    free(items);
    return out;
}

static void training_rec_cb(void *arg, const struct pgpool_reply *rep)
{
    struct training_rec *t = arg;
    struct httpd_req *r = t->r;
    if (rep->status != PGPOOL_OK) {
        free(t);
        dbreply_error(r, rep);
        return;
    }
    if (PQntuples(rep->res) == 0 || PQgetisnull(rep->res, 0, 0)) {
        free(t);
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
    json_t *list = json_loads(PQgetvalue(rep->res, 0, 0), 0, NULL);
    json_t *out = list ? training_rank_courses(t, list) : NULL;
    json_decref(list);
    free(t);
    if (!out) {
        httpd_reply_problem(r, "not_ready", NULL);
        return;
    }
    httpd_set_header(r, "Cache-Control", "no-store");
    httpd_reply_json(r, 200, out);
}

/* Reads min_score (points, default TRAINING_DEFAULT_MIN_SCORE) and max_km
 * into a query for today, then the candidate courses of worker. */
static void training_recommend(struct httpd_req *r, int64_t worker)
{
    long min_score = TRAINING_DEFAULT_MIN_SCORE, max_km = 0;
    if (!training_query_int(r, "min_score", 100, &min_score) ||
        !training_query_int(r, "max_km", 3000, &max_km))
        return;
    if (!httpd_req_query(r, "min_score"))
        min_score = TRAINING_DEFAULT_MIN_SCORE;
    struct training_rec *t = calloc(1, sizeof *t);
    if (!t) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    t->r = r;
    t->worker = worker;
    int ymd = api_today();
    match_query_init(&t->q, match_day(ymd / 10000, ymd / 100 % 100, ymd % 100), 1);
    t->q.min_score = (int32_t)min_score * 100;
    t->q.max_km = (float)max_km;
    const char *l = httpd_req_query(r, "lang");
    t->lang = l ? (!strcmp(l, "en") ? PROBLEM_LANG_EN : PROBLEM_LANG_ZH) : httpd_req_lang(r);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)worker);
    const char *v[1] = {id};
    pgpool_query_scoped(httpd_req_pool(r), api_scope(r), &candidate_courses, 1, v, training_rec_cb,
                        t);
}

void h_worker_course_recommendations(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    training_recommend(r, atoll(id));
}

void h_kiosk_courses(struct httpd_req *r)
{
    training_recommend(r, httpd_req_principal(r)->id);
}
