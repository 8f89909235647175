/*
 * CSV import of households and workers: POST /v1/imports/{households,workers}
 * ?mode=all_or_nothing|valid_rows with the spreadsheet as the body (UTF-8 or
 * GBK; headers in Chinese or English).  Parsing, checking and encrypting run
 * on a background thread; one SQL call writes the rows.  The answer reports
 * every bad row with its line, column and reason.
 */
#define _POSIX_C_SOURCE 200809L
#include "api.h"
#include "bgjob.h"
#include "csv.h"
#include "dbreply.h"
#include "handlers.h"
#include "pii.h"
#include "validate.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum imp_kind { IMP_TEXT, IMP_INT, IMP_ENUM, IMP_BOOL, IMP_DATE, IMP_IDNUM, IMP_PHONE, IMP_SKILLS };

struct imp_enum {
    const char *alias;
    const char *value;
};

struct imp_col {
    const char *field;
    const char *aliases; /* '|'-separated header names, Chinese and English */
    enum imp_kind kind;
    bool required;
    long min, max;
    const struct imp_enum *values;
    int out; /* the first column array the value goes to */
};

static const struct imp_enum imp_monitoring[] = {{"无", "none"},
                                                 {"none", "none"},
                                                 {"脱贫不稳定户", "unstable"},
                                                 {"unstable", "unstable"},
                                                 {"边缘易致贫户", "marginal"},
                                                 {"marginal", "marginal"},
                                                 {"突发严重困难户", "sudden_hardship"},
                                                 {"sudden_hardship", "sudden_hardship"},
                                                 {NULL, NULL}};
static const struct imp_enum imp_found_by[] = {{"自主申报", "self_application"},
                                               {"self_application", "self_application"},
                                               {"数据比对", "data_comparison"},
                                               {"data_comparison", "data_comparison"},
                                               {"干部走访", "cadre_visit"},
                                               {"cadre_visit", "cadre_visit"},
                                               {NULL, NULL}};
static const struct imp_enum imp_education[] = {{"未上学", "none"},
                                                {"none", "none"},
                                                {"小学", "primary"},
                                                {"primary", "primary"},
                                                {"初中", "junior_secondary"},
                                                {"junior_secondary", "junior_secondary"},
                                                {"高中", "senior_secondary"},
                                                {"senior_secondary", "senior_secondary"},
                                                {"中专", "vocational"},
                                                {"职高", "vocational"},
                                                {"vocational", "vocational"},
                                                {"大专", "college"},
                                                {"college", "college"},
                                                {"本科", "bachelor_plus"},
                                                {"本科及以上", "bachelor_plus"},
                                                {"bachelor_plus", "bachelor_plus"},
                                                {NULL, NULL}};
static const struct imp_enum imp_mandarin[] = {
    {"不会", "none"},   {"none", "none"},     {"一般", "basic"}, {"basic", "basic"},
    {"熟练", "fluent"}, {"fluent", "fluent"}, {NULL, NULL}};
static const struct imp_enum imp_status[] = {
    {"未就业", "seeking"},
    {"求职中", "seeking"},
    {"seeking", "seeking"},
    {"本地就业", "employed_local"},
    {"employed_local", "employed_local"},
    {"县外就业", "employed_outside_county"},
    {"employed_outside_county", "employed_outside_county"},
    {"省外就业", "employed_outside_province"},
    {"employed_outside_province", "employed_outside_province"},
    {"培训中", "in_training"},
    {"in_training", "in_training"},
    {"无就业意愿", "not_seeking"},
    {"not_seeking", "not_seeking"},
    {NULL, NULL}};

/*
 * The rows go to the database as one array per column, in the order of the
 * import functions' parameters (migrations/030_import_columns.sql); column 0
 * is the file's line number.
 */
enum imp_household_out {
    IMPH_LINE,
    IMPH_REF,
    IMPH_SITE,
    IMPH_COUNTY,
    IMPH_VILLAGE,
    IMPH_MEMBERS,
    IMPH_MONITORING,
    IMPH_FOUND_BY,
    IMPH_FOUND_ON,
    IMPH_NOUT
};

