#include "dbreply.h"

#include "log.h"
#include "principal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct dbreply_ctx {
    struct httpd_req *r;
    int status;
};

/* The field a constraint guards, from PostgreSQL's default constraint names
 * "<table>_<column>_fkey|_key|_check"; "" when it cannot be told. */
static void dbreply_constraint_field(const struct pgpool_reply *rep, char *out, size_t cap)
{
    const char *c = rep->constraint;
    size_t tl = strlen(rep->table);
    out[0] = '\0';
    if (rep->column[0]) {
        snprintf(out, cap, "%s", rep->column);
        return;
    }
    if (!tl || strncmp(c, rep->table, tl) != 0 || c[tl] != '_')
        return;
    snprintf(out, cap, "%s", c + tl + 1);
    static const char *const suffixes[] = {"_fkey", "_key", "_check", "_hash"};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(out), sl = strlen(suffixes[i]);
        if (n > sl && strcmp(out + n - sl, suffixes[i]) == 0)
            out[n - sl] = '\0';
    }
    if (!strcmp(out, "check") || !strncmp(out, "check", 5) || strchr(out, '_') == out)
        out[0] = '\0';
}

/* A programme rule broken (SQLSTATE LYR09, migrations/035): the message is
 * JSON naming the rule, the post and who holds it. */
static void dbreply_rule_problem(struct httpd_req *r, const struct pgpool_reply *rep)
{
    json_t *v = json_loads(rep->message, JSON_REJECT_DUPLICATES, NULL);
    const char *member = json_string_value(json_object_get(v, "member_name"));
    const char *post = json_string_value(json_object_get(v, "post_title"));
    json_t *p =
        problem_rule_new(rep->detail, httpd_req_lang(r), member ? member : "", post ? post : "");
    if (!p || json_object_set_new(p, "post",
                                  json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "worker_id",
                                            json_object_get(v, "member_id"), "worker_name",
                                            json_object_get(v, "member_name"), "vacancy_id",
                                            json_object_get(v, "post_vacancy_id"), "title",
                                            json_object_get(v, "post_title"), "kind",
                                            json_object_get(v, "post_kind"), "placement_id",
                                            json_object_get(v, "placement_id"))) < 0) {
        json_decref(p);
        json_decref(v);
        log_error("request %s: programme rule answer: %s", httpd_req_id(r), rep->detail);
        httpd_reply_problem(r, "conflict", NULL);
        return;
    }
    json_decref(v);
    httpd_reply_problem_json(r, p);
}

/* A payment or a release over the project's remuneration budget (SQLSTATE
 * LYB09, migrations/048): the field in the message, the amounts as JSON in
 * the detail. */
static void dbreply_budget_problem(struct httpd_req *r, const struct pgpool_reply *rep)
{
    json_t *v = json_loads(rep->detail, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
    char num[5][32];
    static const char *const keys[5] = {"budget", "paid", "owed", "amount", "over"};
    for (int i = 0; i < 5; i++) {
        snprintf(num[i], sizeof num[i], "%.2f", json_number_value(json_object_get(v, keys[i])));
    }
    json_decref(v);
    struct problem_budget b = {num[0], num[1], num[2], num[3], num[4]};
    json_t *p = problem_budget_new(rep->message, httpd_req_lang(r), &b);
    if (!p) {
        log_error("request %s: budget answer: %s", httpd_req_id(r), rep->detail);
        httpd_reply_problem(r, "conflict", NULL);
        return;
    }
    httpd_reply_problem_json(r, p);
}

void dbreply_error(struct httpd_req *r, const struct pgpool_reply *rep)
{
    switch (rep->status) {
    case PGPOOL_UNAVAILABLE: {
        json_t *p = problem_new_reason("database_unavailable", rep->message, httpd_req_lang(r));
        if (!p)
            httpd_reply_problem(r, "database_unavailable", NULL);
        else
            httpd_reply_problem_json(r, p);
        return;
    }
    case PGPOOL_TIMEOUT:
        httpd_reply_problem(r, "gateway_timeout", NULL);
        return;
    case PGPOOL_OK:
    case PGPOOL_SQL_ERROR:
        break;
    }
    const char *s = rep->sqlstate;
    char field[128];
    dbreply_constraint_field(rep, field, sizeof field);
    if (!strcmp(s, "LY404")) {
        httpd_reply_problem(r, "not_found", NULL);
    } else if (!strcmp(s, "LY412")) {
        httpd_reply_problem(r, "precondition_failed", NULL);
    } else if (!strcmp(s, "LY409") || !strcmp(s, "LY422")) {
        httpd_reply_field_problem(r, s[3] == '0' ? "conflict" : "validation_failed", rep->message,
                                  rep->detail[0] ? rep->detail : "invalid_format");
    } else if (!strcmp(s, "LYR09")) {
        dbreply_rule_problem(r, rep);
    } else if (!strcmp(s, "LYB09")) {
        dbreply_budget_problem(r, rep);
    } else if (!strcmp(s, "23505")) {
        httpd_reply_field_problem(r, "conflict", field, "duplicate");
    } else if (!strcmp(s, "23503")) {
        httpd_reply_field_problem(r, "validation_failed", field, "not_found");
    } else if (!strcmp(s, "23514") || !strcmp(s, "23502")) {
        httpd_reply_field_problem(r, "validation_failed", field,
                                  s[4] == '2' ? "required" : "out_of_range");
    } else if (!strcmp(s, "42501")) {
        /* row-level security: the record would fall outside the caller's scope */
        httpd_reply_field_problem(r, "forbidden", "", "outside_scope");
    } else if (!strncmp(s, "22", 2)) {
        httpd_reply_problem(r, "bad_request", NULL);
    } else if (!strncmp(s, "08", 2) || !strcmp(s, "57P01") || !strcmp(s, "57P03") ||
               !strcmp(s, "40001") || !strcmp(s, "40P01")) {
        httpd_reply_problem(r, "database_unavailable", NULL);
    } else if (!strcmp(s, "57014")) {
        httpd_reply_problem(r, "gateway_timeout", NULL);
    } else {
        log_error("request %s: database error %s: %s", httpd_req_id(r), s, rep->message);
        httpd_reply_problem(r, "internal_error", NULL);
    }
}

bool dbreply_has_row(struct httpd_req *r, const struct pgpool_reply *rep)
{
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return false;
    }
    if (PQntuples(rep->res) <= rep->row || PQgetisnull(rep->res, rep->row, 0)) {
        httpd_reply_problem(r, "not_found", NULL);
        return false;
    }
    return true;
}

static void dbreply_json_cb(void *arg, const struct pgpool_reply *rep)
{
    struct dbreply_ctx *ctx = arg;
    struct httpd_req *r = ctx->r;
    int status = ctx->status;
    free(ctx);
    if (!dbreply_has_row(r, rep))
        return;
    httpd_reply_raw(r, status, "application/json; charset=utf-8", PQgetvalue(rep->res, 0, 0),
                    (size_t)PQgetlength(rep->res, 0, 0));
}

void dbreply_json(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                  const char *const *values, int status)
{
    struct dbreply_ctx *ctx = malloc(sizeof *ctx);
    if (!ctx) {
        httpd_reply_problem(r, "overloaded", NULL);
        return;
    }
    ctx->r = r;
    ctx->status = status;
    pgpool_query_scoped(httpd_req_pool(r), httpd_req_principal(r)->scope, st, nparams, values,
                        dbreply_json_cb, ctx);
}
