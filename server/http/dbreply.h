/*
 * dbreply: answers a request straight from a query whose first column is
 * JSON built by PostgreSQL, and maps database failures to problem answers.
 */
#ifndef LEYE_DBREPLY_H
#define LEYE_DBREPLY_H

#include "httpd.h"
#include "pgpool.h"

/*
 * Runs st and answers status with the first column of the first row as the
 * JSON body; no row answers 404.  Ends the request in every case.
 */
void dbreply_json(struct httpd_req *r, const struct pgpool_stmt *st, int nparams,
                  const char *const *values, int status);

/* Answers a failed reply: 503 (database away, Retry-After), 504 (deadline),
 * 409/422 for constraint violations, 500 otherwise.  Ends the request. */
void dbreply_error(struct httpd_req *r, const struct pgpool_reply *rep);

/* True when rep succeeded with a first row whose first column is not null;
 * otherwise answers (dbreply_error, or 404 for no row) and returns false. */
bool dbreply_has_row(struct httpd_req *r, const struct pgpool_reply *rep)
    __attribute__((warn_unused_result));

#endif