enum imp_worker_out {
    IMPW_LINE,
    IMPW_SITE,
    IMPW_REF,
    IMPW_NAME,
    IMPW_ID_HASH,
    IMPW_ID_ENC,
    IMPW_ID_MASKED,
    IMPW_BIRTH,
    IMPW_SEX,
    IMPW_PHONE_HASH,
    IMPW_PHONE_ENC,
    IMPW_PHONE_MASKED,
    IMPW_EDUCATION,
    IMPW_MANDARIN,
    IMPW_STATUS,
    IMPW_COMMUTE,
    IMPW_OUT_COUNTY,
    IMPW_OUT_PROVINCE,
    IMPW_ACCOMMODATION,
    IMPW_WAGE_FLOOR,
    IMPW_CONSENT,
    IMPW_SKILL_LINE,
    IMPW_SKILL,
    IMPW_SKILL_LEVEL,
    IMPW_NOUT
};

#define IMP_NOUT_MAX IMPW_NOUT

static const struct imp_col imp_household_cols[] = {
    {"ref", "户编号|household_ref|ref", IMP_TEXT, true, 1, 40, NULL, IMPH_REF},
    {"site_id", "安置点ID|安置点编号|site_id", IMP_INT, true, 1, 999999999999, NULL, IMPH_SITE},
    {"origin_county_code", "迁出县代码|迁出县|origin_county_code", IMP_INT, true, 110000, 829999,
     NULL, IMPH_COUNTY},
    {"origin_village", "迁出村|origin_village", IMP_TEXT, false, 0, 100, NULL, IMPH_VILLAGE},
    {"members", "家庭人口|人口数|members", IMP_INT, true, 1, 30, NULL, IMPH_MEMBERS},
    {"monitoring_status", "监测类型|monitoring_status", IMP_ENUM, false, 0, 0, imp_monitoring,
     IMPH_MONITORING},
    {"monitoring_found_by", "发现方式|monitoring_found_by", IMP_ENUM, false, 0, 0, imp_found_by,
     IMPH_FOUND_BY},
    {"monitoring_found_on", "认定日期|monitoring_found_on", IMP_DATE, false, 0, 0, NULL,
     IMPH_FOUND_ON},
};

static const struct imp_col imp_worker_cols[] = {
    {"site_id", "安置点ID|安置点编号|site_id", IMP_INT, true, 1, 999999999999, NULL, IMPW_SITE},
    {"household_ref", "户编号|household_ref", IMP_TEXT, true, 1, 40, NULL, IMPW_REF},
    {"name", "姓名|name", IMP_TEXT, true, 1, 50, NULL, IMPW_NAME},
    {"id_number", "身份证号|身份证号码|id_number", IMP_IDNUM, true, 0, 0, NULL, IMPW_ID_HASH},
    {"phone", "手机号|手机|电话|phone", IMP_PHONE, false, 0, 0, NULL, IMPW_PHONE_HASH},
    {"education", "文化程度|学历|education", IMP_ENUM, false, 0, 0, imp_education, IMPW_EDUCATION},
    {"mandarin_level", "普通话|mandarin_level", IMP_ENUM, false, 0, 0, imp_mandarin, IMPW_MANDARIN},
    {"employment_status", "就业状态|employment_status", IMP_ENUM, false, 0, 0, imp_status,
     IMPW_STATUS},
    {"skills", "技能|skills", IMP_SKILLS, false, 0, 0, NULL, IMPW_SKILL_LINE},
    {"max_commute_km", "通勤距离|通勤距离公里|max_commute_km", IMP_INT, false, 0, 3000, NULL,
     IMPW_COMMUTE},
    {"willing_outside_county", "愿意县外就业|willing_outside_county", IMP_BOOL, false, 0, 0, NULL,
     IMPW_OUT_COUNTY},
    {"willing_outside_province", "愿意省外就业|willing_outside_province", IMP_BOOL, false, 0, 0,
     NULL, IMPW_OUT_PROVINCE},
    {"needs_accommodation", "需要住宿|needs_accommodation", IMP_BOOL, false, 0, 0, NULL,
     IMPW_ACCOMMODATION},
    {"wage_floor", "期望工资|期望月薪|wage_floor", IMP_INT, false, 0, 100000, NULL,
     IMPW_WAGE_FLOOR},
    {"consent_brokers", "同意推荐给劳务经纪人|consent_brokers", IMP_BOOL, false, 0, 0, NULL,
     IMPW_CONSENT},
};

