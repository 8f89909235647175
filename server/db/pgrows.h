/*
 * pgrows: the keys of a query result's rows, for the pool's batched reads
 * (pgpool_query_batched), and a row's columns written as one JSON object.
 */
#ifndef LEYE_PGROWS_H
#define LEYE_PGROWS_H

#include <libpq-fe.h>

/*
 * The first column of each row of all, a bigint as text, as a new array of
 * PQntuples(all) keys (the caller frees it), or NULL when memory runs out.
 */
long long *pgrows_keys(const PGresult *all) __attribute__((warn_unused_result));

/*
 * Columns from.. of row row of res as one JSON object, each named as its
 * column and in the columns' order (jsonrow_object): booleans as true or
 * false, integers and json as sent, text as strings, NULL as null.  Returns
 * a new string of *len bytes (the caller frees it), or NULL when memory
 * runs out or a column is of another type, whose text is not its JSON.
 */
char *pgrows_object(const PGresult *res, int row, int from, size_t *len)
    __attribute__((warn_unused_result));

#endif
