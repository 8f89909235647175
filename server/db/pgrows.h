/*
 * pgrows: picking rows out of a query result, for the pool's batched reads
 * (pgpool_query_batched).
 */
#ifndef LEYE_PGROWS_H
#define LEYE_PGROWS_H

#include <libpq-fe.h>

/*
 * The rows of all whose first column, a bigint as text, is key, with the
 * other columns only (names, types and values as in all): what one call
 * answers among the keys of a batch.  Returns a new result (the caller
 * PQclears it), with no row when none has the key, or NULL when memory runs
 * out.
 */
PGresult *pgrows_keyed(const PGresult *all, long long key) __attribute__((warn_unused_result));

#endif