#define IMP_MAX_ERRORS 1000

/* A PostgreSQL array literal under construction: {"a","b",NULL}. */
struct imp_arr {
    char *p;
    size_t n, cap;
    size_t count; /* elements */
};

struct imp_job {
    struct httpd_req *r;
    bool workers, all_or_nothing;
    enum problem_lang lang;
    char *data;
    size_t len;
    int today;
    /* results of the background work */
    const char *fatal; /* a problem code for the whole file, or NULL */
    const char *encoding;
    json_t *errors;
    size_t nrows, valid;
    size_t nout;
    struct imp_arr out[IMP_NOUT_MAX];
    bool oom;
    /* the row being read */
    uint32_t written;       /* bit k: out[k] has the row's value */
    const char *monitoring; /* the household's monitoring status, or NULL */
};

static bool imp_reserve(struct imp_job *j, struct imp_arr *a, size_t more)
{
    if (a->n + more + 2 <= a->cap)
        return true;
    size_t cap = a->cap ? a->cap : 4096;
    while (cap < a->n + more + 2)
        cap *= 2;
    char *p = realloc(a->p, cap);
    if (!p) {
        j->oom = true;
        return false;
    }
    a->p = p;
    a->cap = cap;
    return true;
}

static void imp_put(struct imp_job *j, int k, const char *s, bool quote)
{
    struct imp_arr *a = &j->out[k];
    size_t n = strlen(s);
    if (!imp_reserve(j, a, 2 * n + 3))
        return;
    if (a->count++)
        a->p[a->n++] = ',';
    if (quote)
        a->p[a->n++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (quote && (s[i] == '"' || s[i] == '\\'))
            a->p[a->n++] = '\\';
        a->p[a->n++] = s[i];
    }
    if (quote)
        a->p[a->n++] = '"';
    j->written |= 1u << k;
}

static void imp_put_str(struct imp_job *j, int k, const char *s)
{
    imp_put(j, k, s, true);
}

static void imp_put_int(struct imp_job *j, int k, long long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", v);
    imp_put(j, k, buf, false);
}

static void imp_error(struct imp_job *j, size_t line, const char *column, const char *field,
                      const char *code)
{
    if (json_array_size(j->errors) >= IMP_MAX_ERRORS)
        return;
    json_array_append_new(j->errors,
                          json_pack("{s:I, s:s, s:s, s:s, s:s}", "line", (json_int_t)line, "column",
                                    column, "field", field, "code", code, "message",
                                    problem_field_message(code, j->lang)));
}

static bool imp_header_matches(const char *aliases, const char *name)
{
    const char *p = aliases;
    size_t n = strlen(name);
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncasecmp(p, name, n) == 0)
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

static bool imp_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"是", "yes", "y", "true", "1", NULL};
    static const char *const no[] = {"否", "no", "n", "false", "0", NULL};
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(s, yes[i]))
            return *out = true, true;
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(s, no[i]))
            return *out = false, true;
    return false;
}

/* "焊工:3;电工:2" (or with ，；： full-width) into (line, skill, level) triples.
 * Returns a problem code, or NULL. */
