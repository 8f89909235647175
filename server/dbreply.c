#include "dbreply.h"

#include "log.h"

#include <stdlib.h>
#include <string.h>

struct dbreply_ctx {
    struct httpd_req *r;
    int status;
};

void dbreply_error(struct httpd_req *r, const struct pgpool_reply *rep)
{
    switch (rep->status) {
    case PGPOOL_UNAVAILABLE:
        httpd_reply_problem(r, "database_unavailable", NULL);
        return;
    case PGPOOL_TIMEOUT:
        httpd_reply_problem(r, "gateway_timeout", NULL);
        return;
    case PGPOOL_OK:
    case PGPOOL_SQL_ERROR:
        break;
    }
    const char *s = rep->sqlstate;
    if (!strcmp(s, "23505")) {
        httpd_reply_problem(r, "conflict", NULL);
    } else if (!strncmp(s, "08", 2) || !strcmp(s, "57P01") || !strcmp(s, "57P03")) {
        httpd_reply_problem(r, "database_unavailable", NULL);
    } else if (!strcmp(s, "57014")) {
        httpd_reply_problem(r, "gateway_timeout", NULL);
    } else {
        log_error("request %s: database error %s: %s", httpd_req_id(r), s, rep->message);
        httpd_reply_problem(r, "internal_error", NULL);
    }
}

static void dbreply_json_cb(void *arg, const struct pgpool_reply *rep)
{
    struct dbreply_ctx *ctx = arg;
    struct httpd_req *r = ctx->r;
    int status = ctx->status;
    free(ctx);
    if (rep->status != PGPOOL_OK) {
        dbreply_error(r, rep);
        return;
    }
    if (PQntuples(rep->res) == 0 || PQgetisnull(rep->res, 0, 0)) {
        httpd_reply_problem(r, "not_found", NULL);
        return;
    }
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
    pgpool_query(httpd_req_pool(r), st, nparams, values, dbreply_json_cb, ctx);
}
