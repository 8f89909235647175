/*
 * Lists from other departments compared with Leye's records.
 *
 *   POST /v1/imports/department-list         another department's list (CSV:
 *                                            ID number, flag, date), all or nothing
 *   GET  /v1/department-lists[/{id}]         the lists, and where they disagree
 *                                            with Leye
 *   POST /v1/department-lists/{id}/tasks     visits for the disagreements
 *
 * A list keeps only the blind index of each ID number (server/core/pii.c) and is
 * deleted when its retention ends (deptlist_purge_tick, LEYE_DEPARTMENT_LIST_DAYS).
 * The SQL is in migrations/041_help_fairness.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_deptlists.h"

#include "api.h"
#include "bgjob.h"
#include "csv.h"
#include "import.h"
#include "log.h"
#include "pii.h"
#include "principal.h"
#include "validate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEPTLIST_MAX_ROWS 100000
#define DEPTLIST_MAX_ERRORS 1000
#define DEPTLIST_PURGE_INTERVAL_US (10 * 1000000LL)

/* ---------- importing a department's list ---------- */

static const char *const deptlist_departments[] = {
    "civil_affairs", "medical_insurance", "human_resources", "rural_revitalization", "other", NULL};

struct deptlist_alias {
    const char *alias, *value;
};

static const struct deptlist_alias deptlist_flags[] = {
    {"困难", "hardship"},     {"低保", "hardship"},         {"特困", "hardship"},
    {"医疗救助", "hardship"}, {"hardship", "hardship"},     {"登记失业", "unemployed"},
    {"失业", "unemployed"},   {"unemployed", "unemployed"}, {"就业", "employed"},
    {"参保就业", "employed"}, {"employed", "employed"},     {NULL, NULL}};

enum deptlist_col { DL_IDNUM, DL_FLAG, DL_DATE, DL_NCOLS };

static const struct {
    const char *field, *aliases;
} deptlist_cols[DL_NCOLS] = {
    {"id_number", "身份证号|身份证号码|id_number"},
    {"flag", "标识|类别|状态|flag"},
    {"flag_date", "日期|认定日期|flag_date"},
};

/* A growing PostgreSQL array literal: {a,b,...}. */
struct deptlist_arr {
    char *p;
    size_t n, cap;
    size_t count;
};

struct deptlist_job {
    struct httpd_req *r;
    enum problem_lang lang;
    int today;
    char *data;
    size_t len;
    const char *fatal;
    json_t *errors;
    size_t nrows;
    bool oom;
    struct deptlist_arr lines, hashes, flags, dates;
    char department[32], county[12], days[12];
    char *name;
};

static void deptlist_put(struct deptlist_job *j, struct deptlist_arr *a, const char *s)
{
    size_t n = strlen(s);
    if (a->n + 2 * n + 6 > a->cap) {
        size_t cap = a->cap ? a->cap : 4096;
        while (cap < a->n + 2 * n + 6)
            cap *= 2;
        char *p = realloc(a->p, cap);
        if (!p) {
            j->oom = true;
            return;
        }
        a->p = p;
        a->cap = cap;
    }
    a->p[a->n++] = a->count++ ? ',' : '{';
    a->p[a->n++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            a->p[a->n++] = '\\';
        a->p[a->n++] = s[i];
    }
    a->p[a->n++] = '"';
    a->p[a->n] = '\0';
}

/* Closes the literal ("{}" when empty). */
static void deptlist_close(struct deptlist_job *j, struct deptlist_arr *a)
{
    if (!a->count) {
        free(a->p);
        a->p = strdup("{}");
        if (!a->p)
            j->oom = true;
        return;
    }
    /* deptlist_put always leaves room for one more byte and the NUL */
    a->p[a->n++] = '}';
    a->p[a->n] = '\0';
}

