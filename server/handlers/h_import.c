/*
 * CSV import of households and workers: POST /v1/imports/{households,workers}
 * ?mode=all_or_nothing|valid_rows with the spreadsheet as the body (UTF-8 or
 * GBK; headers in Chinese or English).  The cells are read and checked by
 * lib/import.c on a background thread, with ID numbers and phones sealed here
 * (core/pii.c); one SQL call writes the rows.  The answer reports every bad
 * row with its line, column and reason.
 */
#define _POSIX_C_SOURCE 200809L
#include "api.h"
#include "bgjob.h"
#include "dbreply.h"
#include "handlers.h"
#include "import.h"
#include "pii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(PII_HASH_HEX <= IMPORT_SEAL_MAX && PII_ENC_HEX <= IMPORT_SEAL_MAX &&
                   PII_PHONE_ENC_HEX <= IMPORT_SEAL_MAX,
               "sealed values fit lib/import.c's buffers");

struct import_job {
    struct httpd_req *r;
    bool all_or_nothing;
    char *data;
    size_t len;
    struct import im;
};

static int import_seal_idnum(void *ctx, const char *id18, struct import_sealed *out)
{
    (void)ctx;
    pii_hash_idnum(id18, out->hash);
    return pii_encrypt_idnum(id18, out->enc);
}

static int import_seal_phone(void *ctx, const char *phone, struct import_sealed *out)
{
    (void)ctx;
    pii_hash_phone(phone, out->hash);
    return pii_encrypt_phone(phone, out->enc);
}

static void import_work(void *arg)
{
    struct import_job *j = arg;
    import_run(&j->im, j->data, j->len);
}

static void import_job_free(struct import_job *j)
{
    free(j->data);
    import_free(&j->im);
    free(j);
}

static void import_job_reply(struct import_job *j, int status, json_t *counts)
{
    struct httpd_req *r = j->r;
    const struct import *im = &j->im;
    json_t *body = json_pack("{s:s, s:s, s:I, s:I, s:I, s:O}", "mode",
                             j->all_or_nothing ? "all_or_nothing" : "valid_rows", "encoding",
                             im->encoding ? im->encoding : "", "rows", (json_int_t)im->nrows,
                             "valid_rows", (json_int_t)im->valid, "rejected_rows",
                             (json_int_t)(im->nrows - im->valid), "errors", im->errors);
    if (counts)
        json_object_update(body, counts);
    if (status == 422) {
        json_t *p =
            problem_new("validation_failed", im->lang,
                        im->lang == PROBLEM_LANG_EN ? "The file has faults; nothing was imported."
                                                    : "文件中有错误，未导入任何数据。");
        json_object_update(p, body);
        json_decref(body);
        import_job_free(j);
        httpd_reply_problem_json(r, p);
        return;
    }
    import_job_free(j);
    httpd_reply_json(r, status, body);
}

static void import_job_db_cb(void *arg, const struct pgpool_reply *rep)
{
    struct import_job *j = arg;
    if (rep->status == PGPOOL_SQL_ERROR && !strcmp(rep->sqlstate, "LY423")) {
        json_t *db = json_loads(rep->detail, 0, NULL);
        json_array_extend(j->im.errors, db);
        json_decref(db);
        import_job_reply(j, 422, NULL);
        return;
    }
    if (rep->status != PGPOOL_OK) {
        struct httpd_req *r = j->r;
        import_job_free(j);
        dbreply_error(r, rep);
        return;
    }
    json_t *db = json_loads(PQgetvalue(rep->res, 0, 3), 0, NULL);
    json_array_extend(j->im.errors, db);
    json_decref(db);
    json_t *counts =
        json_pack("{s:i, s:i, s:i}", "created", atoi(PQgetvalue(rep->res, 0, 0)), "updated",
                  atoi(PQgetvalue(rep->res, 0, 1)), "unchanged", atoi(PQgetvalue(rep->res, 0, 2)));
    import_job_reply(j, 200, counts);
    json_decref(counts);
}

static const struct pgpool_stmt import_households_stmt = {
    "import_households",
    "SELECT * FROM import_households($1::integer[], $2::text[], $3::bigint[], $4::integer[], "
    "$5::text[], $6::integer[], $7::text[], $8::text[], $9::date[], $10::boolean)"};
static const struct pgpool_stmt import_workers_stmt = {
    "import_workers",
    "SELECT * FROM import_workers($1::integer[], $2::bigint[], $3::text[], $4::text[], "
    "$5::bytea[], $6::bytea[], $7::text[], $8::date[], $9::text[], $10::bytea[], $11::bytea[], "
    "$12::text[], $13::text[], $14::text[], $15::text[], $16::integer[], $17::boolean[], "
    "$18::boolean[], $19::boolean[], $20::integer[], $21::boolean[], $22::integer[], $23::text[], "
    "$24::smallint[], $25::boolean, $26)"};

static void import_job_done(void *arg)
{
    struct import_job *j = arg;
    struct import *im = &j->im;
    if (im->oom) {
        struct httpd_req *r = j->r;
        import_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    if (im->fatal) {
        import_error(im, 1, "", "", im->fatal);
        import_job_reply(j, 422, NULL);
        return;
    }
    if (json_array_size(im->errors) > 0 && (j->all_or_nothing || im->valid == 0)) {
        import_job_reply(j, 422, NULL);
        return;
    }
    const char *v[IMPORT_NOUT_MAX + 2];
    for (size_t k = 0; k < im->nout; k++)
        v[k] = im->out[k].p;
    v[im->nout] = j->all_or_nothing ? "true" : "false";
    v[im->nout + 1] = api_actor(j->r);
    pgpool_query_deadline(httpd_req_pool(j->r), api_scope(j->r), 120000,
                          im->workers ? &import_workers_stmt : &import_households_stmt,
                          (int)im->nout + (im->workers ? 2 : 1), v, import_job_db_cb, j);
    for (size_t k = 0; k < im->nout; k++) { /* the pool has its copy */
        free(im->out[k].p);
        im->out[k] = (struct import_arr){0};
    }
}

static void import_job_start(struct httpd_req *r, bool workers)
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
    struct import_job *j = calloc(1, sizeof *j);
    size_t len;
    const char *body = httpd_req_body(r, &len);
    static const struct import_hooks hooks = {import_seal_idnum, import_seal_phone, NULL};
    bool ok = false;
    if (j) {
        j->r = r;
        j->all_or_nothing = !mode || !strcmp(mode, "all_or_nothing");
        j->data = malloc(len + 1);
        j->len = len;
        ok = import_init(&j->im, workers, httpd_req_lang(r), api_today(), &hooks) == 0 && j->data;
    }
    if (!ok) {
        if (j)
            import_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    memcpy(j->data, body, len);
    /* a large file takes longer than the idle timeout to write */
    httpd_req_extend_timeout(r, 600);
    if (!bgjob_submit(httpd_req_bgjobs(r), httpd_req_base(r), import_work, import_job_done, j)) {
        import_job_free(j);
        httpd_reply_problem(r, "overloaded", NULL);
    }
}

void h_import_households(struct httpd_req *r)
{
    import_job_start(r, false);
}

void h_import_workers(struct httpd_req *r)
{
    import_job_start(r, true);
}
