/*
 * matchrows: the rows of the database's matching functions
 * (match_worker_rows, match_vacancy_rows, match_household_rows) read by id
 * and filed into a matching index: for the index's updates after a change
 * and for its full load of the vacancies (matchidx.c).
 *
 * The connection blocks: these run on the index's own thread, never on an
 * event loop.
 */
#ifndef LEYE_MATCHROWS_H
#define LEYE_MATCHROWS_H

#include "match/match.h"

#include <libpq-fe.h>

/* The kinds of record, in the order the changes are applied. */
enum matchrows_kind { MATCHROWS_HOUSEHOLD, MATCHROWS_WORKER, MATCHROWS_VACANCY };

/* The number in a column, 0 when it is null. */
double matchrows_num(const PGresult *res, int row, int col);

/*
 * The rows of kind for the ids in ids, a PostgreSQL array literal ("{3,7}"):
 * those of the ids whose records are not archived.  Returns a new result
 * (the caller PQclears it), or NULL (logged) when the query fails.
 */
PGresult *matchrows_read(PGconn *c, enum matchrows_kind kind, const char *ids)
    __attribute__((warn_unused_result));

/* Files each row of res, a result of the function of kind, into idx (a
 * record refused is logged and skipped); returns the number of rows. */
int matchrows_apply(struct match_index *idx, enum matchrows_kind kind, const PGresult *res);

#endif
