/*
 * Work-relief payroll (一卡两账三查): a project's roster and attendance
 * ledger, its monthly pay sheets with their public notice and objections,
 * payments to each worker's own account (one by one or from the bank's
 * return file), the checks and the county's spot checks.  Card and account
 * numbers are encrypted here (server/pii.c) and never leave the server in
 * full.  The rules are in migrations/040_payroll_posts.sql.
 */
#define _POSIX_C_SOURCE 200809L
#include "h_payroll.h"

#include "api.h"
#include "bgjob.h"
#include "csv.h"
#include "dbreply.h"
#include "handlers.h"
#include "import.h"
#include "pii.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAYROLL_CSV_MAX_ROWS 5000
#define PAYROLL_CSV_MAX_ERRORS 100

static const char *const payroll_kinds[] = {"wage", "subsidy", NULL};
static const char *const payroll_results[] = {"paid", "failed", NULL};
static const char *const payroll_decisions[] = {"upheld", "dismissed", NULL};
static const char *const payroll_inspections[] = {"ok", "problem", NULL};

static const struct jv_field attendance_fields[] = {
    {"worker_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"month", JV_STRING, 0, 7, 7, NULL, NULL},
    {"work_date", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
    {"days", JV_NUMBER, JV_REQUIRED, 0, 31, NULL, NULL},
    {"hours", JV_NUMBER, JV_NULLABLE, 0, 744, NULL, NULL},
    {"note", JV_STRING, 0, 0, 500, NULL, NULL},
};
static const struct jv_field sheet_fields[] = {
    {"month", JV_STRING, JV_REQUIRED, 7, 7, NULL, NULL},
};
static const struct jv_field adjust_fields[] = {
    {"adjustment", JV_NUMBER, JV_REQUIRED, -10000000, 10000000, NULL, NULL},
    {"adjust_reason", JV_STRING, 0, 0, 500, NULL, NULL},
};
static const struct jv_field objection_fields[] = {
    {"reason", JV_STRING, JV_REQUIRED, 1, 2000, NULL, NULL},
    {"objector", JV_STRING, 0, 0, 100, NULL, NULL},
    {"received_on", JV_DATE, 0, 20000101, 21001231, NULL, NULL},
    {"pay_line_id", JV_ID, 0, 0, 0, NULL, NULL},
};
static const struct jv_field resolve_fields[] = {
    {"decision", JV_ENUM, JV_REQUIRED, 0, 0, payroll_decisions, NULL},
    {"note", JV_STRING, 0, 0, 2000, NULL, NULL},
};
static const struct jv_field payment_fields[] = {
    {"kind", JV_ENUM, 0, 0, 0, payroll_kinds, NULL},
    {"placement_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"month", JV_STRING, JV_REQUIRED, 7, 7, NULL, NULL},
    {"amount", JV_NUMBER, JV_REQUIRED, 0, 10000000, NULL, NULL},
    {"account_number", JV_STRING, JV_REQUIRED, 1, 40, NULL, NULL},
    {"holder_name", JV_STRING, JV_REQUIRED, 1, 50, NULL, NULL},
    {"bank", JV_STRING, 0, 0, 50, NULL, NULL},
    {"result", JV_ENUM, 0, 0, 0, payroll_results, NULL},
    {"fail_reason", JV_STRING, 0, 0, 200, NULL, NULL},
    {"paid_on", JV_DATE, JV_REQUIRED, 20000101, 21001231, NULL, NULL},
};
static const struct jv_field spot_fields[] = {
    {"county_code", JV_REGION, JV_REQUIRED, 0, 0, NULL, NULL},
    {"month", JV_STRING, JV_REQUIRED, 7, 7, NULL, NULL},
    {"size", JV_INT, 0, 1, 500, NULL, NULL},
    {"seed", JV_STRING, 0, 1, 64, NULL, NULL},
};
static const struct jv_field spot_result_fields[] = {
    {"pay_line_id", JV_ID, JV_REQUIRED, 0, 0, NULL, NULL},
    {"result", JV_ENUM, JV_REQUIRED, 0, 0, payroll_inspections, NULL},
    {"note", JV_STRING, 0, 0, 1000, NULL, NULL},
};

static const struct jv_schema attendance_schema = JV_SCHEMA(attendance_fields);
static const struct jv_schema sheet_schema = JV_SCHEMA(sheet_fields);
static const struct jv_schema adjust_schema = JV_SCHEMA(adjust_fields);
static const struct jv_schema objection_schema = JV_SCHEMA(objection_fields);
static const struct jv_schema resolve_schema = JV_SCHEMA(resolve_fields);
static const struct jv_schema payment_schema = JV_SCHEMA(payment_fields);
static const struct jv_schema spot_schema = JV_SCHEMA(spot_fields);
static const struct jv_schema spot_result_schema = JV_SCHEMA(spot_result_fields);
static const struct jv_schema empty_schema = {NULL, 0};

#define PAYROLL_STMT(n, sql) static const struct pgpool_stmt n = {#n, sql}
PAYROLL_STMT(payroll_roster, "SELECT * FROM api_payroll_roster($1::bigint, $2)");
PAYROLL_STMT(payroll_attendance, "SELECT * FROM api_attendance_record($1::bigint, $2::jsonb, $3)");
PAYROLL_STMT(payroll_attendance_import,
             "SELECT * FROM api_attendance_import($1::bigint, $2::jsonb, $3)");
PAYROLL_STMT(payroll_sheet_create, "SELECT * FROM api_pay_sheet_create($1::bigint, $2::jsonb, $3)");
PAYROLL_STMT(payroll_sheet_list, "SELECT * FROM api_pay_sheet_list($1::bigint)");
PAYROLL_STMT(payroll_sheet_get, "SELECT * FROM api_pay_sheet_get($1::bigint)");
PAYROLL_STMT(payroll_line_adjust,
             "SELECT * FROM api_pay_line_adjust($1::bigint, $2::bigint, $3::jsonb, $4)");
PAYROLL_STMT(payroll_sheet_approve, "SELECT * FROM api_pay_sheet_approve($1::bigint, $2)");
PAYROLL_STMT(payroll_sheet_notice, "SELECT * FROM api_pay_sheet_notice($1::bigint)");
PAYROLL_STMT(payroll_objection,
             "SELECT * FROM api_pay_objection_create($1::bigint, $2::jsonb, $3)");
PAYROLL_STMT(payroll_resolve,
             "SELECT * FROM api_pay_objection_resolve($1::bigint, $2::bigint, $3::jsonb, $4)");
PAYROLL_STMT(payroll_sheet_release, "SELECT * FROM api_pay_sheet_release($1::bigint, $2)");
PAYROLL_STMT(payroll_payment, "SELECT * FROM api_payment_record($1::jsonb, $2)");
PAYROLL_STMT(payroll_payment_import, "SELECT * FROM api_payment_import($1::jsonb, $2)");
PAYROLL_STMT(payroll_payments, "SELECT * FROM api_project_payments($1::bigint)");
PAYROLL_STMT(payroll_checks, "SELECT * FROM api_payroll_checks($1::bigint, $2::integer)");
PAYROLL_STMT(payroll_spot_create, "SELECT * FROM api_spot_check_create($1::jsonb, $2)");
PAYROLL_STMT(payroll_spot_get, "SELECT * FROM api_spot_check_get($1::bigint)");
PAYROLL_STMT(payroll_spot_result, "SELECT * FROM api_spot_check_result($1::bigint, $2::jsonb, $3)");

/* Runs st with the path's ids (nids of them), then the body as JSON when
 * schema is given, then the actor when with_actor. */
static void payroll_call(struct httpd_req *r, const struct pgpool_stmt *st, size_t nids,
                         const struct jv_schema *schema, bool with_actor)
{
    char ids[2][24];
    const char *v[4];
    int n = 0;
    char *text = NULL;
    for (size_t i = 0; i < nids; i++) {
        if (!api_param_id(r, i, ids[i]))
            return;
        v[n++] = ids[i];
    }
    if (schema) {
        json_t *obj = api_body(r, schema, false);
        if (!obj)
            return;
        text = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
        if (!text) {
            httpd_reply_problem(r, "overloaded", NULL);
            return;
        }
        v[n++] = text;
    }
    if (with_actor)
        v[n++] = api_actor(r);
    api_call(r, st, n, v, NULL);
    free(text);
}

void h_payroll_roster(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    const char *v[2] = {id, httpd_req_query(r, "month")};
    api_call(r, &payroll_roster, 2, v, NULL);
}

void h_payroll_attendance(struct httpd_req *r)
{
    payroll_call(r, &payroll_attendance, 1, &attendance_schema, true);
}

void h_payroll_sheets_list(struct httpd_req *r)
{
    payroll_call(r, &payroll_sheet_list, 1, NULL, false);
}

void h_payroll_sheets_create(struct httpd_req *r)
{
    payroll_call(r, &payroll_sheet_create, 1, &sheet_schema, true);
}

void h_payroll_payments_list(struct httpd_req *r)
{
    payroll_call(r, &payroll_payments, 1, NULL, false);
}

void h_payroll_checks(struct httpd_req *r)
{
    char id[24];
    if (!api_param_id(r, 0, id))
        return;
    long long late_days = 0;
    char late[24] = "";
    if (!api_query_int(r, "late_days", 0, 365, &late_days))
        return;
    if (httpd_req_query(r, "late_days"))
        snprintf(late, sizeof late, "%lld", late_days);
    const char *v[2] = {id, late[0] ? late : NULL};
    api_call(r, &payroll_checks, 2, v, NULL);
}

void h_payroll_sheet_get(struct httpd_req *r)
{
    payroll_call(r, &payroll_sheet_get, 1, NULL, false);
}

void h_payroll_line_adjust(struct httpd_req *r)
{
    payroll_call(r, &payroll_line_adjust, 2, &adjust_schema, true);
}

/* A body, when sent, must be {}. */
static bool payroll_empty_body(struct httpd_req *r)
{
    size_t len = 0;
    httpd_req_body(r, &len);
    if (len == 0)
        return true;
    json_t *obj = api_body(r, &empty_schema, false);
    json_decref(obj);
    return obj != NULL;
}

void h_payroll_sheet_approve(struct httpd_req *r)
{
    if (payroll_empty_body(r))
        payroll_call(r, &payroll_sheet_approve, 1, NULL, true);
}

void h_payroll_sheet_notice(struct httpd_req *r)
{
    payroll_call(r, &payroll_sheet_notice, 1, NULL, false);
}

void h_payroll_objection_create(struct httpd_req *r)
{
    payroll_call(r, &payroll_objection, 1, &objection_schema, true);
}

void h_payroll_objection_resolve(struct httpd_req *r)
{
    payroll_call(r, &payroll_resolve, 2, &resolve_schema, true);
}

void h_payroll_sheet_release(struct httpd_req *r)
{
    if (payroll_empty_body(r))
        payroll_call(r, &payroll_sheet_release, 1, NULL, true);
}

void h_payroll_spot_create(struct httpd_req *r)
{
    payroll_call(r, &payroll_spot_create, 0, &spot_schema, true);
}

void h_payroll_spot_get(struct httpd_req *r)
{
    payroll_call(r, &payroll_spot_get, 1, NULL, false);
}

void h_payroll_spot_result(struct httpd_req *r)
{
    payroll_call(r, &payroll_spot_result, 1, &spot_result_schema, true);
}

/* ---------- account numbers ---------- */

/* The digits of a card or account number as written (spaces and dashes
 * dropped) into out; false unless 12 to 30 digits. */
static bool payroll_account_digits(const char *s, char out[PII_ACCOUNT_MAX])
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '-')
            continue;
        if (*s < '0' || *s > '9' || n >= 30)
            return false;
        out[n++] = *s;
    }
    out[n] = '\0';
    return n >= 12;
}