static void deptlist_error(struct deptlist_job *j, size_t line, const char *column,
                           const char *field, const char *code)
{
    if (!import_fault_add(j->errors, DEPTLIST_MAX_ERRORS, line, column, field, code, j->lang))
        j->oom = true;
}

/* One data row: its hash, flag and date, or the faults found. */
static void deptlist_row(struct deptlist_job *j, const int *map, size_t nheader,
                         const struct csv_record *rec)
{
    const char *v[DL_NCOLS] = {"", "", ""};
    for (size_t i = 0; i < nheader && i < rec->n; i++)
        v[map[i]] = rec->field[i];
    bool ok = true;
    struct validate_idnum id;
    enum validate_reason why;
    if (!*v[DL_IDNUM]) {
        deptlist_error(j, rec->line, "身份证号", "id_number", "required");
        ok = false;
    } else if (!validate_idnum(v[DL_IDNUM], strlen(v[DL_IDNUM]), j->today, &id, &why)) {
        deptlist_error(j, rec->line, "身份证号", "id_number", validate_reason_code(why));
        ok = false;
    }
    const char *flag = NULL;
    for (int i = 0; deptlist_flags[i].alias; i++)
        if (!strcasecmp(deptlist_flags[i].alias, v[DL_FLAG]))
            flag = deptlist_flags[i].value;
    if (!flag) {
        deptlist_error(j, rec->line, "标识", "flag", *v[DL_FLAG] ? "unknown_value" : "required");
        ok = false;
    }
    int ymd = 0;
    if (!validate_date(v[DL_DATE], strlen(v[DL_DATE]), &ymd) || ymd > j->today) {
        deptlist_error(j, rec->line, "日期", "flag_date",
                       !*v[DL_DATE]     ? "required"
                       : ymd > j->today ? "out_of_range"
                                        : "invalid_date");
        ok = false;
    }
    if (!ok)
        return;
    char hash[PII_HASH_HEX], line[24];
    pii_hash_idnum(id.normalized, hash);
    sodium_memzero(&id, sizeof id);
    snprintf(line, sizeof line, "%zu", rec->line);
    deptlist_put(j, &j->lines, line);
    deptlist_put(j, &j->hashes, hash);
    deptlist_put(j, &j->flags, flag);
    deptlist_put(j, &j->dates, v[DL_DATE]);
}

/* Reads the header into map (column -> deptlist_col); false on a fault. */
static bool deptlist_header(struct deptlist_job *j, const struct csv_record *rec, int *map)
{
    bool seen[DL_NCOLS] = {false};
    for (size_t i = 0; i < rec->n; i++) {
        map[i] = -1;
        for (int k = 0; k < DL_NCOLS; k++)
            if (import_alias_is(deptlist_cols[k].aliases, rec->field[i], strlen(rec->field[i])))
                map[i] = k, seen[k] = true;
        if (map[i] < 0) {
            char name[64];
            validate_copy_text(name, sizeof name, rec->field[i]);
            deptlist_error(j, rec->line, name, "", "unknown_field");
        }
    }
    for (int k = 0; k < DL_NCOLS; k++)
        if (!seen[k])
            deptlist_error(j, 1, deptlist_cols[k].aliases, deptlist_cols[k].field, "required");
    return json_array_size(j->errors) == 0;
}

/* On a background thread: decode, check every row, hash the ID numbers. */
static void deptlist_work(void *arg)
{
    struct deptlist_job *j = arg;
    char *text;
    size_t len;
    enum csv_encoding enc;
    if (csv_to_utf8(j->data, j->len, &text, &len, &enc) < 0) {
        j->fatal = "invalid_utf8";
        return;
    }
    static _Thread_local struct csv_parser ps;
    struct csv_record rec;
    int map[CSV_MAX_FIELDS];
    csv_init(&ps, text, len);
    if (csv_next(&ps, &rec) != CSV_RECORD) {
        j->fatal = "required";
    } else if (deptlist_header(j, &rec, map)) {
        size_t nheader = rec.n;
        enum csv_status st;
        while (!j->oom && (st = csv_next(&ps, &rec)) != CSV_END) {
            if (++j->nrows > DEPTLIST_MAX_ROWS) {
                j->fatal = "too_long";
                break;
            }
            if (st == CSV_ERROR)
                deptlist_error(j, rec.line, "", "", "invalid_format");
            else
                deptlist_row(j, map, nheader, &rec);
        }
    }
    sodium_memzero(text, len);
    free(text);
    deptlist_close(j, &j->lines);
    deptlist_close(j, &j->hashes);
    deptlist_close(j, &j->flags);
    deptlist_close(j, &j->dates);
}

