/*
 * The cells of a CSV import (import.h): the columns of each kind of file,
 * the check of each cell and the column arrays the good rows fill.
 */
#define _POSIX_C_SOURCE 200809L
#include "import.h"
#include "csv.h"
#include "fields.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum import_kind {
    IMPORT_TEXT,
    IMPORT_INT,
    IMPORT_ENUM,
    IMPORT_BOOL,
    IMPORT_DATE,
    IMPORT_IDNUM,
    IMPORT_PHONE,
    IMPORT_SKILLS
};

struct import_enum {
    const char *alias;
    const char *value;
};

struct import_col {
    const char *field;
    const char *aliases; /* '|'-separated header names, Chinese and English */
    enum import_kind kind;
    bool required;
    long long min, max; /* a text's length, an integer's value */
    const struct import_enum *values;
    int out; /* the first column array the value goes to */
};

#define IMPORT_ID_MAX 999999999999LL
#define IMPORT_BOUNDS(id) FIELDS_MIN(id), FIELDS_MAX(id)

static const struct import_enum import_monitoring[] = {{"无", "none"},
                                                       {"none", "none"},
                                                       {"脱贫不稳定户", "unstable"},
                                                       {"unstable", "unstable"},
                                                       {"边缘易致贫户", "marginal"},
                                                       {"marginal", "marginal"},
                                                       {"突发严重困难户", "sudden_hardship"},
                                                       {"sudden_hardship", "sudden_hardship"},
                                                       {NULL, NULL}};
static const struct import_enum import_found_by[] = {{"自主申报", "self_application"},
                                                     {"self_application", "self_application"},
                                                     {"数据比对", "data_comparison"},
                                                     {"data_comparison", "data_comparison"},
                                                     {"干部走访", "cadre_visit"},
                                                     {"cadre_visit", "cadre_visit"},
                                                     {NULL, NULL}};