/* Replaces account_number in obj by its blind index, ciphertext and mask
 * (the first and last four digits).  Returns 0, or -1 when out of memory
 * or the key is missing. */
static int payroll_account_seal(json_t *obj, const char *digits)
{
    char hash[PII_HASH_HEX], enc[PII_ACCOUNT_ENC_HEX], mask[PII_ACCOUNT_MAX];
    size_t n = strlen(digits);
    if (!pii_ready() || pii_encrypt_account(digits, enc) < 0)
        return -1;
    pii_hash_account(digits, hash);
    memcpy(mask, digits, 4);
    memset(mask + 4, '*', n - 8);
    memcpy(mask + n - 4, digits + n - 4, 4);
    mask[n] = '\0';
    json_object_del(obj, "account_number");
    int rc = json_object_set_new(obj, "account_hash", json_string(hash)) |
             json_object_set_new(obj, "account_enc", json_string(enc)) |
             json_object_set_new(obj, "account_masked", json_string(mask));
    sodium_memzero(enc, sizeof enc);
    return rc ? -1 : 0;
}

void h_payroll_payment_create(struct httpd_req *r)
{
    json_t *obj = api_body(r, &payment_schema, false);
    if (!obj)
        return;
    char digits[PII_ACCOUNT_MAX];
    if (!payroll_account_digits(json_string_value(json_object_get(obj, "account_number")),
                                digits)) {
        json_decref(obj);
        api_reply_field_error(r, "validation_failed", "account_number", "invalid_format");
        return;
    }
    int rc = payroll_account_seal(obj, digits);
    sodium_memzero(digits, sizeof digits);
    char *text = rc == 0 ? json_dumps(obj, JSON_COMPACT) : NULL;
    json_decref(obj);
    if (!text) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[2] = {text, api_actor(r)};
    api_call(r, &payroll_payment, 2, v, NULL);
    free(text);
}