static void deptlist_free(struct deptlist_job *j)
{
    if (j->data)
        sodium_memzero(j->data, j->len);
    free(j->data);
    free(j->lines.p);
    free(j->hashes.p);
    free(j->flags.p);
    free(j->dates.p);
    free(j->name);
    json_decref(j->errors);
    free(j);
}

static const struct pgpool_stmt deptlist_import_stmt = {
    "import_department_list",
    "SELECT * FROM import_department_list($1, $2, $3::integer, $4::integer, $5::integer[], "
    "$6::bytea[], $7::text[], $8::date[], $9)"};

static void deptlist_done(void *arg)
{
    struct deptlist_job *j = arg;
    struct httpd_req *r = j->r;
    if (j->oom) {
        deptlist_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (j->fatal)
        deptlist_error(j, 1, "", "", j->fatal);
    if (json_array_size(j->errors) > 0) {
        json_t *p =
            problem_new("validation_failed", j->lang,
                        j->lang == PROBLEM_LANG_EN ? "The file has faults; nothing was imported."
                                                   : "文件中有错误，未导入任何数据。");
        json_object_set(p, "errors", j->errors);
        json_object_set_new(p, "rows", json_integer((json_int_t)j->nrows));
        deptlist_free(j);
        httpd_reply_problem_json(r, p);
        return;
    }
    const char *v[9] = {j->department, j->name,    j->county,  j->days,     j->lines.p,
                        j->hashes.p,   j->flags.p, j->dates.p, api_actor(r)};
    api_call(r, &deptlist_import_stmt, 9, v, "/v1/department-lists");
    deptlist_free(j);
}

static int deptlist_retention_days = 90;

void h_deptlists_set_retention(int days)
{
    deptlist_retention_days = days;
}

/* The query of an import: department, name and county_code, each checked.
 * Returns 1 when they are good, 0 after answering 422, -1 out of memory. */
static int deptlist_query(struct httpd_req *r, struct deptlist_job *j)
{
    const char *dep = httpd_req_query(r, "department");
    const char *name = httpd_req_query(r, "name");
    const char *county = httpd_req_query(r, "county_code");
    bool known = false;
    for (int i = 0; dep && deptlist_departments[i]; i++)
        known = known || !strcmp(dep, deptlist_departments[i]);
    enum validate_reason why = VALIDATE_OK;
    if (!known) {
        api_reply_field_error(r, "invalid_query", "department", dep ? "unknown_value" : "required");
        return 0;
    }
    if (!name || !validate_text_why(name, strlen(name), 100, &why) || !*name) {
        api_reply_field_error(r, "invalid_query", "name",
                              !name || !*name ? "required" : validate_reason_code(why));
        return 0;
    }
    bool digits = county && strlen(county) == 6;
    for (size_t i = 0; digits && i < 6; i++)
        digits = county[i] >= '0' && county[i] <= '9';
    if (!digits) {
        api_reply_field_error(r, "invalid_query", "county_code",
                              county ? "invalid_format" : "required");
        return 0;
    }
    snprintf(j->department, sizeof j->department, "%s", dep);
    snprintf(j->county, sizeof j->county, "%s", county);
    j->name = strdup(name);
    return j->name ? 1 : -1;
}

void h_import_department_list(struct httpd_req *r)
{
    const char *ct = httpd_req_header(r, "Content-Type");
    if (ct && strncasecmp(ct, "text/csv", 8) && strncasecmp(ct, "application/octet-stream", 24)) {
        httpd_reply_problem(r, "unsupported_media_type",
                            httpd_req_lang(r) == PROBLEM_LANG_EN
                                ? "Send the file as text/csv (UTF-8 or GBK)."
                                : "请以 text/csv 上传文件（UTF-8 或 GBK 编码）。");
        return;
    }
    struct deptlist_job *j = calloc(1, sizeof *j);
    if (!j) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    j->r = r;
    int q = deptlist_query(r, j);
    if (q <= 0) {
        deptlist_free(j);
        if (q < 0)
            httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    size_t len;
    const char *body = httpd_req_body(r, &len);
    j->lang = httpd_req_lang(r);
    j->today = api_today();
    j->errors = json_array();
    j->data = malloc(len + 1);
    j->len = len;
    snprintf(j->days, sizeof j->days, "%d", deptlist_retention_days);
    if (!j->errors || !j->data) {
        deptlist_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    memcpy(j->data, body, len);
    httpd_req_extend_timeout(r, 600);
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), deptlist_work, deptlist_done, j)) {
        deptlist_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

/* ---------- the lists and their disagreements ---------- */

static const struct pgpool_stmt deptlist_list_stmt = {"department_list_list",
                                                      "SELECT * FROM api_department_list_list()"};
static const struct pgpool_stmt deptlist_get_stmt = {
    "department_list_get", "SELECT * FROM api_department_list_get($1::bigint)"};
static const struct pgpool_stmt deptlist_tasks_stmt = {
    "department_list_tasks", "SELECT * FROM api_department_list_tasks($1::bigint, $2::jsonb, $3)"};

static const struct jv_field deptlist_tasks_fields[] = {
    {"worker_ids", JV_ID_ARRAY, 0, 1, 1000, NULL, NULL},
};
static const struct jv_schema deptlist_tasks_schema = JV_SCHEMA(deptlist_tasks_fields);

void h_department_lists_list(struct httpd_req *r)
{
    api_call(r, &deptlist_list_stmt, 0, NULL, NULL);
}

void h_department_list_get(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[1] = {id};
    api_call(r, &deptlist_get_stmt, 1, v, NULL);
}

void h_department_list_tasks(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    size_t len = 0;
    httpd_req_body(r, &len);
    char *payload = NULL;
    if (len > 0) {
        json_t *obj = api_body(r, &deptlist_tasks_schema, false);
        if (!obj)
            return;
        payload = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
        if (!payload) {
            httpd_reply_problem(r, "overloaded", NULL);
            return;
        }
    }
    const char *v[3] = {id, payload ? payload : "{}", api_actor(r)};
    api_call(r, &deptlist_tasks_stmt, 3, v, NULL);
    free(payload);
}

/* ---------- retention ---------- */

static const struct pgpool_stmt deptlist_purge_stmt = {"department_list_purge",
                                                       "SELECT department_list_purge()"};

static void deptlist_purge_cb(void *arg, const struct pgpool_reply *rep)
{
    (void)arg;
    if (rep->status != PGPOOL_OK) {
        log_warn("department list purge failed: %s", rep->detail ? rep->detail : "");
        return;
    }
    int n = atoi(PQgetvalue(rep->res, 0, 0));
    if (n > 0)
        log_info("department lists deleted at the end of their retention: %d", n);
}

void deptlist_purge_tick(struct pgpool *pool, int64_t now_us)
{
    static _Thread_local int64_t next_us;
    if (now_us < next_us || !pgpool_is_up(pool))
        return;
    next_us = now_us + DEPTLIST_PURGE_INTERVAL_US;
    pgpool_query(pool, &deptlist_purge_stmt, 0, NULL, deptlist_purge_cb, NULL);
}