static const char *imp_skills(struct imp_job *j, const char *s, size_t line)
{
    char buf[CSV_MAX_FIELD + 1];
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *item = strtok_r(buf, ";,", &save); item; item = strtok_r(NULL, ";,", &save)) {
        char *colon = strchr(item, ':');
        while (*item == ' ')
            item++;
        if (!*item)
            continue;
        long level = 1;
        if (colon) {
            *colon = '\0';
            char *end;
            level = strtol(colon + 1, &end, 10);
            if (*end || level < 1 || level > 5)
                return "out_of_range";
        }
        enum validate_reason why;
        if (!validate_text_why(item, strlen(item), 50, &why))
            return validate_reason_code(why);
        imp_put_int(j, IMPW_SKILL_LINE, (long long)line);
        imp_put_str(j, IMPW_SKILL, item);
        imp_put_int(j, IMPW_SKILL_LEVEL, level);
    }
    return NULL;
}

/* An ID number's keyed hash, ciphertext, masked form, birth date and sex. */
static const char *imp_idnum(struct imp_job *j, const char *v, size_t n)
{
    struct validate_idnum id;
    enum validate_reason why;
    if (!validate_idnum(v, n, j->today, &id, &why))
        return validate_reason_code(why);
    if (j->today - (id.birth_year * 10000 + id.birth_month * 100 + id.birth_day) < 160000)
        return "out_of_range"; /* younger than 16 */
    char hash[PII_HASH_HEX], enc[PII_ENC_HEX], masked[19], birth[11];
    pii_hash_idnum(id.normalized, hash);
    if (pii_encrypt_idnum(id.normalized, enc) < 0)
        return "invalid_format";
    validate_mask_idnum(id.normalized, masked);
    snprintf(birth, sizeof birth, "%04d-%02d-%02d", id.birth_year, id.birth_month, id.birth_day);
    char sex[2] = {id.sex, '\0'};
    imp_put_str(j, IMPW_ID_HASH, hash);
    imp_put_str(j, IMPW_ID_ENC, enc);
    imp_put_str(j, IMPW_ID_MASKED, masked);
    imp_put_str(j, IMPW_BIRTH, birth);
    imp_put_str(j, IMPW_SEX, sex);
    return NULL;
}

/* A phone as its blind index, ciphertext and mask (migrations/032), or the
 * reason it is refused. */
static const char *imp_phone(struct imp_job *j, const char *v, size_t n)
{
    char phone[PII_PHONE_MAX], hash[PII_HASH_HEX], enc[PII_PHONE_ENC_HEX], masked[PII_PHONE_MAX];
    if (!validate_phone_cn(v, n, phone))
        return "invalid_format";
    pii_hash_phone(phone, hash);
    int rc = pii_encrypt_phone(phone, enc);
    validate_mask_phone(phone, masked, sizeof masked);
    sodium_memzero(phone, sizeof phone);
    if (rc < 0)
        return "invalid_format";
    imp_put_str(j, IMPW_PHONE_HASH, hash);
    imp_put_str(j, IMPW_PHONE_ENC, enc);
    imp_put_str(j, IMPW_PHONE_MASKED, masked);
    return NULL;
}

/* Checks one value and adds it to its column, or reports the fault.
 * Returns false on a fault. */
static bool imp_value(struct imp_job *j, const struct imp_col *c, const char *v, size_t line,
                      const char *column)
{
    const char *code = NULL;
    size_t n = strlen(v);
    enum validate_reason why;
    if (!n) {
        code = c->required ? "required" : NULL;
    } else if (c->kind == IMP_TEXT) {
        if (!validate_text_why(v, n, (size_t)c->max, &why))
            code = validate_reason_code(why);
        else
            imp_put_str(j, c->out, v);
    } else if (c->kind == IMP_INT) {
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*end || x < c->min || x > c->max)
            code = *end ? "invalid_format" : "out_of_range";
        else
            imp_put_int(j, c->out, x);
    } else if (c->kind == IMP_ENUM) {
        code = "unknown_value";
        for (int i = 0; code && c->values[i].alias; i++)
            if (!strcasecmp(c->values[i].alias, v)) {
                imp_put_str(j, c->out, c->values[i].value);
                if (c->values == imp_monitoring)
                    j->monitoring = c->values[i].value;
                code = NULL;
            }
    } else if (c->kind == IMP_BOOL) {
        bool b;
        if (!imp_bool(v, &b))
            code = "invalid_format";
        else
            imp_put(j, c->out, b ? "t" : "f", false);
    } else if (c->kind == IMP_DATE) {
        int ymd;
        if (!validate_date(v, n, &ymd))
            code = "invalid_date";
        else
            imp_put_str(j, c->out, v);
    } else if (c->kind == IMP_PHONE) {
        code = imp_phone(j, v, n);
    } else if (c->kind == IMP_SKILLS) {
        code = imp_skills(j, v, line);
    } else {
        code = imp_idnum(j, v, n);
    }
    if (code)
        imp_error(j, line, column, c->field, code);
    return code == NULL;
}