/* ---------- CSV: the attendance ledger and the bank's return file ---------- */

enum payroll_col_kind { PCOL_TEXT, PCOL_ID, PCOL_NUMBER, PCOL_DATE, PCOL_MONTH, PCOL_ENUM };

struct payroll_alias {
    const char *alias;
    const char *value;
};

struct payroll_col {
    const char *field;
    const char *aliases; /* '|'-separated, Chinese and English */
    enum payroll_col_kind kind;
    bool required;
    const struct payroll_alias *values;
};

static const struct payroll_alias payroll_kind_values[] = {
    {"wage", "wage"},    {"工资", "wage"},    {"劳务报酬", "wage"},    {"subsidy", "subsidy"},
    {"补贴", "subsidy"}, {"补助", "subsidy"}, {"岗位补贴", "subsidy"}, {NULL, NULL}};
static const struct payroll_alias payroll_result_values[] = {
    {"paid", "paid"},   {"成功", "paid"},   {"已发放", "paid"}, {"failed", "failed"},
    {"失败", "failed"}, {"退回", "failed"}, {NULL, NULL}};

static const struct payroll_col attendance_cols[] = {
    {"worker_id", "worker_id|劳动力编号|工人编号", PCOL_ID, true, NULL},
    {"month", "month|月份", PCOL_MONTH, false, NULL},
    {"work_date", "work_date|日期|出勤日期", PCOL_DATE, false, NULL},
    {"days", "days|天数|出勤天数", PCOL_NUMBER, true, NULL},
    {"hours", "hours|工时|小时数", PCOL_NUMBER, false, NULL},
    {"note", "note|备注", PCOL_TEXT, false, NULL},
};