static const struct import_enum import_education[] = {{"未上学", "none"},
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
static const struct import_enum import_mandarin[] = {
    {"不会", "none"},   {"none", "none"},     {"一般", "basic"}, {"basic", "basic"},
    {"熟练", "fluent"}, {"fluent", "fluent"}, {NULL, NULL}};
static const struct import_enum import_status[] = {
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

static const struct import_col import_household_cols[] = {
    {"ref", "户编号|household_ref|ref", IMPORT_TEXT, true, IMPORT_BOUNDS(HOUSEHOLD_REF), NULL,
     IMPORT_H_REF},
    {"site_id", "安置点ID|安置点编号|site_id", IMPORT_INT, true, 1, IMPORT_ID_MAX, NULL,
     IMPORT_H_SITE},
    {"origin_county_code", "迁出县代码|迁出县|origin_county_code", IMPORT_INT, true,
     IMPORT_BOUNDS(ORIGIN_COUNTY_CODE), NULL, IMPORT_H_COUNTY},
    {"origin_village", "迁出村|origin_village", IMPORT_TEXT, false, IMPORT_BOUNDS(ORIGIN_VILLAGE),
     NULL, IMPORT_H_VILLAGE},
    {"members", "家庭人口|人口数|members", IMPORT_INT, true, IMPORT_BOUNDS(HOUSEHOLD_MEMBERS), NULL,
     IMPORT_H_MEMBERS},
    {"monitoring_status", "监测类型|monitoring_status", IMPORT_ENUM, false, 0, 0, import_monitoring,
     IMPORT_H_MONITORING},
    {"monitoring_found_by", "发现方式|monitoring_found_by", IMPORT_ENUM, false, 0, 0,
     import_found_by, IMPORT_H_FOUND_BY},
    {"monitoring_found_on", "认定日期|monitoring_found_on", IMPORT_DATE, false, 0, 0, NULL,
     IMPORT_H_FOUND_ON},
};

static const struct import_col import_worker_cols[] = {
    {"site_id", "安置点ID|安置点编号|site_id", IMPORT_INT, true, 1, IMPORT_ID_MAX, NULL,
     IMPORT_W_SITE},
    {"household_ref", "户编号|household_ref", IMPORT_TEXT, true, IMPORT_BOUNDS(HOUSEHOLD_REF), NULL,
     IMPORT_W_REF},
    {"name", "姓名|name", IMPORT_TEXT, true, IMPORT_BOUNDS(WORKER_NAME), NULL, IMPORT_W_NAME},
    {"id_number", "身份证号|身份证号码|id_number", IMPORT_IDNUM, true, 0, 0, NULL,
     IMPORT_W_ID_HASH},
    {"phone", "手机号|手机|电话|phone", IMPORT_PHONE, false, 0, 0, NULL, IMPORT_W_PHONE_HASH},
    {"education", "文化程度|学历|education", IMPORT_ENUM, false, 0, 0, import_education,
     IMPORT_W_EDUCATION},
    {"mandarin_level", "普通话|mandarin_level", IMPORT_ENUM, false, 0, 0, import_mandarin,
     IMPORT_W_MANDARIN},
    {"employment_status", "就业状态|employment_status", IMPORT_ENUM, false, 0, 0, import_status,
     IMPORT_W_STATUS},
    {"skills", "技能|skills", IMPORT_SKILLS, false, 0, 0, NULL, IMPORT_W_SKILL_LINE},
    {"max_commute_km", "通勤距离|通勤距离公里|max_commute_km", IMPORT_INT, false,
     IMPORT_BOUNDS(MAX_COMMUTE_KM), NULL, IMPORT_W_COMMUTE},
    {"willing_outside_county", "愿意县外就业|willing_outside_county", IMPORT_BOOL, false, 0, 0,
     NULL, IMPORT_W_OUT_COUNTY},
    {"willing_outside_province", "愿意省外就业|willing_outside_province", IMPORT_BOOL, false, 0, 0,
     NULL, IMPORT_W_OUT_PROVINCE},
    {"needs_accommodation", "需要住宿|needs_accommodation", IMPORT_BOOL, false, 0, 0, NULL,
     IMPORT_W_ACCOMMODATION},
    {"wage_floor", "期望工资|期望月薪|wage_floor", IMPORT_INT, false, IMPORT_BOUNDS(WAGE_FLOOR),
     NULL, IMPORT_W_WAGE_FLOOR},
    {"consent_brokers", "同意推荐给劳务经纪人|consent_brokers", IMPORT_BOOL, false, 0, 0, NULL,
     IMPORT_W_CONSENT},
};

#define IMPORT_NCOLS(a) (sizeof(a) / sizeof(a)[0])

/* Overwrites a buffer that held a secret, in a way the compiler keeps. */
static void import_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static bool import_reserve(struct import *im, struct import_arr *a, size_t more)
{
    if (a->n + more + 2 <= a->cap)
        return true;
    size_t cap = a->cap ? a->cap : 4096;
    while (cap < a->n + more + 2)
        cap *= 2;
    char *p = realloc(a->p, cap);
    if (!p) {
        im->oom = true;
        return false;
    }
    a->p = p;
    a->cap = cap;
    return true;
}

/* Appends one element; a quoted one has '"' and '\\' escaped.  The runs
 * between them are copied whole: a loop of one byte at a time was about a
 * sixth of the server's CPU for a 100,000-row worker file (perf). */
static void import_put(struct import *im, int k, const char *s, bool quote)
{
    struct import_arr *a = &im->out[k];
    size_t n = strlen(s);
    if (!import_reserve(im, a, 2 * n + 3))
        return;
    char *d = a->p + a->n;
    if (a->count++)
        *d++ = ',';
    if (!quote) {
        memcpy(d, s, n);
        d += n;
    } else {
        *d++ = '"';
        for (const char *end = s + n; s < end;) {
            size_t run = strcspn(s, "\"\\");
            memcpy(d, s, run);
            d += run;
            s += run;
            if (s < end) {
                *d++ = '\\';
                *d++ = *s++;
            }
        }
        *d++ = '"';
    }
    a->n = (size_t)(d - a->p);
    im->written |= 1u << k;
}

static void import_put_str(struct import *im, int k, const char *s)
{
    import_put(im, k, s, true);
}

static void import_put_int(struct import *im, int k, long long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", v);
    import_put(im, k, buf, false);
}

bool import_fault_add(json_t *errors, size_t max, size_t line, const char *column,
                      const char *field, const char *code, enum problem_lang lang)
{
    if (json_array_size(errors) >= max)
        return true;
    json_t *e = json_pack("{s:I}", "line", (json_int_t)line);
    bool ok =
        e && (!column || json_object_set_new(e, "column", json_string(column)) == 0) &&
        json_object_set_new(e, "field", json_string(field)) == 0 &&
        json_object_set_new(e, "code", json_string(code)) == 0 &&
        json_object_set_new(e, "message", json_string(problem_field_message(code, lang))) == 0;
    if (!ok) {
        json_decref(e);
        return false;
    }
    return e && json_array_append_new(errors, e) == 0;
}

void import_error(struct import *im, size_t line, const char *column, const char *field,
                  const char *code)
{
    import_fault_add(im->errors, IMPORT_MAX_ERRORS, line, column, field, code, im->lang);
}

bool import_alias_is(const char *aliases, const char *name, size_t n)
{
    for (const char *p = aliases; *p;) {
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

static bool import_bool(const char *s, bool *out)
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

/* "焊工:3;电工:2" into (line, skill, level) triples.  Returns a problem
 * code, or NULL. */
static const char *import_skills(struct import *im, const char *s, size_t line)
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
            if (*end || level < FIELDS_MIN(SKILL_LEVEL) || level > FIELDS_MAX(SKILL_LEVEL))
                return "out_of_range";
        }
        enum validate_reason why;
        if (!validate_text_why(item, strlen(item), FIELDS_MAX(SKILL_NAME), &why))
            return validate_reason_code(why);
        import_put_int(im, IMPORT_W_SKILL_LINE, (long long)line);
        import_put_str(im, IMPORT_W_SKILL, item);
        import_put_int(im, IMPORT_W_SKILL_LEVEL, level);
    }
    return NULL;
}

/* An ID number's blind index, ciphertext, masked form, birth date and sex. */
static const char *import_idnum(struct import *im, const char *v, size_t n)
{
    struct validate_idnum id;
    enum validate_reason why;
    if (!validate_idnum(v, n, im->today, &id, &why))
        return validate_reason_code(why);
    if (im->today - (id.birth_year * 10000 + id.birth_month * 100 + id.birth_day) <
        FIELDS_MIN(WORKER_AGE) * 10000) {
        import_wipe(&id, sizeof id);
        return "out_of_range";
    }
    struct import_sealed sealed;
    char masked[19], birth[11];
    int rc = im->hooks.seal_idnum(im->hooks.ctx, id.normalized, &sealed);
    validate_mask_idnum(id.normalized, masked);
    snprintf(birth, sizeof birth, "%04d-%02d-%02d", id.birth_year, id.birth_month, id.birth_day);
    char sex[2] = {id.sex, '\0'};
    import_wipe(&id, sizeof id);
    if (rc < 0)
        return "invalid_format";
    import_put_str(im, IMPORT_W_ID_HASH, sealed.hash);
    import_put_str(im, IMPORT_W_ID_ENC, sealed.enc);
    import_put_str(im, IMPORT_W_ID_MASKED, masked);
    import_put_str(im, IMPORT_W_BIRTH, birth);
    import_put_str(im, IMPORT_W_SEX, sex);
    return NULL;
}

/* A phone as its blind index, ciphertext and mask (migrations/032), or the
 * reason it is refused. */
static const char *import_phone(struct import *im, const char *v, size_t n)
{
    char phone[16], masked[16];
    if (!validate_phone_cn(v, n, phone))
        return "invalid_format";
    struct import_sealed sealed;
    int rc = im->hooks.seal_phone(im->hooks.ctx, phone, &sealed);
    validate_mask_phone(phone, masked, sizeof masked);
    import_wipe(phone, sizeof phone);
    if (rc < 0)
        return "invalid_format";
    import_put_str(im, IMPORT_W_PHONE_HASH, sealed.hash);
    import_put_str(im, IMPORT_W_PHONE_ENC, sealed.enc);
    import_put_str(im, IMPORT_W_PHONE_MASKED, masked);
    return NULL;
}

/* Checks one value and adds it to its column, or reports the fault.
 * Returns false on a fault. */
static bool import_value(struct import *im, const struct import_col *c, const char *v, size_t line,
                         const char *column)
{
    const char *code = NULL;
    size_t n = strlen(v);
    enum validate_reason why;
    if (!n) {
        code = c->required ? "required" : NULL;
    } else if (c->kind == IMPORT_TEXT) {
        if (!validate_text_why(v, n, (size_t)c->max, &why))
            code = validate_reason_code(why);
        else
            import_put_str(im, c->out, v);
    } else if (c->kind == IMPORT_INT) {
        char *end;
        long long x = strtoll(v, &end, 10);
        if (*end || x < c->min || x > c->max)
            code = *end ? "invalid_format" : "out_of_range";
        else
            import_put_int(im, c->out, x);
    } else if (c->kind == IMPORT_ENUM) {
        code = "unknown_value";
        for (int i = 0; code && c->values[i].alias; i++)
            if (!strcasecmp(c->values[i].alias, v)) {
                import_put_str(im, c->out, c->values[i].value);
                if (c->values == import_monitoring)
                    im->monitoring = c->values[i].value;
                code = NULL;
            }
    } else if (c->kind == IMPORT_BOOL) {
        bool b;
        if (!import_bool(v, &b))
            code = "invalid_format";
        else
            import_put(im, c->out, b ? "t" : "f", false);
    } else if (c->kind == IMPORT_DATE) {
        int ymd;
        if (!validate_date(v, n, &ymd))
            code = "invalid_date";
        else
            import_put_str(im, c->out, v);
    } else if (c->kind == IMPORT_PHONE) {
        code = import_phone(im, v, n);
    } else if (c->kind == IMPORT_SKILLS) {
        code = import_skills(im, v, line);
    } else {
        code = import_idnum(im, v, n);
    }
    if (code)
        import_error(im, line, column, c->field, code);
    return code == NULL;
}

/* A household under monitoring says how and when it was found; others do not. */
static bool import_household_rules(struct import *im, size_t line)
{
    bool monitored = im->monitoring && strcmp(im->monitoring, "none") != 0;
    bool by = im->written & 1u << IMPORT_H_FOUND_BY;
    bool on = im->written & 1u << IMPORT_H_FOUND_ON;
    if (monitored && !by)
        import_error(im, line, "发现方式", "monitoring_found_by", "required");
    if (monitored && !on)
        import_error(im, line, "认定日期", "monitoring_found_on", "required");
    if (!monitored && (by || on))
        import_error(im, line, by ? "发现方式" : "认定日期",
                     by ? "monitoring_found_by" : "monitoring_found_on", "not_allowed");
    return monitored ? by && on : !by && !on;
}

/* Reads the header; map[i] is the column table's entry for field i, or -1. */
static bool import_header(struct import *im, const struct import_col *cols, size_t ncols,
                          const struct csv_record *rec, int *map, char (*names)[64])
{
    bool seen[32] = {false};
    for (size_t i = 0; i < rec->n; i++) {
        map[i] = -1;
        validate_copy_text(names[i], sizeof names[i], rec->field[i]);
        for (size_t k = 0; k < ncols; k++)
            if (import_alias_is(cols[k].aliases, rec->field[i], strlen(rec->field[i])))
                map[i] = (int)k, seen[k] = true;
        if (map[i] < 0)
            import_error(im, rec->line, names[i], "", "unknown_field");
    }
    for (size_t k = 0; k < ncols; k++)
        if (cols[k].required && !seen[k])
            import_error(im, 1, cols[k].aliases, cols[k].field, "required");
    return json_array_size(im->errors) == 0;
}

/* One data row into the column arrays, or none of it when a value is bad. */
static void import_row(struct import *im, const struct import_col *cols, const int *map,
                       char (*names)[64], size_t nheader, const struct csv_record *rec)
{
    struct import_arr before[IMPORT_NOUT_MAX];
    memcpy(before, im->out, sizeof before);
    im->written = 0;
    im->monitoring = NULL;
    import_put_int(im, 0, (long long)rec->line);
    bool ok = true;
    for (size_t i = 0; i < nheader; i++)
        ok &= import_value(im, &cols[map[i]], i < rec->n ? rec->field[i] : "", rec->line, names[i]);
    if (ok && !im->workers)
        ok = import_household_rules(im, rec->line);
    size_t nrow = im->workers ? IMPORT_W_SKILL_LINE : IMPORT_H_NOUT;
    if (ok) {
        for (size_t k = 1; k < nrow; k++)
            if (!(im->written & 1u << k))
                import_put(im, (int)k, "NULL", false);
        im->valid++;
        return;
    }
    for (size_t k = 0; k < im->nout; k++) { /* keep the buffers, forget the row */
        im->out[k].n = before[k].n;
        im->out[k].count = before[k].count;
    }
}

int import_init(struct import *im, bool workers, enum problem_lang lang, int today,
                const struct import_hooks *hooks)
{
    *im = (struct import){0};
    im->workers = workers;
    im->lang = lang;
    im->today = today;
    im->hooks = *hooks;
    im->errors = json_array();
    im->nout = workers ? IMPORT_W_NOUT : IMPORT_H_NOUT;
    for (size_t k = 0; k < im->nout; k++)
        if (import_reserve(im, &im->out[k], 1))
            im->out[k].p[im->out[k].n++] = '{';
    return im->errors && !im->oom ? 0 : -1;
}

void import_run(struct import *im, const char *data, size_t len)
{
    const struct import_col *cols = im->workers ? import_worker_cols : import_household_cols;
    size_t ncols =
        im->workers ? IMPORT_NCOLS(import_worker_cols) : IMPORT_NCOLS(import_household_cols);
    char *text;
    size_t tlen;
    enum csv_encoding enc;
    if (csv_to_utf8(data, len, &text, &tlen, &enc) < 0) {
        im->fatal = "invalid_utf8";
        return;
    }
    im->encoding = enc == CSV_UTF8 ? "UTF-8" : "GB18030";
    static _Thread_local struct csv_parser ps;
    struct csv_record rec;
    csv_init(&ps, text, tlen);
    int map[CSV_MAX_FIELDS];
    char names[CSV_MAX_FIELDS][64];
    if (csv_next(&ps, &rec) != CSV_RECORD) {
        im->fatal = "required";
        free(text);
        return;
    }
    if (!import_header(im, cols, ncols, &rec, map, names)) {
        free(text);
        return;
    }
    size_t nheader = rec.n;
    enum csv_status st;
    while ((st = csv_next(&ps, &rec)) != CSV_END && !im->oom) {
        im->nrows++;
        if (st == CSV_ERROR)
            import_error(im, rec.line, "", "", "invalid_format");
        else
            import_row(im, cols, map, names, nheader, &rec);
    }
    free(text);
    for (size_t k = 0; k < im->nout && !im->oom; k++)
        if (import_reserve(im, &im->out[k], 2)) {
            struct import_arr *a = &im->out[k];
            a->p[a->n++] = '}';
            a->p[a->n] = '\0';
        }
}

void import_free(struct import *im)
{
    for (size_t k = 0; k < im->nout; k++) {
        free(im->out[k].p);
        im->out[k] = (struct import_arr){0};
    }
    json_decref(im->errors);
    im->errors = NULL;
}