/* A household under monitoring says how and when it was found; others do not. */
static bool imp_household_rules(struct imp_job *j, size_t line)
{
    bool monitored = j->monitoring && strcmp(j->monitoring, "none") != 0;
    bool by = j->written & 1u << IMPH_FOUND_BY;
    bool on = j->written & 1u << IMPH_FOUND_ON;
    if (monitored && !by)
        imp_error(j, line, "发现方式", "monitoring_found_by", "required");
    if (monitored && !on)
        imp_error(j, line, "认定日期", "monitoring_found_on", "required");
    if (!monitored && (by || on))
        imp_error(j, line, by ? "发现方式" : "认定日期",
                  by ? "monitoring_found_by" : "monitoring_found_on", "not_allowed");
    return monitored ? by && on : !by && !on;
}

/* Reads the header; map[i] is the column table's entry for field i, or -1. */
static bool imp_header(struct imp_job *j, const struct imp_col *cols, size_t ncols,
                       const struct csv_record *rec, int *map, char (*names)[64])
{
    bool seen[32] = {false};
    for (size_t i = 0; i < rec->n; i++) {
        map[i] = -1;
        validate_copy_text(names[i], sizeof names[i], rec->field[i]);
        for (size_t k = 0; k < ncols; k++)
            if (imp_header_matches(cols[k].aliases, rec->field[i]))
                map[i] = (int)k, seen[k] = true;
        if (map[i] < 0)
            imp_error(j, rec->line, names[i], "", "unknown_field");
    }
    for (size_t k = 0; k < ncols; k++)
        if (cols[k].required && !seen[k])
            imp_error(j, 1, cols[k].aliases, cols[k].field, "required");
    return json_array_size(j->errors) == 0;
}

/* One data row into the column arrays, or none of it when a value is bad. */
static void imp_row(struct imp_job *j, const struct imp_col *cols, const int *map,
                    char (*names)[64], size_t nheader, const struct csv_record *rec)
{
    struct imp_arr before[IMP_NOUT_MAX];
    memcpy(before, j->out, sizeof before);
    j->written = 0;
    j->monitoring = NULL;
    imp_put_int(j, 0, (long long)rec->line);
    bool ok = true;
    for (size_t i = 0; i < nheader; i++)
        ok &= imp_value(j, &cols[map[i]], i < rec->n ? rec->field[i] : "", rec->line, names[i]);
    if (ok && !j->workers)
        ok = imp_household_rules(j, rec->line);
    size_t nrow = j->workers ? IMPW_SKILL_LINE : IMPH_NOUT;
    if (ok) {
        for (size_t k = 1; k < nrow; k++)
            if (!(j->written & 1u << k))
                imp_put(j, (int)k, "NULL", false);
        j->valid++;
        return;
    }
    for (size_t k = 0; k < j->nout; k++) { /* keep the buffers, forget the row */
        j->out[k].n = before[k].n;
        j->out[k].count = before[k].count;
    }
}