static const struct payroll_col bank_cols[] = {
    {"kind", "kind|类型|发放类型", PCOL_ENUM, false, payroll_kind_values},
    {"placement_id", "placement_id|就业记录编号|岗位记录编号", PCOL_ID, true, NULL},
    {"month", "month|月份|所属月份", PCOL_MONTH, true, NULL},
    {"amount", "amount|金额|发放金额", PCOL_NUMBER, true, NULL},
    {"account_number", "account_number|账号|卡号|银行账号", PCOL_TEXT, true, NULL},
    {"holder_name", "holder_name|户名|账户名|持卡人", PCOL_TEXT, true, NULL},
    {"bank", "bank|开户行|银行", PCOL_TEXT, false, NULL},
    {"result", "result|结果|发放结果", PCOL_ENUM, true, payroll_result_values},
    {"fail_reason", "fail_reason|失败原因|原因", PCOL_TEXT, false, NULL},
    {"paid_on", "paid_on|发放日期|入账日期", PCOL_DATE, true, NULL},
};

#define PAYROLL_MAX_COLS 10

struct payroll_job {
    struct httpd_req *r;
    bool bank;              /* the bank's return file, else attendance */
    char project[24];       /* attendance: the project */
    enum problem_lang lang; /* of the faults */
    char *data;
    size_t len;
    json_t *rows;   /* built on the worker thread */
    json_t *errors; /* faults with line, field, code, message */
    bool oom;
};

static void payroll_job_free(struct payroll_job *j)
{
    if (!j)
        return;
    if (j->data) {
        sodium_memzero(j->data, j->len);
        free(j->data);
    }
    json_decref(j->rows);
    json_decref(j->errors);
    free(j);
}

static void payroll_fault(struct payroll_job *j, size_t line, const char *field, const char *code)
{
    if (!import_fault_add(j->errors, PAYROLL_CSV_MAX_ERRORS, line, NULL, field, code, j->lang))
        j->oom = true;
}

/* One cell into row under col; a fault is recorded instead when it does
 * not read as the column's kind. */