static void imp_work(void *arg)
{
    struct imp_job *j = arg;
    const struct imp_col *cols = j->workers ? imp_worker_cols : imp_household_cols;
    size_t ncols = j->workers ? sizeof imp_worker_cols / sizeof imp_worker_cols[0]
                              : sizeof imp_household_cols / sizeof imp_household_cols[0];
    char *text;
    size_t len;
    enum csv_encoding enc;
    if (csv_to_utf8(j->data, j->len, &text, &len, &enc) < 0) {
        j->fatal = "invalid_utf8";
        return;
    }
    j->encoding = enc == CSV_UTF8 ? "UTF-8" : "GB18030";
    static _Thread_local struct csv_parser ps;
    struct csv_record rec;
    csv_init(&ps, text, len);
    int map[CSV_MAX_FIELDS];
    char names[CSV_MAX_FIELDS][64];
    if (csv_next(&ps, &rec) != CSV_RECORD) {
        j->fatal = "required";
        free(text);
        return;
    }
    if (!imp_header(j, cols, ncols, &rec, map, names)) {
        free(text);
        return;
    }
    size_t nheader = rec.n;
    enum csv_status st;
    while ((st = csv_next(&ps, &rec)) != CSV_END && !j->oom) {
        j->nrows++;
        if (st == CSV_ERROR)
            imp_error(j, rec.line, "", "", "invalid_format");
        else
            imp_row(j, cols, map, names, nheader, &rec);
    }
    free(text);
    for (size_t k = 0; k < j->nout && !j->oom; k++)
        if (imp_reserve(j, &j->out[k], 2)) {
            struct imp_arr *a = &j->out[k];
            a->p[a->n++] = '}';
            a->p[a->n] = '\0';
        }
}

static void imp_free(struct imp_job *j)
{
    free(j->data);
    for (size_t k = 0; k < j->nout; k++)
        free(j->out[k].p);
    json_decref(j->errors);
    free(j);
}

static void imp_reply(struct imp_job *j, int status, json_t *counts)
{
    struct httpd_req *r = j->r;
    json_t *body = json_pack("{s:s, s:s, s:I, s:I, s:I, s:O}", "mode",
                             j->all_or_nothing ? "all_or_nothing" : "valid_rows", "encoding",
                             j->encoding ? j->encoding : "", "rows", (json_int_t)j->nrows,
                             "valid_rows", (json_int_t)j->valid, "rejected_rows",
                             (json_int_t)(j->nrows - j->valid), "errors", j->errors);
    if (counts)
        json_object_update(body, counts);
    if (status == 422) {
        json_t *p =
            problem_new("validation_failed", j->lang,
                        j->lang == PROBLEM_LANG_EN ? "The file has faults; nothing was imported."
                                                   : "文件中有错误，未导入任何数据。");
        json_object_update(p, body);
        json_decref(body);
        imp_free(j);
        httpd_reply_problem_json(r, p);
        return;
    }
    imp_free(j);
    httpd_reply_json(r, status, body);
}

static void imp_db_cb(void *arg, const struct pgpool_reply *rep)
{
    struct imp_job *j = arg;
    if (rep->status == PGPOOL_SQL_ERROR && !strcmp(rep->sqlstate, "LY423")) {
        json_t *db = json_loads(rep->detail, 0, NULL);
        json_array_extend(j->errors, db);
        json_decref(db);
        imp_reply(j, 422, NULL);
        return;
    }
    if (rep->status != PGPOOL_OK) {
        struct httpd_req *r = j->r;
        imp_free(j);
        dbreply_error(r, rep);
        return;
    }
    json_t *db = json_loads(PQgetvalue(rep->res, 0, 3), 0, NULL);
    json_array_extend(j->errors, db);
    json_decref(db);
    json_t *counts =
        json_pack("{s:i, s:i, s:i}", "created", atoi(PQgetvalue(rep->res, 0, 0)), "updated",
                  atoi(PQgetvalue(rep->res, 0, 1)), "unchanged", atoi(PQgetvalue(rep->res, 0, 2)));
    imp_reply(j, 200, counts);
    json_decref(counts);
}

static const struct pgpool_stmt imp_households_stmt = {
    "import_households",
    "SELECT * FROM import_households($1::integer[], $2::text[], $3::bigint[], $4::integer[], "
    "$5::text[], $6::integer[], $7::text[], $8::text[], $9::date[], $10::boolean)"};
static const struct pgpool_stmt imp_workers_stmt = {
    "import_workers",
    "SELECT * FROM import_workers($1::integer[], $2::bigint[], $3::text[], $4::text[], "
    "$5::bytea[], $6::bytea[], $7::text[], $8::date[], $9::text[], $10::bytea[], $11::bytea[], "
    "$12::text[], $13::text[], $14::text[], $15::text[], $16::integer[], $17::boolean[], "
    "$18::boolean[], $19::boolean[], $20::integer[], $21::boolean[], $22::integer[], $23::text[], "
    "$24::smallint[], $25::boolean, $26)"};

static void imp_done(void *arg)
{
    struct imp_job *j = arg;
    if (j->oom) {
        struct httpd_req *r = j->r;
        imp_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (j->fatal) {
        imp_error(j, 1, "", "", j->fatal);
        imp_reply(j, 422, NULL);
        return;
    }
    if (json_array_size(j->errors) > 0 && (j->all_or_nothing || j->valid == 0)) {
        imp_reply(j, 422, NULL);
        return;
    }
    const char *v[IMP_NOUT_MAX + 2];
    for (size_t k = 0; k < j->nout; k++)
        v[k] = j->out[k].p;
    v[j->nout] = j->all_or_nothing ? "true" : "false";
    v[j->nout + 1] = api_actor(j->r);
    pgpool_query_deadline(httpd_req_pool(j->r), api_scope(j->r), 120000,
                          j->workers ? &imp_workers_stmt : &imp_households_stmt,
                          (int)j->nout + (j->workers ? 2 : 1), v, imp_db_cb, j);
    for (size_t k = 0; k < j->nout; k++) { /* the pool has its copy */
        free(j->out[k].p);
        j->out[k] = (struct imp_arr){0};
    }
}

static void imp_start(struct httpd_req *r, bool workers)
{
    const char *mode = httpd_req_query(r, "mode");
    if (mode && strcmp(mode, "all_or_nothing") && strcmp(mode, "valid_rows")) {
        api_reply_field_error(r, "invalid_query", "mode", "unknown_value");
        return;
    }
    const char *ct = httpd_req_header(r, "Content-Type");
    if (ct && strncasecmp(ct, "text/csv", 8) && strncasecmp(ct, "application/octet-stream", 24)) {
        httpd_reply_problem(r, "unsupported_media_type",
                            httpd_req_lang(r) == PROBLEM_LANG_EN
                                ? "Send the file as text/csv (UTF-8 or GBK)."
                                : "请以 text/csv 上传文件（UTF-8 或 GBK 编码）。");
        return;
    }
    struct imp_job *j = calloc(1, sizeof *j);
    size_t len;
    const char *body = httpd_req_body(r, &len);
    if (j) {
        j->r = r;
        j->workers = workers;
        j->all_or_nothing = !mode || !strcmp(mode, "all_or_nothing");
        j->lang = httpd_req_lang(r);
        j->today = api_today();
        j->errors = json_array();
        j->data = malloc(len + 1);
        j->len = len;
        j->nout = workers ? IMPW_NOUT : IMPH_NOUT;
        for (size_t k = 0; k < j->nout; k++)
            if (imp_reserve(j, &j->out[k], 1))
                j->out[k].p[j->out[k].n++] = '{';
    }
    if (!j || !j->data || !j->errors || j->oom) {
        if (j)
            imp_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    memcpy(j->data, body, len);
    /* a large file takes longer than the idle timeout to write */
    httpd_req_extend_timeout(r, 600);
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), imp_work, imp_done, j)) {
        imp_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

void h_import_households(struct httpd_req *r)
{
    imp_start(r, false);
}

void h_import_workers(struct httpd_req *r)
{
    imp_start(r, true);
}