static void payroll_cell(struct payroll_job *j, const struct payroll_col *col, const char *s,
                         size_t line, json_t *row)
{
    char *end;
    json_t *v = NULL;
    int y, m, d;
    char tail;
    switch (col->kind) {
    case PCOL_ID: {
        long long x = strtoll(s, &end, 10);
        if (*end || end == s || x <= 0)
            break;
        v = json_integer(x);
        break;
    }
    case PCOL_NUMBER: {
        double x = strtod(s, &end);
        if (*end || end == s || x < 0 || x > 1e9)
            break;
        v = json_real(x);
        break;
    }
    case PCOL_DATE:
        if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
            v = json_string(s);
        break;
    case PCOL_MONTH:
        if (strlen(s) == 7 && sscanf(s, "%4d-%2d%c", &y, &m, &tail) == 2)
            v = json_string(s);
        break;
    case PCOL_ENUM:
        for (size_t k = 0; col->values[k].alias && !v; k++)
            if (!strcasecmp(s, col->values[k].alias))
                v = json_string(col->values[k].value);
        if (!v) {
            payroll_fault(j, line, col->field, "unknown_value");
            return;
        }
        break;
    case PCOL_TEXT:
        if (strcmp(col->field, "account_number") == 0) {
            char digits[PII_ACCOUNT_MAX];
            if (!payroll_account_digits(s, digits)) {
                payroll_fault(j, line, col->field, "invalid_format");
                return;
            }
            if (payroll_account_seal(row, digits) < 0)
                j->oom = true;
            sodium_memzero(digits, sizeof digits);
            return;
        }
        v = strlen(s) <= 500 ? json_string(s) : NULL;
        if (!v) {
            payroll_fault(j, line, col->field, "too_long");
            return;
        }
        break;
    }
    if (!v) {
        payroll_fault(j, line, col->field, "invalid_format");
        return;
    }
    json_object_set_new(row, col->field, v);
}

/* On a background thread: the file into rows, or faults. */
static void payroll_csv_work(void *arg)
{
    struct payroll_job *j = arg;
    const struct payroll_col *cols = j->bank ? bank_cols : attendance_cols;
    size_t ncols = j->bank ? sizeof bank_cols / sizeof bank_cols[0]
                           : sizeof attendance_cols / sizeof attendance_cols[0];
    char *text = NULL;
    size_t tlen = 0;
    enum csv_encoding enc;
    struct csv_parser *ps = malloc(sizeof *ps);
    struct csv_record rec;
    int at[CSV_MAX_FIELDS]; /* the column each field of a record goes to, or -1 */
    bool header = true;
    size_t nrows = 0;
    if (!ps) {
        j->oom = true;
        goto done;
    }
    if (csv_to_utf8(j->data, j->len, &text, &tlen, &enc) < 0) {
        payroll_fault(j, 1, "", "invalid_utf8");
        goto done;
    }
    csv_init(ps, text, tlen);
    for (enum csv_status st; (st = csv_next(ps, &rec)) != CSV_END && !j->oom;) {
        if (st == CSV_ERROR) {
            payroll_fault(j, rec.line, "", "invalid_format");
            continue;
        }
        if (header) {
            header = false;
            for (size_t f = 0; f < rec.n; f++) {
                at[f] = -1;
                for (size_t c = 0; c < ncols && at[f] < 0; c++)
                    if (import_alias_is(cols[c].aliases, rec.field[f], rec.len[f]))
                        at[f] = (int)c;
            }
            for (size_t c = 0; c < ncols; c++) {
                bool found = false;
                for (size_t f = 0; f < rec.n && !found; f++)
                    found = at[f] == (int)c;
                if (cols[c].required && !found)
                    payroll_fault(j, rec.line, cols[c].field, "required");
            }
            if (json_array_size(j->errors) > 0)
                goto done;
            continue;
        }
        if (++nrows > PAYROLL_CSV_MAX_ROWS) {
            payroll_fault(j, rec.line, "", "too_long");
            goto done;
        }
        json_t *row = json_pack("{s:I}", "line", (json_int_t)rec.line);
        if (!row) {
            j->oom = true;
            goto done;
        }
        bool given[PAYROLL_MAX_COLS] = {false};
        for (size_t f = 0; f < rec.n; f++)
            if (f < CSV_MAX_FIELDS && at[f] >= 0 && rec.len[f] > 0) {
                given[at[f]] = true;
                payroll_cell(j, &cols[at[f]], rec.field[f], rec.line, row);
            }
        for (size_t c = 0; c < ncols; c++)
            if (cols[c].required && !given[c])
                payroll_fault(j, rec.line, cols[c].field, "required");
        if (json_array_append_new(j->rows, row) < 0)
            j->oom = true;
    }
    if (header)
        payroll_fault(j, 1, "", "required");
done:
    if (text) {
        sodium_memzero(text, tlen);
        free(text);
    }
    free(ps);
}

static void payroll_csv_reply_faults(struct payroll_job *j)
{
    struct httpd_req *r = j->r;
    json_t *p =
        problem_new("validation_failed", j->lang,
                    j->lang == PROBLEM_LANG_EN ? "The file has faults; nothing was recorded."
                                               : "文件中有错误，未记录任何数据。");
    if (!p || json_object_set(p, "errors", j->errors) < 0) {
        json_decref(p);
        payroll_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    payroll_job_free(j);
    httpd_reply_problem_json(r, p);
}

static void payroll_csv_db_cb(void *arg, const struct pgpool_reply *rep)
{
    struct payroll_job *j = arg;
    struct httpd_req *r = j->r;
    if (rep->status == PGPOOL_SQL_ERROR && !strcmp(rep->sqlstate, "LY423")) {
        json_t *db = json_loads(rep->detail, 0, NULL);
        size_t i;
        json_t *e;
        json_array_foreach(db, i, e)
        {
            const char *field = json_string_value(json_object_get(e, "field"));
            const char *code = json_string_value(json_object_get(e, "code"));
            payroll_fault(j, (size_t)json_integer_value(json_object_get(e, "line")),
                          field ? field : "", code ? code : "invalid_format");
        }
        json_decref(db);
        payroll_csv_reply_faults(j);
        return;
    }
    if (rep->status != PGPOOL_OK) {
        payroll_job_free(j);
        dbreply_error(r, rep);
        return;
    }
    json_t *body = json_loads(PQgetvalue(rep->res, 0, 2), 0, NULL);
    payroll_job_free(j);
    if (!body) {
        httpd_reply_problem(r, "internal_error", NULL);
        return;
    }
    if (PQnfields(rep->res) > 3 && !strcmp(PQgetvalue(rep->res, 0, 3), "t"))
        httpd_set_header(r, "Idempotent-Replayed", "true");
    httpd_reply_json(r, 200, body);
}

static void payroll_csv_done(void *arg)
{
    struct payroll_job *j = arg;
    struct httpd_req *r = j->r;
    if (j->oom) {
        payroll_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (json_array_size(j->errors) > 0) {
        payroll_csv_reply_faults(j);
        return;
    }
    char *rows = json_dumps(j->rows, JSON_COMPACT);
    if (!rows) {
        payroll_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    const char *v[3] = {j->project, rows, api_actor(r)};
    bool sent = j->bank
                    ? api_query_keyed(r, &payroll_payment_import, 2, v + 1, payroll_csv_db_cb, j)
                    : api_query_keyed(r, &payroll_attendance_import, 3, v, payroll_csv_db_cb, j);
    if (!sent)
        payroll_job_free(j);
    sodium_memzero(rows, strlen(rows));
    free(rows);
}

static void payroll_csv_start(struct httpd_req *r, bool bank)
{
    const char *ct = httpd_req_header(r, "Content-Type");
    if (ct && strncasecmp(ct, "text/csv", 8) && strncasecmp(ct, "application/octet-stream", 24)) {
        httpd_reply_problem(r, "unsupported_media_type",
                            httpd_req_lang(r) == PROBLEM_LANG_EN
                                ? "Send the file as text/csv (UTF-8 or GBK)."
                                : "请以 text/csv 上传文件（UTF-8 或 GBK 编码）。");
        return;
    }
    const char *key;
    if (!api_idem_key(r, &key))
        return;
    struct payroll_job *j = calloc(1, sizeof *j);
    if (!j) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (!bank && !api_param_id(r, 0, j->project)) {
        free(j);
        return;
    }
    size_t len;
    const char *body = httpd_req_body(r, &len);
    j->r = r;
    j->bank = bank;
    j->lang = httpd_req_lang(r);
    j->len = len;
    j->data = malloc(len + 1);
    j->rows = json_array();
    j->errors = json_array();
    if (!j->data || !j->rows || !j->errors) {
        payroll_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    memcpy(j->data, body, len);
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), payroll_csv_work, payroll_csv_done,
                      j)) {
        payroll_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

void h_payroll_attendance_import(struct httpd_req *r)
{
    payroll_csv_start(r, false);
}

void h_payroll_bank_returns(struct httpd_req *r)
{
    payroll_csv_start(r, true);
}
